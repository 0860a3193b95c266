package redshift

import (
	"errors"
	"strings"
	"testing"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

func TestParseCopyOptions(t *testing.T) {
	o, err := parseCopyOptions("")
	if err != nil || o.format != formatText || o.delimiter != '|' || o.nullAs != `\N` || o.maxError != 0 {
		t.Fatalf("defaults = %+v, %v", o, err)
	}
	o, err = parseCopyOptions(`csv quote as '''' delimiter as '\011' ignoreheader 3 maxerror as 10 null as 'nil' gzip compupdate off statupdate on region 'us-east-1' acceptinvchars emptyasnull;`)
	if err != nil {
		t.Fatal(err)
	}
	if o.format != formatCSV || o.quote != '\'' || o.delimiter != '\t' || o.ignoreHeader != 3 || o.maxError != 10 ||
		o.nullAs != "nil" || !o.acceptInv || o.invReplace != "?" || !o.emptyAsNull {
		t.Errorf("parsed %+v", o)
	}
	if o, _ := parseCopyOptions("DELIMITER ',' CSV"); o.delimiter != ',' {
		t.Errorf("CSV after DELIMITER changed it to %q", o.delimiter)
	}
	if o, _ := parseCopyOptions("DELIMITER ';' CSV"); o.delimiter != ';' {
		t.Errorf("CSV after DELIMITER ';' gave %q", o.delimiter)
	}
	for opts, want := range map[string]string{
		"JSON 's3://bucket/jsonpaths.json'": "JSONPaths files are unsupported",
		"FIXEDWIDTH 'a:1'":                  "FIXEDWIDTH is unsupported",
		"FORMAT AS PARQUET":                 "PARQUET is unsupported",
		"JSON":                              "JSON needs an argument",
		"DELIMITER 'ab'":                    "single character",
		"MAXERROR x":                        "non-negative number",
		"NULL AS 'unterminated":             "unterminated",
		"FROBNICATE":                        "unknown COPY parameter FROBNICATE",
		"ENCODING UTF16":                    "UTF8 only",
		"CSV QUOTE ','":                     "must differ",
		"CSV ESCAPE":                        "cannot be used with",
	} {
		_, err := parseCopyOptions(opts)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", opts, err, want)
		}
		if strings.Contains(want, "unsupported") && !errors.Is(err, errUnsupported) {
			t.Errorf("%s: not marked unsupported", opts)
		}
	}
}

