package e2e

// Helpers for the tests that drive a built freshet binary: build it once,
// start it on a free loopback port with its own data dir, wait for /readyz,
// capture its log, stop it (SIGTERM, then SIGKILL), and find the real
// clients (aws CLI, python3 with boto3) the other tests run.

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

const (
	readyTimeout = 30 * time.Second // bound on waiting for /readyz
	stopTimeout  = 15 * time.Second // SIGTERM grace before SIGKILL
)

var (
	buildOnce sync.Once
	buildDir  string
	buildPath string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// moduleRoot finds the directory holding go.mod, from the test's working
// directory (test/e2e) upwards.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the test's working directory or above")
		}
		dir = parent
	}
}

// freshetBinary builds ./cmd/freshet once per test run and returns its path.
func freshetBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		buildDir, err = os.MkdirTemp("", "freshet-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		out := filepath.Join(buildDir, "freshet")
		start := time.Now()
		cmd := exec.Command("go", "build", "-o", out, "./cmd/freshet")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/freshet in %s: %v\n%s", root, err, b)
			return
		}
		buildPath = out
		fmt.Fprintf(os.Stderr, "e2e: built %s in %s\n", out, time.Since(start).Round(time.Millisecond))
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// syncBuffer is a bytes.Buffer safe for the process's writer goroutine and
// the test reading it at the same time.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freshetProc is one running freshet binary.
type freshetProc struct {
	endpoint string // http://127.0.0.1:PORT
	dataDir  string // "" with --memory
	cmd      *exec.Cmd
	log      *syncBuffer // stdout and stderr
	done     chan struct{}
	waitErr  error // valid once done is closed
	stopped  bool  // by the test (kill or shutdown); the cleanup leaves it
}

type procOpts struct {
	args []string // flags after --listen; --data-dir is added if absent
	env  []string // extra KEY=VALUE for the child
}

// startBinary starts the freshet binary on a free loopback port with args
// (and a --data-dir of its own under t.TempDir() unless args name one or
// --memory), waits until /readyz answers 200 and stops it when the test
// ends. Its log is shown if the test fails.
func startBinary(t *testing.T, args ...string) (endpoint string, cmd *exec.Cmd) {
	t.Helper()
	p := startProc(t, procOpts{args: args})
	return p.endpoint, p.cmd
}

func startProc(t *testing.T, o procOpts) *freshetProc {
	t.Helper()
	bin := freshetBinary(t)
	args := append([]string(nil), o.args...)
	dataDir := flagValue(args, "--data-dir")
	if dataDir == "" && !hasFlag(args, "--memory") {
		dataDir = t.TempDir()
		args = append(args, "--data-dir", dataDir)
	}
	env := childEnv(o.env)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		addr, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		p, err := launch(t, bin, append([]string{"--listen", addr}, args...), env)
		if err == nil {
			p.dataDir = dataDir
			return p
		}
		lastErr = err
		// Someone else took the port between our probe and the bind: retry.
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatal(lastErr)
	return nil
}

func launch(t *testing.T, bin string, args, env []string) (*freshetProc, error) {
	t.Helper()
	p := &freshetProc{endpoint: "http://" + args[1], log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = env
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	setDeathSignal(p.cmd)
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	if err := p.waitReady(); err != nil {
		p.kill()
		return nil, fmt.Errorf("freshet %s: %w\nlog:\n%s", strings.Join(args, " "), err, p.log.String())
	}
	t.Cleanup(func() {
		if !p.stopped {
			if err := p.stop(); err != nil {
				t.Errorf("freshet on %s: %v", p.endpoint, err)
			}
		}
		if t.Failed() {
			t.Logf("freshet on %s (%s) log:\n%s", p.endpoint, strings.Join(args, " "), p.log.String())
		}
	})
	return p, nil
}

// waitReady polls /readyz until it answers 200, the process exits, or the
// bound passes.
func (p *freshetProc) waitReady() error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := hc.Get(p.endpoint + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				// Ours, not another server that got the port: ours is
				// still running (it exits at once if the bind fails).
				select {
				case <-p.done:
					return fmt.Errorf("exited (%v), yet /readyz answered: the port is someone else's", p.waitErr)
				case <-time.After(50 * time.Millisecond):
				}
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited before ready: %v", p.waitErr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/readyz not 200 within %s (last error %v)", readyTimeout, err)
		}
	}
}

