package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// EnvPrefix starts the name of every environment variable Freshet reads:
// --data-dir is FRESHET_DATA_DIR.
const EnvPrefix = "FRESHET_"

// Config is the effective configuration of `freshet serve`.
type Config struct {
	Listen        string        // --listen: address to serve the AWS APIs on
	DataDir       string        // --data-dir: where streams are stored
	Memory        bool          // --memory: keep nothing on disk
	Region        string        // --region: region reported in ARNs
	AccountID     string        // --account-id: 12-digit account reported in ARNs
	StateDelay    time.Duration // --state-delay: how long CREATING/UPDATING/DELETING last; 0 = immediate
	Fsync         string        // --fsync: always | interval | never
	FsyncInterval time.Duration // --fsync-interval: sync period with --fsync interval
	ShardLimit    int           // --shard-limit: account shard limit
	Auth          string        // --auth: off | strict
	Credentials   string        // --credentials: credentials file used by --auth strict
	TLSCert       string        // --tls-cert: PEM certificate for HTTPS on the listen port
	TLSKey        string        // --tls-key: its PEM private key
	MasterKeyFile string        // --master-key-file: 32-byte key (raw or 64 hex digits) that stream encryption keys derive from
	LogLevel      string        // --log-level: debug | info | warn | error
	LogFormat     string        // --log-format: text | json
	Pprof         bool          // --pprof: serve /debug/pprof/

	AllowReset               bool          // --allow-reset: POST /_freshet/reset deletes all state
	SubscriptionLifetime     time.Duration // --subscription-lifetime: SubscribeToShard's lifetime
	EnforceThroughput        bool          // --enforce-throughput: per-shard write and read limits
	FaultThrottleProbability float64       // --fault-throttle-probability: random throttling, 0 to 1
	ConfigFile               string        // --config: optional YAML file the settings were read from
	S3Endpoint               string        // --s3-endpoint: where Firehose writes S3 objects; "" = Freshet itself
	S3AccessKey              string        // --s3-access-key
	S3SecretKey              string        // --s3-secret-key
	LambdaEndpoint           string        // --lambda-endpoint: Lambda Invoke API for Firehose transforms
	GlueEndpoint             string        // --glue-endpoint: Glue API for conversion schemas; "" = Freshet itself
	DeliveryStreamLimit      int           // --delivery-stream-limit: Firehose streams per account and region
	// ShutdownTimeout is how long a graceful shutdown may take (--shutdown-timeout).
	ShutdownTimeout time.Duration

	// AccessKeyID and SecretAccessKey are a key pair accepted by --auth
	// strict in addition to those in Credentials. They come only from
	// FRESHET_ACCESS_KEY_ID and FRESHET_SECRET_ACCESS_KEY, never from a flag
	// (visible in ps) or the YAML file; Redacted masks the secret.
	AccessKeyID     string
	SecretAccessKey string
}

// Fsync modes.
const (
	FsyncAlways   = "always"
	FsyncInterval = "interval"
	FsyncNever    = "never"
)

// Auth modes.
const (
	AuthOff    = "off"
	AuthStrict = "strict"
)

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Listen:               "127.0.0.1:4567",
		DataDir:              "./freshet-data",
		Region:               "us-east-1",
		AccountID:            "000000000000",
		StateDelay:           500 * time.Millisecond,
		Fsync:                FsyncAlways,
		FsyncInterval:        100 * time.Millisecond,
		ShardLimit:           500,
		Auth:                 AuthOff,
		LogLevel:             "info",
		LogFormat:            "text",
		ShutdownTimeout:      10 * time.Second,
		SubscriptionLifetime: 5 * time.Minute,
		DeliveryStreamLimit:  50,
	}
}

