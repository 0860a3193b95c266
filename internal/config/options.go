package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Help sections, in the order Usage prints them.
const (
	sectionServer        = "Server Options"
	sectionStorage       = "Storage Options"
	sectionCompatibility = "Compatibility Options"
	sectionSecurity      = "Security Options"
	sectionLogging       = "Logging Options"
	sectionFirehose      = "Firehose Options"
)

var sections = []string{
	sectionServer,
	sectionStorage,
	sectionCompatibility,
	sectionFirehose,
	sectionSecurity,
	sectionLogging,
}

// option is one setting. Its name is the flag (--data-dir); the
// environment variable (FRESHET_DATA_DIR) and the YAML key (data_dir) are
// derived from it.
type option struct {
	name    string
	section string
	arg     string   // placeholder in the help; empty for booleans
	usage   string   // one line of help, without default or env
	choices []string // allowed values, if the option is an enumeration
	field   func(*Config) any
	envOnly bool // no flag and no YAML key: read from the environment only
	noFile  bool // not accepted in the YAML file
	secret  bool // masked by Redacted
}

// options is the single source of truth for flags, environment, the YAML
// file, Usage and Redacted.
var options = []option{
	{
		name: "s3-endpoint", section: sectionFirehose, arg: "<url>",
		usage: "S3-compatible server Firehose delivers to (default: Freshet's own S3)",
		field: func(c *Config) any { return &c.S3Endpoint },
	},
	{
		name: "s3-access-key", section: sectionFirehose, arg: "<key>",
		usage: "Access key for --s3-endpoint",
		field: func(c *Config) any { return &c.S3AccessKey },
	},
	{
		name: "s3-secret-key", section: sectionFirehose, arg: "<secret>",
		usage: "Secret key for --s3-endpoint",
		field: func(c *Config) any { return &c.S3SecretKey }, secret: true,
	},
	{
		name: "lambda-endpoint", section: sectionFirehose, arg: "<url>",
		usage: "Lambda Invoke API that Firehose transforms call",
		field: func(c *Config) any { return &c.LambdaEndpoint },
	},
	{
		name: "glue-endpoint", section: sectionFirehose, arg: "<url>",
		usage: "Glue Data Catalog that conversion schemas are read from (default: Freshet's own)",
		field: func(c *Config) any { return &c.GlueEndpoint },
	},
	{
		name: "delivery-stream-limit", section: sectionFirehose, arg: "<n>",
		usage: "Delivery streams per account and region",
		field: func(c *Config) any { return &c.DeliveryStreamLimit },
	},
	{
		name: "listen", section: sectionServer, arg: "<addr>",
		usage: "Address to serve the AWS APIs on",
		field: func(c *Config) any { return &c.Listen },
	},
	{
		name: "config", section: sectionServer, arg: "<file>",
		usage: "YAML file with settings, keys like data_dir",
		field: func(c *Config) any { return &c.ConfigFile }, noFile: true,
	},
	{
		name: "shutdown-timeout", section: sectionServer, arg: "<dur>",
		usage: "How long a graceful shutdown may take",
		field: func(c *Config) any { return &c.ShutdownTimeout },
	},
	{
		name: "tls-cert", section: sectionServer, arg: "<file>",
		usage: "PEM certificate for HTTPS on the listen port (default: self-signed, kept in the data dir)",
		field: func(c *Config) any { return &c.TLSCert },
	},
	{
		name: "tls-key", section: sectionServer, arg: "<file>",
		usage: "PEM private key of --tls-cert",
		field: func(c *Config) any { return &c.TLSKey },
	},
	{
		name: "master-key-file", section: sectionSecurity, arg: "<file>",
		usage: "Key that encryption at rest derives from: 32 bytes, raw or hex (default: generated into the data dir)",
		field: func(c *Config) any { return &c.MasterKeyFile },
	},
	{
		name: "data-dir", section: sectionStorage, arg: "<dir>",
		usage: "Directory the streams are stored in",
		field: func(c *Config) any { return &c.DataDir },
	},
	{
		name: "memory", section: sectionStorage,
		usage: "Keep everything in memory, nothing on disk",
		field: func(c *Config) any { return &c.Memory },
	},
	{
		name: "fsync", section: sectionStorage, arg: "<mode>",
		usage:   "When writes reach the disk: always, interval or never",
		choices: []string{FsyncAlways, FsyncInterval, FsyncNever},
		field:   func(c *Config) any { return &c.Fsync },
	},
	{
		name: "fsync-interval", section: sectionStorage, arg: "<dur>",
		usage: "Sync period with --fsync interval",
		field: func(c *Config) any { return &c.FsyncInterval },
	},
	{
		name: "region", section: sectionCompatibility, arg: "<region>",
		usage: "AWS region reported in ARNs",
		field: func(c *Config) any { return &c.Region },
	},
	{
		name: "account-id", section: sectionCompatibility, arg: "<id>",
		usage: "12-digit AWS account id reported in ARNs",
		field: func(c *Config) any { return &c.AccountID },
	},
	{
		name: "state-delay", section: sectionCompatibility, arg: "<dur>",
		usage: "How long CREATING/UPDATING/DELETING last; 0 = immediate",
		field: func(c *Config) any { return &c.StateDelay },
	},
	{
		name: "shard-limit", section: sectionCompatibility, arg: "<n>",
		usage: "Account shard limit",
		field: func(c *Config) any { return &c.ShardLimit },
	},
	{
		name: "allow-reset", section: sectionCompatibility,
		usage: "Serve POST /_freshet/reset (and moto's /moto-api/reset), which deletes all state: for test suites",
		field: func(c *Config) any { return &c.AllowReset },
	},
	{
		name: "subscription-lifetime", section: sectionCompatibility, arg: "<dur>",
		usage: "How long a SubscribeToShard lasts; AWS's is 5m (shorten it in tests)",
		field: func(c *Config) any { return &c.SubscriptionLifetime },
	},
	{
		name: "enforce-throughput", section: sectionCompatibility,
		usage: "Enforce per-shard limits: writes 1 MiB/s or 1,000 records/s, reads 2 MiB/s and 5 calls/s",
		field: func(c *Config) any { return &c.EnforceThroughput },
	},
	{
		name: "fault-throttle-probability", section: sectionCompatibility, arg: "<p>",
		usage: "Fail this share (0 to 1) of records and calls with ProvisionedThroughputExceededException",
		field: func(c *Config) any { return &c.FaultThrottleProbability },
	},
	{
		name: "auth", section: sectionSecurity, arg: "<mode>",
		usage:   "Request signature checking: off or strict",
		choices: []string{AuthOff, AuthStrict},
		field:   func(c *Config) any { return &c.Auth },
	},
	{
		name: "credentials", section: sectionSecurity, arg: "<file>",
		usage: "Credentials file used by --auth strict",
		field: func(c *Config) any { return &c.Credentials },
	},
	{
		name: "access-key-id", section: sectionSecurity,
		usage: "Access key id accepted by --auth strict",
		field: func(c *Config) any { return &c.AccessKeyID }, envOnly: true,
	},
	{
		name: "secret-access-key", section: sectionSecurity,
		usage: "Secret key for FRESHET_ACCESS_KEY_ID",
		field: func(c *Config) any { return &c.SecretAccessKey }, envOnly: true, secret: true,
	},
	{
		name: "log-level", section: sectionLogging, arg: "<level>",
		usage:   "Log level: debug, info, warn or error",
		choices: []string{"debug", "info", "warn", "error"},
		field:   func(c *Config) any { return &c.LogLevel },
	},
	{
		name: "log-format", section: sectionLogging, arg: "<format>",
		usage:   "Log format: text or json",
		choices: []string{"text", "json"},
		field:   func(c *Config) any { return &c.LogFormat },
	},
	{
		name: "pprof", section: sectionLogging,
		usage: "Serve Go's profiler under /debug/pprof/ on the listen address",
		field: func(c *Config) any { return &c.Pprof },
	},
}