// stop ends the process gracefully: SIGTERM, then SIGKILL after
// stopTimeout. It reports a process that did not exit 0 after SIGTERM.
func (p *freshetProc) stop() error {
	select {
	case <-p.done:
		return fmt.Errorf("exited on its own before the test stopped it: %v", p.waitErr)
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.waitErr != nil {
			return fmt.Errorf("exit after SIGTERM: %v", p.waitErr)
		}
		return nil
	case <-time.After(stopTimeout):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("still running %s after SIGTERM; killed", stopTimeout)
	}
}

// kill ends the process with SIGKILL and waits for it.
func (p *freshetProc) kill() {
	p.stopped = true
	p.cmd.Process.Kill()
	<-p.done
}

// shutdown stops the process gracefully now, failing the test if it does
// not exit 0 after SIGTERM; its whole log can be read afterwards.
func (p *freshetProc) shutdown(t *testing.T) {
	t.Helper()
	p.stopped = true
	if err := p.stop(); err != nil {
		t.Errorf("freshet on %s: %v", p.endpoint, err)
	}
}

// freePort returns a loopback address with a port that was free just now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// childEnv is the test's environment without FRESHET_* settings (so the
// machine's configuration cannot change the server under test), plus extra.
func childEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "FRESHET_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// ---- real clients ---------------------------------------------------------

var (
	awsOnce sync.Once
	awsBin  string // the aws CLI, resolved past a pyenv shim
	awsErr  error

	pyOnce sync.Once
	pyBin  string // a python3 that imports boto3
	pyVer  string
	pyErr  error
)

// clientsRequired reports whether missing clients fail the test rather than
// skip it: in CI (.ci/run exports FRESHET_PYTHON and installs them).
func clientsRequired() bool {
	return os.Getenv("CI") != "" || os.Getenv("FRESHET_PYTHON") != ""
}

func missingClient(t *testing.T, what string, err error) {
	t.Helper()
	if clientsRequired() {
		t.Fatalf("%s is required in CI but not usable: %v", what, err)
	}
	t.Skipf("skipping: %s not usable (%v); .ci/run installs it (apt-get install awscli python3-boto3)", what, err)
}

// requireAWSCLI returns the aws CLI, or skips the test when it is missing.
func requireAWSCLI(t *testing.T) string {
	t.Helper()
	awsOnce.Do(func() {
		p, err := exec.LookPath("aws")
		if err != nil {
			awsErr = err
			return
		}
		// A pyenv shim costs ~1.5 s per call; run the program it points to.
		if strings.Contains(filepath.ToSlash(p), "/shims/") {
			if out, err := exec.Command("pyenv", "which", "aws").Output(); err == nil {
				if real := strings.TrimSpace(string(out)); real != "" {
					p = real
				}
			}
		}
		awsBin = p
	})
	if awsErr != nil {
		missingClient(t, "the aws CLI", awsErr)
	}
	t.Logf("aws CLI: %s", awsBin)
	return awsBin
}

// requirePython returns a python3 interpreter that imports boto3
// ($FRESHET_PYTHON, else python3), or skips the test.
func requirePython(t *testing.T) string {
	t.Helper()
	pyOnce.Do(func() {
		py := os.Getenv("FRESHET_PYTHON")
		if py == "" {
			py = "python3"
		}
		out, err := exec.Command(py, "-c", "import sys, boto3, botocore; print(sys.executable); print('boto3', boto3.__version__, 'botocore', botocore.__version__)").CombinedOutput()
		if err != nil {
			msg := strings.TrimSpace(string(out))
			if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
				msg = msg[i+1:] // the exception, not the traceback
			}
			pyErr = fmt.Errorf("%s -c 'import boto3': %v: %s", py, err, msg)
			return
		}
		lines := strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)
		pyBin = py
		if len(lines) == 2 && lines[0] != "" {
			pyBin = lines[0] // the interpreter itself, past any shim
			pyVer = lines[1]
		}
	})
	if pyErr != nil {
		missingClient(t, "python3 with boto3", pyErr)
	}
	t.Logf("python: %s (%s)", pyBin, pyVer)
	return pyBin
}

// clientEnvFor is the environment for the aws CLI and boto3: dummy
// credentials, us-east-1, and empty config files so that the machine's own
// ~/.aws cannot interfere; no other AWS_* or FRESHET_* variable passes.
func clientEnvFor(t *testing.T, extra ...string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aws-config")
	creds := filepath.Join(dir, "aws-credentials")
	for _, f := range []string{cfg, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "BOTO_") || strings.HasPrefix(kv, "FRESHET_") {
			continue
		}
		if strings.HasPrefix(kv, "PATH=") && awsBin != "" {
			kv = "PATH=" + filepath.Dir(awsBin) + string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
		}
		env = append(env, kv)
	}
	env = append(env,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+cfg,
		"AWS_SHARED_CREDENTIALS_FILE="+creds,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=", // aws CLI v2
		"PYTHONUNBUFFERED=1",
	)
	return append(env, extra...)
}

