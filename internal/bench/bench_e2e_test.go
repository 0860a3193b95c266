package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	binDir    string // removed by TestMain
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildOut  []byte
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "freshet-bench-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freshetBinary builds ./cmd/freshet (go build -o) once per test binary.
func freshetBinary(tb testing.TB) string {
	tb.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		tb.Skipf("no go tool: %v", err)
	}
	buildOnce.Do(func() {
		builtBin = filepath.Join(binDir, "freshet")
		cmd := exec.Command(goTool, "build", "-o", builtBin, "../../cmd/freshet")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		tb.Fatalf("go build ./cmd/freshet: %v\n%s", buildErr, buildOut)
	}
	return builtBin
}

// testWriter sends the run's output to the test log.
type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestRunAgainstChildServer(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and starts the server")
	}
	bin := freshetBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Run(ctx, Options{
		ServerCommand: []string{bin, "serve"},
		ServerStderr:  testWriter{t},
		Progress:      testWriter{t},
		Shards:        2,
		Producers:     2,
		Batch:         100,
		Size:          64,
		Duration:      2 * time.Second,
		Rate:          2000,
	}, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	if !res.VerifyOK {
		t.Fatalf("verification failed: %+v", res.Verification)
	}
	if res.Acknowledged == 0 || res.Missing != 0 || res.Duplicates != 0 || res.Corrupt != 0 {
		t.Fatalf("acknowledged %d missing %d duplicates %d corrupt %d", res.Acknowledged, res.Missing, res.Duplicates, res.Corrupt)
	}
	if res.ReadRecords != res.Acknowledged+res.AmbiguousDups {
		t.Fatalf("read back %d, acknowledged %d (+%d ambiguous)", res.ReadRecords, res.Acknowledged, res.AmbiguousDups)
	}
	if res.AckedBytes != res.Acknowledged*64 || res.ReadBytes != res.ReadRecords*64 {
		t.Fatalf("bytes: acked %d read %d", res.AckedBytes, res.ReadBytes)
	}
	// Paced at 2,000 rec/s for 2 s: about 4,000 records (whole batches).
	if res.Acknowledged < 2000 || res.Acknowledged > 4400 {
		t.Errorf("acknowledged %d records, want about 4000 at the paced rate", res.Acknowledged)
	}
	if !res.ConsumerCaughtUp || res.Consumed < res.Acknowledged {
		t.Errorf("consumer caught up %v, consumed %d of %d", res.ConsumerCaughtUp, res.Consumed, res.Acknowledged)
	}
	if res.E2EP50Ms <= 0 || res.PutP50Ms <= 0 || res.PutP99Ms < res.PutP50Ms {
		t.Errorf("latencies: put p50 %.2f p99 %.2f, e2e p50 %.2f", res.PutP50Ms, res.PutP99Ms, res.E2EP50Ms)
	}
	if res.Errors != 0 {
		t.Errorf("%d errors, first: %s", res.Errors, res.FirstError)
	}
	if res.ServerPID == 0 || res.ServerRSSIdleMiB <= 0 || res.ServerCPUUsPerPutRecord <= 0 {
		t.Errorf("server figures: pid %d idle RSS %.1f MiB, %.1f µs/put record", res.ServerPID, res.ServerRSSIdleMiB, res.ServerCPUUsPerPutRecord)
	}
}

