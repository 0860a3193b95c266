package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env returns a getenv backed by m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes a YAML file into a temporary directory and returns its path.
func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "freshet.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaults(t *testing.T) {
	cfg, err := Load(nil, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Listen:          "127.0.0.1:4567",
		DataDir:         "./freshet-data",
		Region:          "us-east-1",
		AccountID:       "000000000000",
		StateDelay:      500 * time.Millisecond,
		Fsync:           "always",
		FsyncInterval:   100 * time.Millisecond,
		ShardLimit:      500,
		Auth:            "off",
		LogLevel:        "info",
		LogFormat:       "text",
		ShutdownTimeout: 10 * time.Second,

		SubscriptionLifetime: 5 * time.Minute,
		DeliveryStreamLimit:  50,
	}
	if cfg != want {
		t.Errorf("Load(nil) = %+v\nwant %+v", cfg, want)
	}
	if cfg != Default() {
		t.Errorf("Load(nil) differs from Default()")
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

// TestPrecedence checks that each layer overrides the one below it for a
// string, a duration, a bool and an int.
func TestPrecedence(t *testing.T) {
	type layers struct {
		file string // YAML value, "" = not in file
		env  string // env value, "" = unset
		flag string // flag value, "" = not given
	}
	tests := []struct {
		name   string
		option string
		layers layers
		get    func(Config) any
		want   any
	}{
		{"string default", "data-dir", layers{}, func(c Config) any { return c.DataDir }, "./freshet-data"},
		{"string file", "data-dir", layers{file: "/file"}, func(c Config) any { return c.DataDir }, "/file"},
		{"string env over file", "data-dir", layers{file: "/file", env: "/env"}, func(c Config) any { return c.DataDir }, "/env"},
		{"string flag over env", "data-dir", layers{file: "/file", env: "/env", flag: "/flag"}, func(c Config) any { return c.DataDir }, "/flag"},

		{"duration default", "state-delay", layers{}, func(c Config) any { return c.StateDelay }, 500 * time.Millisecond},
		{"duration file", "state-delay", layers{file: "2s"}, func(c Config) any { return c.StateDelay }, 2 * time.Second},
		{"duration env over file", "state-delay", layers{file: "2s", env: "0"}, func(c Config) any { return c.StateDelay }, time.Duration(0)},
		{"duration flag over env", "state-delay", layers{file: "2s", env: "0", flag: "750ms"}, func(c Config) any { return c.StateDelay }, 750 * time.Millisecond},

		{"bool default", "memory", layers{}, func(c Config) any { return c.Memory }, false},
		{"bool file", "memory", layers{file: "true"}, func(c Config) any { return c.Memory }, true},
		{"bool env over file", "memory", layers{file: "true", env: "0"}, func(c Config) any { return c.Memory }, false},
		{"bool flag over env", "memory", layers{file: "false", env: "false", flag: "1"}, func(c Config) any { return c.Memory }, true},

		{"int default", "shard-limit", layers{}, func(c Config) any { return c.ShardLimit }, 500},
		{"int file", "shard-limit", layers{file: "20"}, func(c Config) any { return c.ShardLimit }, 20},
		{"int env over file", "shard-limit", layers{file: "20", env: "30"}, func(c Config) any { return c.ShardLimit }, 30},
		{"int flag over env", "shard-limit", layers{file: "20", env: "30", flag: "40"}, func(c Config) any { return c.ShardLimit }, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := strings.ReplaceAll(tt.option, "-", "_")
			body := "# settings\nregion: eu-west-1\n"
			if tt.layers.file != "" {
				body += key + ": " + tt.layers.file + "\n"
			}
			vars := map[string]string{"FRESHET_CONFIG": writeFile(t, body)}
			if tt.layers.env != "" {
				vars[envName(tt.option)] = tt.layers.env
			}
			var args []string
			if tt.layers.flag != "" {
				args = append(args, "--"+tt.option+"="+tt.layers.flag)
			}
			cfg, err := Load(args, env(vars))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := tt.get(cfg); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.option, got, tt.want)
			}
			if cfg.Region != "eu-west-1" {
				t.Errorf("Region = %q, want eu-west-1 from the file", cfg.Region)
			}
		})
	}
}