// runClient runs a client program with a bound and returns its stdout,
// stderr and exit code (-1 if it could not run or timed out).
func runClient(t *testing.T, timeout time.Duration, env []string, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	t.Logf("ran %s %s in %s", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	code = 0
	if err != nil {
		code = -1
		var ee *exec.ExitError
		if errors.As(err, &ee) && ctx.Err() == nil {
			code = ee.ExitCode()
		} else {
			errb.WriteString("\n[test] " + err.Error())
			if ctx.Err() != nil {
				errb.WriteString(fmt.Sprintf(" (timed out after %s)", timeout))
			}
		}
	}
	return out.String(), errb.String(), code
}

// testdata returns the path of a file under testdata.
func testdata(t *testing.T, parts ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// ---- aws-sdk-go-v2 against the binary -------------------------------------

// plainBodyClient hides io.WriterTo on request bodies, the workaround for
// the aws-sdk-go-v2 race on fast loopback servers that fails calls with
// "use of closed network connection" (research/performance.md §2).
type plainBodyClient struct{ c *http.Client }

func (p plainBodyClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return p.c.Do(r)
}

// sdkClient is an aws-sdk-go-v2 Kinesis client for a binary under test,
// signing with the given key pair, with SDK retries off: every transport
// error reaches the test, which decides what it means.
func sdkClient(endpoint, keyID, secret string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       plainBodyClient{&http.Client{Timeout: 30 * time.Second}},
	})
}

// waitActive polls DescribeStreamSummary until the stream is ACTIVE.
func waitActive(t *testing.T, c *kinesis.Client, name string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatalf("describe %s: %v", name, err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still %s after 20s", name, out.StreamDescriptionSummary.StreamStatus)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createStreamActive creates a stream and waits until it is ACTIVE.
func createStreamActive(t *testing.T, c *kinesis.Client, name string, shards int32) {
	t.Helper()
	if _, err := c.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	waitActive(t, c, name)
}

// shardRecord is a record read back from a shard.
type shardRecord struct {
	shard string
	types.Record
}

// readShard reads a whole shard from TRIM_HORIZON until it is caught up
// (an empty response with MillisBehindLatest 0).
func readShard(t *testing.T, c *kinesis.Client, stream, shard string) []shardRecord {
	t.Helper()
	it, err := c.GetShardIterator(t.Context(), &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatalf("iterator for %s: %v", shard, err)
	}
	next := it.ShardIterator
	var recs []shardRecord
	for calls := 0; ; calls++ {
		if calls > 10000 {
			t.Fatalf("%s: no end after %d GetRecords calls", shard, calls)
		}
		out, err := c.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: next, Limit: aws.Int32(10000)})
		if err != nil {
			t.Fatalf("GetRecords %s after %d records: %v", shard, len(recs), err)
		}
		for _, r := range out.Records {
			recs = append(recs, shardRecord{shard, r})
		}
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			return recs
		}
		if out.NextShardIterator == nil {
			t.Fatalf("%s: no NextShardIterator on an open shard", shard)
		}
		next = out.NextShardIterator
	}
}

// listShardIDs returns the ids of every shard of a stream, paging.
func listShardIDs(t *testing.T, c *kinesis.Client, stream string) []string {
	t.Helper()
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
	for {
		out, err := c.ListShards(t.Context(), in)
		if err != nil {
			t.Fatalf("ListShards %s: %v", stream, err)
		}
		for _, s := range out.Shards {
			ids = append(ids, aws.ToString(s.ShardId))
		}
		if out.NextToken == nil {
			return ids
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// seqCmp compares two decimal sequence numbers.
func seqCmp(t *testing.T, a, b string) int {
	t.Helper()
	a, b = decimal(t, a), decimal(t, b)
	if len(a) != len(b) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}

// decimal checks s is a non-negative decimal integer and strips leading zeros.
func decimal(t *testing.T, s string) string {
	t.Helper()
	if s == "" {
		t.Fatalf("empty sequence number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			t.Fatalf("not a sequence number: %q", s)
		}
	}
	if t := strings.TrimLeft(s, "0"); t != "" {
		return t
	}
	return "0"
}
