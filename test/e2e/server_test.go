package e2e

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/freshet/freshet/internal/app"
	"github.com/freshet/freshet/internal/config"
)

// clock is a settable clock for tests that need time to pass.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

type serverOpts struct {
	stateDelay time.Duration
	shardLimit int
	dataDir    string // "" = memory
	subLife    time.Duration
	enforce    bool // --enforce-throughput
	// retryBase scales Firehose's retry delays (1 s when 0).
	retryBase time.Duration
	// cfg adjusts the configuration further (Firehose endpoints...).
	cfg func(*config.Config)
}

// startServer runs Freshet in-process on a free port and returns an SDK
// client for it and the server's clock.
func startServer(t testing.TB, o serverOpts) (*kinesis.Client, *clock, string) {
	t.Helper()
	current = t
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.Memory = o.dataDir == ""
	cfg.DataDir = o.dataDir
	cfg.StateDelay = o.stateDelay
	if o.shardLimit > 0 {
		cfg.ShardLimit = o.shardLimit
	}
	cfg.EnforceThroughput = o.enforce
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	clk := &clock{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := app.Start(context.Background(), cfg, log, app.Options{Now: clk.now, SubscriptionLifetime: o.subLife, FirehoseRetryBase: o.retryBase})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	endpoint := "http://" + srv.Addr()
	return newClient(endpoint), clk, endpoint
}

func newClient(endpoint string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		// plainBodyClient sidesteps aws-sdk-go-v2's closed-connection race
		// on fast loopback servers (performance.md §2).
		HTTPClient: plainBodyClient{c: &http.Client{Timeout: 30 * time.Second}},
	})
}

// apiErr asserts err is an AWS API error with the given code (and message,
// when msg is not empty).
func apiErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("%s message:\n got %q\nwant %q", code, ae.ErrorMessage(), msg)
	}
}

// current is the running test; tests in this package run one at a time,
// so must can fail the right test without threading t through every call.
var current testing.TB

// must returns v, failing the current test if err is not nil.
func must[T any](v T, err error) T {
	current.Helper()
	if err != nil {
		current.Fatal(err)
	}
	return v
}