func TestConfigFileFlagOverEnv(t *testing.T) {
	fromEnv := writeFile(t, "region: env-file-1\n")
	fromFlag := writeFile(t, "region: flag-file-1\n")
	cfg, err := Load([]string{"--config", fromFlag}, env(map[string]string{"FRESHET_CONFIG": fromEnv}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Region != "flag-file-1" || cfg.ConfigFile != fromFlag {
		t.Errorf("Region = %q, ConfigFile = %q; want the --config file to win", cfg.Region, cfg.ConfigFile)
	}
}

func TestLoadForms(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		vars  map[string]string
		check func(Config) bool
	}{
		{"bare bool flag", []string{"--memory"}, nil, func(c Config) bool { return c.Memory }},
		{"single dash flag", []string{"-listen", ":0"}, nil, func(c Config) bool { return c.Listen == ":0" }},
		{"last flag wins", []string{"--region", "a-1", "--region", "b-2"}, nil, func(c Config) bool { return c.Region == "b-2" }},
		{"bool flag false", []string{"--memory=false"}, map[string]string{"FRESHET_MEMORY": "true"}, func(c Config) bool { return !c.Memory }},
		{"bool env TRUE", nil, map[string]string{"FRESHET_MEMORY": "TRUE"}, func(c Config) bool { return c.Memory }},
		{"fsync interval", []string{"--fsync", "interval", "--fsync-interval", "1s"}, nil, func(c Config) bool {
			return c.Fsync == FsyncInterval && c.FsyncInterval == time.Second
		}},
		{"strict with env keys", []string{"--auth", "strict"}, map[string]string{
			"FRESHET_ACCESS_KEY_ID": "AKID", "FRESHET_SECRET_ACCESS_KEY": "shh",
		}, func(c Config) bool { return c.AccessKeyID == "AKID" && c.SecretAccessKey == "shh" }},
		{"strict with file", []string{"--auth", "strict", "--credentials", "/etc/creds"}, nil, func(c Config) bool {
			return c.Credentials == "/etc/creds"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(tt.args, env(tt.vars))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !tt.check(cfg) {
				t.Errorf("unexpected config %+v", cfg)
			}
		})
	}
}

func TestYAMLKeepsScalarText(t *testing.T) {
	path := writeFile(t, "account_id: 012345678901\nstate_delay: 0\nmemory: 1\ncredentials: \"\"\n")
	cfg, err := Load(nil, env(map[string]string{"FRESHET_CONFIG": path}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.AccountID != "012345678901" || cfg.StateDelay != 0 || !cfg.Memory {
		t.Errorf("unexpected config %+v", cfg)
	}
}

func TestEmptyYAML(t *testing.T) {
	for _, body := range []string{"", "# nothing\n", "~\n"} {
		if _, err := Load([]string{"--config", writeFile(t, body)}, nil); err != nil {
			t.Errorf("Load with file %q: %v", body, err)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		vars map[string]string
		file string   // YAML body; loaded when non-empty
		want []string // substrings of the error
	}{
		{"fsync flag", []string{"--fsync", "sometimes"}, nil, "", []string{"fsync", "must be always, interval or never", "sometimes"}},
		{"fsync env", nil, map[string]string{"FRESHET_FSYNC": "sometimes"}, "", []string{"FRESHET_FSYNC", "must be always, interval or never"}},
		{"fsync file", nil, nil, "fsync: sometimes\n", []string{"fsync", "must be always, interval or never"}},
		{"account id short", []string{"--account-id", "123"}, nil, "", []string{"--account-id must be 12 digits", `"123"`}},
		{"account id letters", nil, map[string]string{"FRESHET_ACCOUNT_ID": "12345678901x"}, "", []string{"--account-id must be 12 digits"}},
		{"negative shard limit", []string{"--shard-limit", "-1"}, nil, "", []string{"--shard-limit must be at least 1", "-1"}},
		{"shard limit not int", []string{"--shard-limit", "many"}, nil, "", []string{"shard-limit", "invalid integer"}},
		{"bad duration", nil, map[string]string{"FRESHET_STATE_DELAY": "soon"}, "", []string{"FRESHET_STATE_DELAY", "invalid duration"}},
		{"negative duration", []string{"--state-delay", "-1s"}, nil, "", []string{"--state-delay must not be negative"}},
		{"bad bool", nil, map[string]string{"FRESHET_MEMORY": "yes"}, "", []string{"FRESHET_MEMORY", "invalid boolean"}},
		{"unknown flag", []string{"--nope"}, nil, "", []string{"nope"}},
		{"stray argument", []string{"extra"}, nil, "", []string{`unexpected argument "extra"`}},
		{"bool flag with separate value", []string{"--memory", "false"}, nil, "", []string{`unexpected argument "false"`, "--memory=false"}},
		{"unknown yaml key", nil, nil, "region: us-east-1\nbogus_key: 1\n", []string{`unknown key "bogus_key"`, "line 2"}},
		{"dashed yaml key", nil, nil, "data-dir: /x\n", []string{`unknown key "data-dir"`, `did you mean "data_dir"`}},
		{"config key in yaml", nil, nil, "config: other.yaml\n", []string{`key "config" is not allowed`}},
		{"secret in yaml", nil, nil, "secret_access_key: x\n", []string{`key "secret_access_key" is not allowed`, "FRESHET_SECRET_ACCESS_KEY"}},
		{"yaml list value", nil, nil, "region: [a, b]\n", []string{"region must have a single value"}},
		{"yaml duplicate", nil, nil, "region: a-1\nregion: b-2\n", []string{`key "region" set twice`}},
		{"yaml not mapping", nil, nil, "- a\n- b\n", []string{"top level must be a mapping"}},
		{"yaml bad bool", nil, nil, "memory: yes\n", []string{"memory", "invalid boolean"}},
		{"missing file", []string{"--config", "/nonexistent/freshet.yaml"}, nil, "", []string{"/nonexistent/freshet.yaml"}},
		{"strict without credentials", []string{"--auth", "strict"}, nil, "", []string{"--auth strict needs --credentials"}},
		{"half key pair", nil, map[string]string{"FRESHET_ACCESS_KEY_ID": "AKID"}, "", []string{"must be set together"}},
		{"interval zero", []string{"--fsync", "interval", "--fsync-interval", "0"}, nil, "", []string{"--fsync-interval must be positive"}},
		{"bad listen", []string{"--listen", "localhost"}, nil, "", []string{"--listen must be host:port"}},
		{"bad log level", []string{"--log-level", "trace"}, nil, "", []string{"log-level", "debug, info, warn or error"}},
		{"bad region", []string{"--region", "US East"}, nil, "", []string{"--region"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{}
			for k, v := range tt.vars {
				vars[k] = v
			}
			if tt.file != "" {
				vars["FRESHET_CONFIG"] = writeFile(t, tt.file)
			}
			_, err := Load(tt.args, env(vars))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: ") {
				t.Errorf("error %q does not start with %q", msg, "config: ")
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // prefix of the error; "" = valid
	}{
		{"default", func(*Config) {}, ""},
		{"memory without data dir", func(c *Config) { c.Memory, c.DataDir = true, "" }, ""},
		{"data dir empty", func(c *Config) { c.DataDir = "" }, "config: --data-dir must not be empty"},
		{"fsync", func(c *Config) { c.Fsync = "sometimes" }, "config: --fsync must be always, interval or never"},
		{"auth", func(c *Config) { c.Auth = "maybe" }, "config: --auth must be off or strict"},
		{"log format", func(c *Config) { c.LogFormat = "xml" }, "config: --log-format must be text or json"},
		{"account id", func(c *Config) { c.AccountID = "1234567890123" }, "config: --account-id must be 12 digits"},
		{"shard limit zero", func(c *Config) { c.ShardLimit = 0 }, "config: --shard-limit must be at least 1"},
		{"shard limit negative", func(c *Config) { c.ShardLimit = -5 }, "config: --shard-limit must be at least 1"},
		{"state delay zero", func(c *Config) { c.StateDelay = 0 }, ""},
		{"shutdown negative", func(c *Config) { c.ShutdownTimeout = -time.Second }, "config: --shutdown-timeout must not be negative"},
		{"random port", func(c *Config) { c.Listen = ":0" }, ""},
		{"empty listen", func(c *Config) { c.Listen = "" }, "config: --listen must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.modify(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want %q...", err, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		_, err := Load([]string{"--region", "eu-west-1", arg}, nil)
		if err != flag.ErrHelp {
			t.Errorf("Load(%s) error = %v, want flag.ErrHelp", arg, err)
		}
	}
}

func TestUsage(t *testing.T) {
	var buf bytes.Buffer
	Usage(&buf)
	help := buf.String()

	for _, want := range []string{
		"Usage: freshet [command] [options]",
		"Commands:", "serve", "bench", "version",
		"Server Options:", "Storage Options:", "Compatibility Options:",
		"Security Options:", "Logging Options:", "Common Options:",
		"-h, --help",
		"(default: 127.0.0.1:4567; env FRESHET_LISTEN)",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("Usage lacks %q", want)
		}
	}
	for _, o := range options {
		line := lineWith(help, o.left())
		if line == "" {
			t.Errorf("Usage has no line for option %s (%s)", o.name, o.left())
			continue
		}
		if !o.envOnly && !strings.Contains(line, o.env()) {
			t.Errorf("Usage line for --%s does not name %s: %q", o.name, o.env(), line)
		}
		for _, c := range o.choices {
			if !strings.Contains(line, c) {
				t.Errorf("Usage line for --%s does not mention choice %q: %q", o.name, c, line)
			}
		}
		if got := sectionOf(help, o.left()); got != o.section {
			t.Errorf("option %s is listed under %q, want %q", o.name, got, o.section)
		}
	}
}

// sectionOf returns the heading of the help section listing left.
func sectionOf(help, left string) string {
	section := ""
	for _, line := range strings.Split(help, "\n") {
		if strings.HasSuffix(line, "Options:") {
			section = strings.TrimSuffix(line, ":")
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), left+"  ") {
			return section
		}
	}
	return ""
}

// lineWith returns the help line whose option column is exactly left.
func lineWith(help, left string) string {
	for _, line := range strings.Split(help, "\n") {
		fields := strings.TrimSpace(line)
		if strings.HasPrefix(fields, left+"  ") {
			return line
		}
	}
	return ""
}

func TestTable(t *testing.T) {
	names := map[string]bool{}
	def := Default()
	for _, o := range options {
		if names[o.name] {
			t.Errorf("option %s listed twice", o.name)
		}
		names[o.name] = true
		if o.usage == "" || o.section == "" {
			t.Errorf("option %s lacks usage or section", o.name)
		}
		if !o.envOnly && (o.arg == "") != o.isBool() {
			t.Errorf("option %s: placeholder %q does not match its type", o.name, o.arg)
		}
		// Formatting a default and setting it back is the identity.
		c := Config{}
		if err := o.set(&c, o.format(&def)); err != nil {
			t.Errorf("option %s: default does not round-trip: %v", o.name, err)
		}
		if o.format(&c) != o.format(&def) {
			t.Errorf("option %s: round-trip gives %q, want %q", o.name, o.format(&c), o.format(&def))
		}
	}
}

func TestRedacted(t *testing.T) {
	c := Default()
	c.AccessKeyID = "AKID"
	c.SecretAccessKey = "very-secret"
	c.StateDelay = 0
	r := c.Redacted()
	want := map[string]string{
		"listen":            "127.0.0.1:4567",
		"data_dir":          "./freshet-data",
		"memory":            "false",
		"state_delay":       "0s",
		"shard_limit":       "500",
		"access_key_id":     "AKID",
		"secret_access_key": "****",
		"credentials":       "",
	}
	for k, v := range want {
		if got, ok := r[k]; !ok || got != v {
			t.Errorf("Redacted()[%q] = %q (present %v), want %q", k, got, ok, v)
		}
	}
	if len(r) != len(options) {
		t.Errorf("Redacted() has %d keys, want %d", len(r), len(options))
	}
	for k, v := range r {
		if strings.Contains(v, "very-secret") {
			t.Errorf("Redacted()[%q] leaks the secret", k)
		}
	}
	if got := Default().Redacted()["secret_access_key"]; got != "" {
		t.Errorf("unset secret rendered as %q, want empty", got)
	}
}

func TestNewLogger(t *testing.T) {
	tests := []struct {
		level       string
		debug, info bool
		warn, error bool
	}{
		{"debug", true, true, true, true},
		{"info", false, true, true, true},
		{"warn", false, false, true, true},
		{"error", false, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := NewLogger(&buf, tt.level, "json")
			if err != nil {
				t.Fatalf("NewLogger: %v", err)
			}
			log.Debug("d")
			log.Info("i")
			log.Warn("w")
			log.Error("e")
			got := map[string]bool{}
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if line == "" {
					continue
				}
				var rec struct{ Msg string }
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("line %q is not JSON: %v", line, err)
				}
				got[rec.Msg] = true
			}
			want := map[string]bool{"d": tt.debug, "i": tt.info, "w": tt.warn, "e": tt.error}
			for msg, w := range want {
				if got[msg] != w {
					t.Errorf("message %q logged = %v, want %v", msg, got[msg], w)
				}
			}
		})
	}
}

func TestNewLoggerText(t *testing.T) {
	var buf bytes.Buffer
	log, err := NewLogger(&buf, "info", "text")
	if err != nil {
		t.Fatalf("NewLogger: %v", err)
	}
	log.Info("hello", "k", "v")
	if out := buf.String(); !strings.Contains(out, "msg=hello") || !strings.Contains(out, "k=v") {
		t.Errorf("text output = %q", out)
	}
}

func TestNewLoggerErrors(t *testing.T) {
	tests := []struct{ level, format, want string }{
		{"trace", "text", "log level"},
		{"info", "xml", "log format"},
		{"INFO", "text", "log level"},
	}
	for _, tt := range tests {
		_, err := NewLogger(&bytes.Buffer{}, tt.level, tt.format)
		if err == nil || !strings.HasPrefix(err.Error(), "config: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewLogger(%q, %q) error = %v, want config: ...%s", tt.level, tt.format, err, tt.want)
		}
	}
}