func TestRunKPLAgainstChildServer(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and starts the server")
	}
	bin := freshetBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const k, size = 10, 64
	res, err := Run(ctx, Options{
		ServerCommand: []string{bin, "serve"},
		ServerStderr:  testWriter{t},
		Progress:      testWriter{t},
		Shards:        2,
		Producers:     2,
		Batch:         10,
		Size:          size,
		KPL:           k,
		Duration:      2 * time.Second,
		Rate:          2000,
	}, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	if !res.VerifyOK {
		t.Fatalf("verification failed: %+v", res.Verification)
	}
	if res.KPL != k || res.PutBatch != 10 {
		t.Errorf("kpl %d, put batch %d", res.KPL, res.PutBatch)
	}
	// Paced at 2,000 user records/s for 2 s: about 4,000 user records in
	// about 400 aggregates, every one full.
	if res.Acknowledged < 2000 || res.Acknowledged > 4400 {
		t.Errorf("acknowledged %d user records, want about 4000 at the paced rate", res.Acknowledged)
	}
	if res.PutKinesisRecords*k != res.Acknowledged || res.PutKinesisRecordsPerSec*k < res.PutRecordsPerSec*0.99 {
		t.Errorf("%d aggregates (%.0f/s) for %d user records (%.0f/s)",
			res.PutKinesisRecords, res.PutKinesisRecordsPerSec, res.Acknowledged, res.PutRecordsPerSec)
	}
	if res.ReadRecords != res.Acknowledged+res.AmbiguousDups || res.ReadRecords != res.ReadKinesisRecords*k {
		t.Fatalf("read back %d user records in %d Kinesis records, acknowledged %d (+%d ambiguous)",
			res.ReadRecords, res.ReadKinesisRecords, res.Acknowledged, res.AmbiguousDups)
	}
	if res.AckedBytes != res.Acknowledged*size || res.ReadBytes != res.ReadRecords*size {
		t.Fatalf("bytes: acked %d read %d", res.AckedBytes, res.ReadBytes)
	}
	if !res.ConsumerCaughtUp || res.Consumed < res.Acknowledged || res.E2EP50Ms <= 0 {
		t.Errorf("consumer caught up %v, consumed %d of %d, e2e p50 %.2f ms",
			res.ConsumerCaughtUp, res.Consumed, res.Acknowledged, res.E2EP50Ms)
	}
	if res.Errors != 0 || res.Corrupt != 0 || res.Duplicates != 0 {
		t.Errorf("%d errors (first: %s), %d corrupt, %d duplicates", res.Errors, res.FirstError, res.Corrupt, res.Duplicates)
	}
}

func TestRunRecordsAgainstEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and starts the server")
	}
	bin := freshetBinary(t)
	srv, err := startServer(context.Background(), Options{
		ServerCommand: []string{bin, "serve"},
		ServerArgs:    []string{"--fsync=never"},
		StartTimeout:  30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.stop(); err != nil {
			t.Error(err)
		}
	}()
	res, err := Run(context.Background(), Options{
		Endpoint: srv.endpoint, ServerPID: srv.pid(),
		Shards: 3, Producers: 3, Batch: 7, Size: HeaderSize, Records: 1000, NoConsumer: true,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.VerifyOK || res.Acknowledged != 1000 || res.ReadRecords != 1000 || res.Consumed != 0 {
		t.Fatalf("verify %v, acknowledged %d, read %d, consumed %d", res.VerifyOK, res.Acknowledged, res.ReadRecords, res.Consumed)
	}
}

// BenchmarkPutRecords puts b.N records (8 producers, batch 500, 100 B)
// through a freshly built server and reports the bench's own figures.
// The performance table, as benchmarks that print its figures.
// Each iteration runs a whole workload against a fresh child server, so
// run them once: go test -run '^$' -bench . -benchtime 1x ./internal/bench

// BenchmarkPutRecords: 8 producers × PutRecords(500 × 100 B) for 10 s with
// fsync before acknowledgement and a polling consumer, then the read-back.
func BenchmarkPutRecords(b *testing.B) {
	bin := freshetBinary(b)
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), Options{
			ServerCommand: []string{bin, "serve"},
			Shards:        4, Producers: 8, Batch: 500, Size: 100,
			Duration: 10 * time.Second, Poll: 5 * time.Millisecond,
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if !res.VerifyOK {
			b.Fatalf("verification failed: %+v", res.Verification)
		}
		b.ReportMetric(res.PutRecordsPerSec, "put-rec/s")
		b.ReportMetric(res.ServerCPUUsPerPutRecord, "srv-µs/put-rec")
		b.ReportMetric(res.ReadRecordsPerSec, "read-rec/s")
		b.ReportMetric(res.ServerRSSIdleMiB, "idle-RSS-MiB")
		b.ReportMetric(res.PutP99Ms, "put-p99-ms")
	}
}

// BenchmarkLatency: end-to-end latency at 1,000 records/s (PutRecords of
// 10) with a consumer polling every 2 ms after an empty response.
func BenchmarkLatency(b *testing.B) {
	bin := freshetBinary(b)
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), Options{
			ServerCommand: []string{bin, "serve"},
			Shards:        2, Producers: 2, Batch: 10, Size: 100, Rate: 1000,
			Duration: 10 * time.Second, Poll: 2 * time.Millisecond,
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if !res.VerifyOK {
			b.Fatalf("verification failed: %+v", res.Verification)
		}
		b.ReportMetric(res.E2EP50Ms, "e2e-p50-ms")
		b.ReportMetric(res.E2EP99Ms, "e2e-p99-ms")
		b.ReportMetric(res.PutP50Ms, "put-p50-ms")
	}
}
