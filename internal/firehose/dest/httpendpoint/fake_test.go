package httpendpoint

import (
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
)

// fakeClock advances only when the destination sleeps.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func (c *fakeClock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// received is one request as an HTTP endpoint receiver decodes it.
type received struct {
	header    http.Header
	requestID string
	timestamp int64
	records   [][]byte
}

// receiver is a faithful HTTP endpoint: it decodes the request as the
// protocol defines it and answers with reply(n, request) where n counts
// requests from 0.
type receiver struct {
	t     *testing.T
	mu    sync.Mutex
	got   []received
	reply func(n int, w http.ResponseWriter, r received)
	srv   *httptest.Server
}

func newReceiver(t *testing.T, reply func(n int, w http.ResponseWriter, r received)) *receiver {
	t.Helper()
	rc := &receiver{t: t, reply: reply}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			rc.t.Errorf("gzip body: %v", err)
			http.Error(w, "bad gzip", http.StatusBadRequest)
			return
		}
		body = zr
	}
	var req struct {
		RequestID string `json:"requestId"`
		Timestamp int64  `json:"timestamp"`
		Records   []struct {
			Data string `json:"data"`
		} `json:"records"`
	}
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		rc.t.Errorf("request body: %v", err)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	got := received{header: r.Header.Clone(), requestID: req.RequestID, timestamp: req.Timestamp}
	for _, rec := range req.Records {
		b, err := base64.StdEncoding.DecodeString(rec.Data)
		if err != nil {
			rc.t.Errorf("record data is not base64: %v", err)
		}
		got.records = append(got.records, b)
	}
	rc.mu.Lock()
	n := len(rc.got)
	rc.got = append(rc.got, got)
	rc.mu.Unlock()
	rc.reply(n, w, got)
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// replyOK answers as the spec requires.
func replyOK(w http.ResponseWriter, requestID string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"requestId":"` + requestID + `","timestamp":` + strconv.FormatInt(time.Now().UnixMilli(), 10) + `}`))
}

func replyStatus(status int) func(int, http.ResponseWriter, received) {
	return func(_ int, w http.ResponseWriter, r received) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"requestId":"` + r.requestID + `","timestamp":1,"errorMessage":"nope"}`))
	}
}

func config(url string) *firehoseapi.HttpEndpointDestinationConfiguration {
	return &firehoseapi.HttpEndpointDestinationConfiguration{
		EndpointConfiguration: firehoseapi.HttpEndpointConfiguration{Url: url},
	}
}

func ptr[T any](v T) *T { return &v }

func batch(n int) dest.Batch {
	b := dest.Batch{
		ID:        "3f0d5e8c-6a38-4b52-9a57-0f5c3c1b2a10",
		Stream:    "s1",
		StreamARN: "arn:aws:firehose:us-east-1:000000000000:deliverystream/s1",
		Now:       time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
	}
	for i := range n {
		b.Records = append(b.Records, dest.Record{
			ID:        "4960735736127174081141866428069304427482162288001233718" + strconv.Itoa(i) + ".0",
			Data:      []byte(`{"n":` + strconv.Itoa(i) + `,"s":"<&>"}` + "\n"),
			ArrivalMs: 1_700_000_000_000 + int64(i),
		})
	}
	return b
}

func newDest(t *testing.T, cfg *firehoseapi.HttpEndpointDestinationConfiguration, c *fakeClock) dest.Destination {
	t.Helper()
	d, err := New(cfg, Options{Now: c.Now, Sleep: c.Sleep})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

type (
	reqConfig = firehoseapi.HttpEndpointRequestConfiguration
	attr      = firehoseapi.HttpEndpointCommonAttribute
	retryOpts = firehoseapi.HttpEndpointRetryOptions
)