// Load builds the configuration of `freshet serve` from args (without the
// program name and subcommand), the environment read through getenv (nil
// means an empty environment) and the YAML file named by --config or
// FRESHET_CONFIG. Precedence is flag > environment > file > default; an
// empty environment variable counts as unset. The result is validated.
//
// -h or --help returns flag.ErrHelp itself: the caller prints Usage and
// exits 0.
func Load(args []string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	flags, err := parseFlags(args)
	if err != nil {
		return Config{}, err
	}

	cfg := Default()
	path, ok := flags["config"]
	if !ok {
		path = getenv(envName("config"))
	}
	if path != "" {
		if err := loadFile(&cfg, path); err != nil {
			return Config{}, err
		}
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return Config{}, err
	}
	for i := range options {
		o := &options[i]
		raw, ok := flags[o.name]
		if !ok {
			continue
		}
		// Already checked while parsing; cannot fail here.
		if err := o.set(&cfg, raw); err != nil {
			return Config{}, fmt.Errorf("config: --%s: %w", o.name, err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// parseFlags parses args with the serve FlagSet and returns the raw value
// of every flag given, keyed by option name (the last occurrence wins).
func parseFlags(args []string) (map[string]string, error) {
	seen := make(map[string]string)
	scratch := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for i := range options {
		o := &options[i]
		if o.envOnly {
			continue
		}
		fs.Var(&flagValue{opt: o, cfg: &scratch, seen: seen}, o.name, o.usage)
	}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, flag.ErrHelp
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if fs.NArg() > 0 {
		if _, err := parseBool(fs.Arg(0)); err == nil {
			return nil, fmt.Errorf("config: unexpected argument %q (write a boolean flag as --memory=%s)", fs.Arg(0), fs.Arg(0))
		}
		return nil, fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}
	return seen, nil
}

// applyEnv sets every option whose FRESHET_* variable is non-empty.
func applyEnv(cfg *Config, getenv func(string) string) error {
	for i := range options {
		o := &options[i]
		name := envName(o.name)
		raw := getenv(name)
		if raw == "" {
			continue
		}
		if err := o.set(cfg, raw); err != nil {
			return fmt.Errorf("config: env %s: %w", name, err)
		}
	}
	return nil
}

// Validate reports the first setting that is out of range or inconsistent.
func (c Config) Validate() error {
	for i := range options {
		o := &options[i]
		if len(o.choices) == 0 {
			continue
		}
		if err := o.checkChoice(o.format(&c)); err != nil {
			return fmt.Errorf("config: --%s %w", o.name, err)
		}
	}
	if c.Listen == "" {
		return errors.New("config: --listen must not be empty")
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil || port == "" {
		return fmt.Errorf("config: --listen must be host:port, got %q", c.Listen)
	}
	if !c.Memory && c.DataDir == "" {
		return errors.New("config: --data-dir must not be empty unless --memory is set")
	}
	if c.FaultThrottleProbability < 0 || c.FaultThrottleProbability > 1 {
		return fmt.Errorf("config: --fault-throttle-probability must be between 0 and 1, got %g", c.FaultThrottleProbability)
	}
	if !validRegion(c.Region) {
		return fmt.Errorf("config: --region must be lower-case letters, digits and dashes like us-east-1, got %q", c.Region)
	}
	if !validAccountID(c.AccountID) {
		return fmt.Errorf("config: --account-id must be 12 digits, got %q", c.AccountID)
	}
	if c.StateDelay < 0 {
		return fmt.Errorf("config: --state-delay must not be negative, got %s", c.StateDelay)
	}
	if c.FsyncInterval < 0 {
		return fmt.Errorf("config: --fsync-interval must not be negative, got %s", c.FsyncInterval)
	}
	if c.Fsync == FsyncInterval && c.FsyncInterval == 0 {
		return errors.New("config: --fsync-interval must be positive with --fsync interval")
	}
	if c.ShardLimit < 1 {
		return fmt.Errorf("config: --shard-limit must be at least 1, got %d", c.ShardLimit)
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return errors.New("config: FRESHET_ACCESS_KEY_ID and FRESHET_SECRET_ACCESS_KEY must be set together")
	}
	if c.Auth == AuthStrict && c.Credentials == "" && c.AccessKeyID == "" {
		return errors.New("config: --auth strict needs --credentials or FRESHET_ACCESS_KEY_ID and FRESHET_SECRET_ACCESS_KEY")
	}
	if c.ShutdownTimeout < 0 {
		return fmt.Errorf("config: --shutdown-timeout must not be negative, got %s", c.ShutdownTimeout)
	}
	return nil
}

// Redacted returns the effective settings keyed by their YAML names
// (data_dir), for logging and `config print`. Secrets that are set are
// replaced by "****".
func (c Config) Redacted() map[string]string {
	out := make(map[string]string, len(options))
	for i := range options {
		o := &options[i]
		v := o.format(&c)
		if o.secret && v != "" {
			v = "****"
		}
		out[o.key()] = v
	}
	return out
}

func validAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func validRegion(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}
