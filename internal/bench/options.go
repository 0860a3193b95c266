package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Limits of the workload knobs.
const (
	maxBatch      = 500     // PutRecords entries per call
	maxRecordSize = 1 << 20 // default Kinesis record limit
	maxCallBytes  = 5 << 20 // PutRecords limit: data and partition keys of all entries
	maxKeyLen     = 13      // longest partition key: a uint64 in base 36
)

// Options configures one benchmark run. The zero value of a field means its
// default (see Defaults), except for the booleans, whose zero values are the
// defaults.
type Options struct {
	// Target. With Endpoint empty Run starts its own server: ServerCommand
	// (default: this executable and "serve") followed by --listen,
	// --data-dir, --fsync always, --state-delay 0, --log-level warn and
	// ServerArgs.
	Endpoint      string        // URL of an existing server, e.g. http://127.0.0.1:4567
	ServerPID     int           // PID of the server at Endpoint, for CPU and RSS; 0 = unknown
	ServerCommand []string      // executable and leading arguments of the child server
	ServerArgs    []string      // extra flags passed to the child server
	ServerStderr  io.Writer     // receives the child server's stderr; nil = kept for errors only
	StartTimeout  time.Duration // how long the child server may take to become ready

	// Stream.
	Stream string // stream name; default bench-<random>
	Shards int    // shard count

	// Workload.
	Producers int           // concurrent producer goroutines
	Batch     int           // records per PutRecords call, 1-500
	Size      int           // record size in bytes, at least HeaderSize
	Duration  time.Duration // how long producers run (ignored when Records > 0)
	Records   int64         // total records to put; 0 = run for Duration
	Rate      float64       // paced total records/s; 0 = as fast as possible
	KPL       int           // user records per KPL aggregated record; 0 = plain records

	// putBatch is the Kinesis records per PutRecords actually sent: Batch,
	// reduced to keep a call within maxCallBytes. Set by withDefaults.
	putBatch int

	// Consumer.
	NoConsumer   bool          // skip the concurrent polling consumer (no e2e latency)
	Poll         time.Duration // consumer sleep after an empty GetRecords
	DrainTimeout time.Duration // how long to wait for the consumer to catch up

	// Client.
	RawBody bool // do not wrap request bodies (reproduces the SDK race; for A/B only)

	// Progress receives one line per phase; nil = silent.
	Progress io.Writer
}

// Defaults returns the options `freshet bench` runs with when given none.
func Defaults() Options {
	return Options{
		StartTimeout: 30 * time.Second,
		Shards:       4,
		Producers:    8,
		Batch:        500,
		Size:         100,
		Duration:     10 * time.Second,
		Poll:         5 * time.Millisecond,
		DrainTimeout: 30 * time.Second,
	}
}

// withDefaults fills zero fields from Defaults and checks the result.
func (o Options) withDefaults() (Options, error) {
	d := Defaults()
	if o.StartTimeout <= 0 {
		o.StartTimeout = d.StartTimeout
	}
	if o.Shards == 0 {
		o.Shards = d.Shards
	}
	if o.Producers == 0 {
		o.Producers = d.Producers
	}
	if o.Batch == 0 {
		o.Batch = d.Batch
	}
	if o.Size == 0 {
		o.Size = d.Size
	}
	if o.Duration == 0 {
		o.Duration = d.Duration
	}
	if o.Poll == 0 {
		o.Poll = d.Poll
	}
	if o.DrainTimeout == 0 {
		o.DrainTimeout = d.DrainTimeout
	}
	if o.Stream == "" {
		o.Stream = "bench-" + randomSuffix()
	}
	if err := o.validate(); err != nil {
		return o, err
	}
	n, err := putBatch(o.Batch, o.Size, o.KPL)
	if err != nil {
		return o, err
	}
	o.putBatch = n
	return o, nil
}