func TestParseJDBC(t *testing.T) {
	for in, want := range map[string]jdbcTarget{
		"jdbc:redshift://c.abc.us-east-1.redshift.amazonaws.com:5439/dev": {host: "c.abc.us-east-1.redshift.amazonaws.com", port: 5439, db: "dev", sslmode: "prefer"},
		"jdbc:redshift://h/dev?ssl=true":                                  {host: "h", port: 5439, db: "dev", sslmode: "require"},
		"jdbc:postgresql://127.0.0.1:6543/fh?sslmode=disable":             {host: "127.0.0.1", port: 6543, db: "fh", sslmode: "disable"},
		"jdbc:postgresql://[::1]":                                         {host: "::1", port: 5432, sslmode: "prefer"},
	} {
		got, err := parseJDBC(in)
		if err != nil || got != want {
			t.Errorf("%s = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"postgres://h/db", "jdbc:mysql://h/db", "jdbc:redshift://h:5439", "jdbc:redshift://:5439/dev",
		"jdbc:postgresql://h:99999/db", "jdbc:postgresql://h/db?sslmode=bogus", "jdbc:redshift:iam://h/dev"} {
		if _, err := parseJDBC(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	cfg, err := jdbcTarget{host: "h", port: 1, sslmode: "disable"}.connConfig("u@x", "p:w/d")
	if err != nil || cfg.User != "u@x" || cfg.Password != "p:w/d" || cfg.Database != "u@x" || cfg.Port != 1 {
		t.Errorf("connConfig = %+v, %v", cfg, err)
	}
}

func TestSplitIdent(t *testing.T) {
	got, err := splitIdent(` App."My ""T"" able" `)
	if err != nil || len(got) != 2 || got[0] != "app" || got[1] != `My "T" able` {
		t.Errorf("splitIdent = %q, %v", got, err)
	}
	cols, err := splitColumns(`a, "B,c" ,D`)
	if err != nil || strings.Join(cols, "|") != "a|B,c|d" {
		t.Errorf("splitColumns = %q, %v", cols, err)
	}
	for _, bad := range []string{"", "a.", `"open`, "a b", "a..b"} {
		if _, err := splitIdent(bad); err == nil {
			t.Errorf("splitIdent(%q) accepted", bad)
		}
	}
}

func validConfig() *firehoseapi.RedshiftDestinationConfiguration {
	return config("jdbc:redshift://c.redshift.amazonaws.com:5439/dev", "public.t", "a,b", "JSON 'auto'")
}

func TestValidate(t *testing.T) {
	if err := Validate(validConfig()); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	cases := map[string]func(c *firehoseapi.RedshiftDestinationConfiguration){
		"ClusterJDBCURL must start": func(c *firehoseapi.RedshiftDestinationConfiguration) { c.ClusterJDBCURL = "https://x" },
		"Compression format Snappy": func(c *firehoseapi.RedshiftDestinationConfiguration) {
			c.S3Configuration.CompressionFormat = ptr("Snappy")
		},
		"Compression format ZIP": func(c *firehoseapi.RedshiftDestinationConfiguration) {
			c.S3Configuration.CompressionFormat = ptr("ZIP")
		},
		"DataTableName is required": func(c *firehoseapi.RedshiftDestinationConfiguration) { c.CopyCommand.DataTableName = " " },
		"DataTableColumns":          func(c *firehoseapi.RedshiftDestinationConfiguration) { c.CopyCommand.DataTableColumns = ptr("a,,b") },
		"JSONPaths files": func(c *firehoseapi.RedshiftDestinationConfiguration) {
			c.CopyCommand.CopyOptions = ptr("json 's3://b/p.json'")
		},
		"Username and Password are": func(c *firehoseapi.RedshiftDestinationConfiguration) { c.Password = nil },
		"must not be given":         secrets("arn:aws:secretsmanager:us-east-1:0:secret:x"),
		"SecretARN is required": func(c *firehoseapi.RedshiftDestinationConfiguration) {
			secrets("")(c)
			c.Username, c.Password = nil, nil
		},
		"between 0 and 7200": func(c *firehoseapi.RedshiftDestinationConfiguration) {
			c.RetryOptions = &firehoseapi.RedshiftRetryOptions{DurationInSeconds: ptr(int64(7201))}
		},
		"S3BackupMode must be":        func(c *firehoseapi.RedshiftDestinationConfiguration) { c.S3BackupMode = ptr("AllData") },
		"S3BackupConfiguration is re": func(c *firehoseapi.RedshiftDestinationConfiguration) { c.S3BackupMode = ptr("Enabled") },
	}
	for want, mutate := range cases {
		c := validConfig()
		mutate(c)
		err := Validate(c)
		ae, ok := awserr.As(err)
		if !ok || ae.Code != "InvalidArgumentException" || !strings.Contains(ae.Message, want) {
			t.Errorf("%s: err = %v", want, err)
		}
		if _, nerr := New(c, Options{}); nerr == nil {
			t.Errorf("%s: New accepted it", want)
		}
	}
	// Secrets Manager instead of a password; GZIP; a retry window of 0.
	c := validConfig()
	secrets("arn:aws:secretsmanager:us-east-1:0:secret:x")(c)
	c.Username, c.Password = nil, nil
	c.S3Configuration.CompressionFormat = ptr("GZIP")
	c.RetryOptions = &firehoseapi.RedshiftRetryOptions{DurationInSeconds: ptr(int64(0))}
	if err := Validate(c); err != nil {
		t.Errorf("secrets config: %v", err)
	}
}

func secrets(arn string) func(c *firehoseapi.RedshiftDestinationConfiguration) {
	return func(c *firehoseapi.RedshiftDestinationConfiguration) {
		c.SecretsManagerConfiguration = &firehoseapi.SecretsManagerConfiguration{Enabled: true}
		if arn != "" {
			c.SecretsManagerConfiguration.SecretARN = ptr(arn)
		}
	}
}

func TestApplyUpdateMergesOnlyGivenFields(t *testing.T) {
	c := validConfig()
	c.S3Configuration.Prefix = ptr("p/")
	c.S3Configuration.BufferingHints = &firehoseapi.BufferingHints{SizeInMBs: ptr(int64(5)), IntervalInSeconds: ptr(int64(300))}
	ApplyUpdate(c, &firehoseapi.RedshiftDestinationUpdate{
		Password:       ptr("new"),
		CopyCommand:    &firehoseapi.CopyCommand{DataTableName: "u"},
		S3Update:       &firehoseapi.S3DestinationUpdate{BufferingHints: &firehoseapi.BufferingHints{IntervalInSeconds: ptr(int64(60))}},
		RetryOptions:   &firehoseapi.RedshiftRetryOptions{DurationInSeconds: ptr(int64(10))},
		S3BackupUpdate: &firehoseapi.S3DestinationUpdate{BucketARN: ptr("arn:aws:s3:::backup")},
	})
	switch {
	case *c.Password != "new" || *c.Username != "postgres":
		t.Errorf("credentials = %v/%v", *c.Username, *c.Password)
	case c.CopyCommand.DataTableName != "u" || c.CopyCommand.CopyOptions != nil:
		t.Errorf("CopyCommand = %+v (replaced as a whole)", c.CopyCommand)
	case *c.S3Configuration.BufferingHints.SizeInMBs != 5 || *c.S3Configuration.BufferingHints.IntervalInSeconds != 60:
		t.Errorf("hints = %+v", c.S3Configuration.BufferingHints)
	case *c.S3Configuration.Prefix != "p/" || c.S3Configuration.BucketARN != "arn:aws:s3:::b":
		t.Errorf("S3 = %+v", c.S3Configuration)
	case *c.RetryOptions.DurationInSeconds != 10 || c.ClusterJDBCURL != validConfig().ClusterJDBCURL:
		t.Errorf("retry/url changed wrongly")
	case c.S3BackupConfiguration == nil || c.S3BackupConfiguration.BucketARN != "arn:aws:s3:::backup":
		t.Errorf("backup = %+v", c.S3BackupConfiguration)
	}
	ApplyUpdate(c, nil)
	if err := Validate(c); err != nil {
		t.Errorf("updated config invalid: %v", err)
	}
}

func TestCopyLine(t *testing.T) {
	for where, want := range map[string]int{
		`COPY events, line 12, column id: "x"`: 12,
		`COPY "a, b", line 3: "..."`:           3,
		"SQL statement\nCOPY t, line 7":        7,
		"":                                     0,
	} {
		if got := copyLine(where); got != want {
			t.Errorf("copyLine(%q) = %d, want %d", where, got, want)
		}
	}
}