// envName is the environment variable of the option called name.
func envName(name string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// env is the option's environment variable.
func (o *option) env() string { return envName(o.name) }

// key is the option's YAML key and Redacted key.
func (o *option) key() string { return strings.ReplaceAll(o.name, "-", "_") }

// inFile reports whether the option may appear in the YAML file.
func (o *option) inFile() bool { return !o.envOnly && !o.noFile }

// isBool reports whether the option is a boolean switch.
func (o *option) isBool() bool {
	_, ok := o.field(&Config{}).(*bool)
	return ok
}

// set parses raw into the option's field of c.
func (o *option) set(c *Config, raw string) error {
	if err := o.checkChoice(raw); err != nil {
		return err
	}
	switch p := o.field(c).(type) {
	case *string:
		*p = raw
	case *bool:
		b, err := parseBool(raw)
		if err != nil {
			return err
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("invalid integer %q", raw)
		}
		*p = n
	case *float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return fmt.Errorf("invalid number %q", raw)
		}
		*p = f
	case *time.Duration:
		d, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("invalid duration %q (use Go syntax like 500ms, 10s or 0)", raw)
		}
		*p = d
	default:
		panic(fmt.Sprintf("config: option %s has unsupported type %T", o.name, p))
	}
	return nil
}

// format renders the option's field of c the way set accepts it back.
func (o *option) format(c *Config) string {
	switch p := o.field(c).(type) {
	case *string:
		return *p
	case *bool:
		return strconv.FormatBool(*p)
	case *int:
		return strconv.Itoa(*p)
	case *float64:
		return strconv.FormatFloat(*p, 'g', -1, 64)
	case *time.Duration:
		return p.String()
	default:
		panic(fmt.Sprintf("config: option %s has unsupported type %T", o.name, p))
	}
}

// checkChoice rejects a value outside the option's enumeration.
func (o *option) checkChoice(v string) error {
	if len(o.choices) == 0 {
		return nil
	}
	for _, c := range o.choices {
		if v == c {
			return nil
		}
	}
	return fmt.Errorf("must be %s, got %q", joinOr(o.choices), v)
}

// parseBool accepts true, false, 1 and 0 (any case).
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q (use true, false, 1 or 0)", s)
}

// joinOr renders a list as "a, b or c".
func joinOr(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// flagValue adapts an option to flag.Value. It parses into a scratch
// Config, so a bad value fails while parsing with the flag's name, and
// records the raw text for Load to apply above the other layers.
type flagValue struct {
	opt  *option
	cfg  *Config
	seen map[string]string
}

func (v *flagValue) String() string {
	if v == nil || v.opt == nil || v.cfg == nil {
		return ""
	}
	return v.opt.format(v.cfg)
}

func (v *flagValue) Set(raw string) error {
	if err := v.opt.set(v.cfg, raw); err != nil {
		return err
	}
	v.seen[v.opt.name] = raw
	return nil
}

// IsBoolFlag lets `--memory` stand alone, as the flag package expects.
func (v *flagValue) IsBoolFlag() bool { return v.opt.isBool() }