func (o Options) validate() error {
	switch {
	case o.Shards < 1:
		return fmt.Errorf("shards must be at least 1, got %d", o.Shards)
	case o.Producers < 1:
		return fmt.Errorf("producers must be at least 1, got %d", o.Producers)
	case o.Batch < 1 || o.Batch > maxBatch:
		return fmt.Errorf("batch must be 1-%d, got %d", maxBatch, o.Batch)
	case o.Size < HeaderSize || o.Size > maxRecordSize:
		return fmt.Errorf("size must be %d-%d bytes, got %d", HeaderSize, maxRecordSize, o.Size)
	case o.Duration < 0:
		return fmt.Errorf("duration must not be negative, got %s", o.Duration)
	case o.Records < 0:
		return fmt.Errorf("records must not be negative, got %d", o.Records)
	case o.Rate < 0:
		return fmt.Errorf("rate must not be negative, got %g", o.Rate)
	case o.KPL < 0:
		return fmt.Errorf("kpl must not be negative, got %d", o.KPL)
	case o.Poll < 0:
		return fmt.Errorf("poll must not be negative, got %s", o.Poll)
	case o.ServerPID < 0:
		return fmt.Errorf("server-pid must not be negative, got %d", o.ServerPID)
	case o.Endpoint == "" && o.ServerPID != 0:
		return errors.New("server-pid needs endpoint")
	case o.Endpoint != "" && (len(o.ServerCommand) > 0 || len(o.ServerArgs) > 0):
		return errors.New("endpoint and a server command or server args exclude each other")
	}
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// flagSection groups flags in the help.
type flagSection struct {
	title string
	names []string
}

var flagSections = []flagSection{
	{"Target Options", []string{"endpoint", "server-pid", "server-arg", "start-timeout"}},
	{"Stream Options", []string{"stream", "shards"}},
	{"Workload Options", []string{"producers", "batch", "size", "duration", "records", "rate", "kpl"}},
	{"Consumer Options", []string{"consumer", "poll", "drain-timeout"}},
	{"Client Options", []string{"raw-body"}},
	{"Output Options", []string{"json", "quiet"}},
}

// cliFlags are the command line's settings beyond Options.
type cliFlags struct {
	json  bool
	quiet bool
}

func newFlagSet(o *Options, c *cliFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("freshet bench", flag.ContinueOnError)
	fs.StringVar(&o.Endpoint, "endpoint", "", "Use the server at this `URL` instead of starting one")
	fs.IntVar(&o.ServerPID, "server-pid", 0, "`PID` of the --endpoint server, for its CPU time and RSS")
	fs.Var((*stringList)(&o.ServerArgs), "server-arg", "Extra `flag` for the started server, repeatable (--server-arg=--fsync=interval)")
	fs.DurationVar(&o.StartTimeout, "start-timeout", o.StartTimeout, "How long the started server may take to become ready")
	fs.StringVar(&o.Stream, "stream", "", "Stream `name` (default bench-<random>)")
	fs.IntVar(&o.Shards, "shards", o.Shards, "Shard `count` of the stream")
	fs.IntVar(&o.Producers, "producers", o.Producers, "Concurrent producers")
	fs.IntVar(&o.Batch, "batch", o.Batch, "Records per PutRecords call, 1-500")
	fs.IntVar(&o.Size, "size", o.Size, fmt.Sprintf("Record size in `bytes`, at least %d", HeaderSize))
	fs.DurationVar(&o.Duration, "duration", o.Duration, "How long the producers run")
	fs.Int64Var(&o.Records, "records", 0, "Total records to put instead of running for --duration")
	fs.Float64Var(&o.Rate, "rate", 0, "Paced total `records/s`; 0 = as fast as possible")
	fs.IntVar(&o.KPL, "kpl", 0, "Send KPL aggregated records of `K` user records each (--batch aggregates per call, --size per user record, user records counted); 0 = plain records")
	fs.BoolFunc("consumer", "Poll every shard while producing, for end-to-end latency; --consumer=false to skip (default true)", func(v string) error {
		b, err := strconv.ParseBool(v)
		o.NoConsumer = !b
		return err
	})
	fs.DurationVar(&o.Poll, "poll", o.Poll, "Consumer sleep after an empty GetRecords")
	fs.DurationVar(&o.DrainTimeout, "drain-timeout", o.DrainTimeout, "How long to wait for the consumer to see every record")
	fs.BoolVar(&o.RawBody, "raw-body", false, "Do not wrap request bodies: reproduces the aws-sdk-go-v2 closed-connection race")
	fs.BoolVar(&c.json, "json", false, "Print only the JSON result line")
	fs.BoolVar(&c.quiet, "quiet", false, "No progress lines on stderr")
	fs.Usage = func() { printUsage(fs.Output(), fs) }
	return fs
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "Usage: freshet bench [options]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Creates a stream, puts records from concurrent producers while polling every")
	fmt.Fprintln(w, "shard, reads everything back, verifies it and deletes the stream. Without")
	fmt.Fprintln(w, "--endpoint it starts its own server (this executable, `serve`, a temporary")
	fmt.Fprintln(w, "data directory, --fsync always). Exits 1 if verification fails.")
	for _, s := range flagSections {
		fmt.Fprintf(w, "\n%s:\n", s.title)
		for _, name := range s.names {
			f := fs.Lookup(name)
			if f == nil {
				continue
			}
			arg, usage := flag.UnquoteUsage(f)
			if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
				arg = ""
			}
			left := "  --" + name
			if arg != "" {
				left += " <" + arg + ">"
			}
			if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.DefValue != "0s" {
				usage += " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(w, "%-30s %s\n", left, usage)
		}
	}
}

// Main runs `freshet bench` with args (without the subcommand) and returns
// the exit code: 0 success, 1 failure or failed verification, 2 bad usage.
func Main(args []string, stdout, stderr io.Writer) int {
	opts := Defaults()
	var cli cliFlags
	fs := newFlagSet(&opts, &cli)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // the flag package has printed the error; help goes to stdout below
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs)
			return 0
		}
		fmt.Fprintln(stderr, "run 'freshet bench --help' for the options")
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "freshet bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if _, err := opts.withDefaults(); err != nil {
		fmt.Fprintln(stderr, "freshet bench:", err)
		return 2
	}
	if !cli.quiet {
		opts.Progress = stderr
		opts.ServerStderr = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	summary := stdout
	if cli.json {
		summary = nil
	}
	res, err := Run(ctx, opts, summary)
	if cli.json && res != nil {
		line, jerr := res.JSON()
		if jerr != nil {
			fmt.Fprintln(stderr, "freshet bench: encode result:", jerr)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", line)
	}
	if err != nil {
		fmt.Fprintln(stderr, "freshet bench:", err)
		return 1
	}
	if !res.VerifyOK {
		fmt.Fprintln(stderr, "freshet bench: verification failed")
		return 1
	}
	return 0
}
