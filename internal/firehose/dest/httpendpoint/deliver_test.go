package httpendpoint

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/firehose/dest"
)

func TestRequestHeadersAndBody(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "gzip"}[gz], func(t *testing.T) {
			rc := newReceiver(t, func(_ int, w http.ResponseWriter, r received) { replyOK(w, r.requestID) })
			cfg := config(rc.srv.URL + "/ingest?tenant=a")
			cfg.EndpointConfiguration.AccessKey = ptr("s3cr3t-key")
			enc := "NONE"
			if gz {
				enc = "GZIP"
			}
			cfg.RequestConfiguration = &reqConfig{
				ContentEncoding: &enc,
				CommonAttributes: []attr{
					{AttributeName: "env", AttributeValue: "prod"},
					{AttributeName: "team", AttributeValue: `a"b`},
				},
			}
			c := newClock()
			d := newDest(t, cfg, c)
			b := batch(3)
			res, err := d.Deliver(context.Background(), b)
			if err != nil || len(res.Failed) != 0 || res.Dropped != 0 {
				t.Fatalf("Deliver = %+v, %v", res, err)
			}
			got := rc.requests()
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			h := got[0].header
			want := map[string]string{
				"X-Amz-Firehose-Protocol-Version":  "1.0",
				"X-Amz-Firehose-Request-Id":        b.ID,
				"X-Amz-Firehose-Source-Arn":        b.StreamARN,
				"X-Amz-Firehose-Access-Key":        "s3cr3t-key",
				"X-Amz-Firehose-Common-Attributes": `{"commonAttributes":{"env":"prod","team":"a\"b"}}`,
				"Content-Type":                     "application/json",
			}
			for k, v := range want {
				if h.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, h.Get(k), v)
				}
			}
			if ce := h.Get("Content-Encoding"); (ce == "gzip") != gz || (!gz && ce != "") {
				t.Errorf("Content-Encoding = %q (gzip configured: %v)", ce, gz)
			}
			if got[0].requestID != b.ID {
				t.Errorf("body requestId = %q, want %q", got[0].requestID, b.ID)
			}
			if got[0].timestamp != c.Now().UnixMilli() {
				t.Errorf("body timestamp = %d, want %d", got[0].timestamp, c.Now().UnixMilli())
			}
			for i, r := range b.Records {
				if !bytes.Equal(got[0].records[i], r.Data) {
					t.Errorf("record %d = %q, want %q", i, got[0].records[i], r.Data)
				}
			}
		})
	}
}

func TestNoOptionalHeadersWhenUnset(t *testing.T) {
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r received) { replyOK(w, r.requestID) })
	d := newDest(t, config(rc.srv.URL), newClock())
	if _, err := d.Deliver(context.Background(), batch(1)); err != nil {
		t.Fatal(err)
	}
	h := rc.requests()[0].header
	for _, k := range []string{"X-Amz-Firehose-Access-Key", "X-Amz-Firehose-Common-Attributes", "Content-Encoding"} {
		if _, ok := h[k]; ok {
			t.Errorf("header %s sent although not configured", k)
		}
	}
}

func TestSameRequestIDAcrossRetries(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r received) {
		if n < 2 {
			replyStatus(http.StatusServiceUnavailable)(n, w, r)
			return
		}
		replyOK(w, r.requestID)
	})
	c := newClock()
	d := newDest(t, config(rc.srv.URL), c)
	b := batch(2)
	res, err := d.Deliver(context.Background(), b)
	if err != nil || len(res.Failed) != 0 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("%d requests, want 3", len(got))
	}
	for i, r := range got {
		if r.header.Get("X-Amz-Firehose-Request-Id") != b.ID || r.requestID != b.ID {
			t.Errorf("attempt %d: header id %q body id %q, want %q", i, r.header.Get("X-Amz-Firehose-Request-Id"), r.requestID, b.ID)
		}
	}
	s := c.sleeps()
	if len(s) != 2 {
		t.Fatalf("slept %v, want 2 backoffs", s)
	}
	for i, base := range []time.Duration{time.Second, 2 * time.Second} {
		lo, hi := time.Duration(float64(base)*0.85), time.Duration(float64(base)*1.15)
		if s[i] < lo || s[i] > hi {
			t.Errorf("backoff %d = %v, want within ±15%% of %v", i, s[i], base)
		}
	}
}

func Test413IsPermanentAndNotBackedUp(t *testing.T) {
	rc := newReceiver(t, replyStatus(http.StatusRequestEntityTooLarge))
	c := newClock()
	d := newDest(t, config(rc.srv.URL), c)
	res, err := d.Deliver(context.Background(), batch(4))
	if err != nil {
		t.Fatal(err)
	}
	if res.Dropped != 4 || len(res.Failed) != 0 {
		t.Errorf("result = dropped %d failed %d, want 4 dropped and none failed", res.Dropped, len(res.Failed))
	}
	if n := len(rc.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (413 is not retried)", n)
	}
	if len(c.sleeps()) != 0 {
		t.Errorf("slept %v after a 413", c.sleeps())
	}
}

func TestRetryWindowExpiryWritesErrorLines(t *testing.T) {
	rc := newReceiver(t, replyStatus(http.StatusInternalServerError))
	c := newClock()
	cfg := config(rc.srv.URL)
	cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(10))}
	d := newDest(t, cfg, c)
	b := batch(2)
	res, err := d.Deliver(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	// Backoffs 1, 2, 4 s keep the elapsed time under 10 s (at most 8.05 s
	// with +15 % jitter); the fourth (8 s) exceeds it: 5 attempts.
	if n := len(rc.requests()); n != 5 {
		t.Fatalf("%d attempts, want 5", n)
	}
	if len(res.Failed) != 2 || res.Dropped != 0 {
		t.Fatalf("failed %d dropped %d, want 2 failed", len(res.Failed), res.Dropped)
	}
	for i, f := range res.Failed {
		if !strings.HasPrefix(string(f.Line), `{"attemptsMade":5,"arrivalTimestamp":`) {
			t.Errorf("line %d does not start with AWS's field order: %s", i, f.Line)
		}
		var l struct {
			AttemptsMade           int    `json:"attemptsMade"`
			ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
			ErrorCode              string `json:"errorCode"`
			ErrorMessage           string `json:"errorMessage"`
			AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
			RawData                string `json:"rawData"`
			SubsequenceNumber      *int   `json:"subsequenceNumber"`
			DataID                 string `json:"dataId"`
		}
		dec := json.NewDecoder(bytes.NewReader(f.Line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		raw, _ := base64.StdEncoding.DecodeString(l.RawData)
		switch {
		case l.ErrorCode != "HttpEndpoint.DestinationException":
			t.Errorf("errorCode = %q", l.ErrorCode)
		case !strings.Contains(l.ErrorMessage, "500: {"):
			t.Errorf("errorMessage = %q, want the status and response", l.ErrorMessage)
		case l.ArrivalTimestamp != b.Records[i].ArrivalMs:
			t.Errorf("arrivalTimestamp = %d", l.ArrivalTimestamp)
		case l.AttemptEndingTimestamp != c.Now().UnixMilli():
			t.Errorf("attemptEndingTimestamp = %d, want %d", l.AttemptEndingTimestamp, c.Now().UnixMilli())
		case !bytes.Equal(raw, b.Records[i].Data) || !bytes.Equal(f.Record.Data, b.Records[i].Data):
			t.Errorf("rawData = %q", raw)
		case l.DataID != b.Records[i].ID || l.SubsequenceNumber == nil || *l.SubsequenceNumber != 0:
			t.Errorf("dataId %q subsequenceNumber %v", l.DataID, l.SubsequenceNumber)
		}
	}
}

func TestZeroRetryDurationMeansOneAttempt(t *testing.T) {
	rc := newReceiver(t, replyStatus(http.StatusBadGateway))
	cfg := config(rc.srv.URL)
	cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(0))}
	res, err := newDest(t, cfg, newClock()).Deliver(context.Background(), batch(1))
	if err != nil || len(res.Failed) != 1 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	if n := len(rc.requests()); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestInvalidResponsesAreRetriedFailures(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter, r received){
		"wrong request id": func(w http.ResponseWriter, _ received) { replyOK(w, "another-id") },
		"not json": func(w http.ResponseWriter, _ received) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("OK"))
		},
		"missing timestamp": func(w http.ResponseWriter, r received) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"requestId":"` + r.requestID + `"}`))
		},
		"string timestamp": func(w http.ResponseWriter, r received) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"requestId":"` + r.requestID + `","timestamp":"1"}`))
		},
		"null timestamp": func(w http.ResponseWriter, r received) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"requestId":"` + r.requestID + `","timestamp":null}`))
		},
		"wrong content type": func(w http.ResponseWriter, r received) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte(`{"requestId":"` + r.requestID + `","timestamp":1}`))
		},
	}
	for name, reply := range cases {
		t.Run(name, func(t *testing.T) {
			rc := newReceiver(t, func(_ int, w http.ResponseWriter, r received) { reply(w, r) })
			cfg := config(rc.srv.URL)
			cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(2))}
			res, err := newDest(t, cfg, newClock()).Deliver(context.Background(), batch(1))
			if err != nil || len(res.Failed) != 1 {
				t.Fatalf("Deliver = %+v, %v", res, err)
			}
			if n := len(rc.requests()); n < 2 {
				t.Errorf("%d attempts, want retries", n)
			}
			if !bytes.Contains(res.Failed[0].Line, []byte(`"errorCode":"HttpEndpoint.InvalidResponseFromDestination"`)) {
				t.Errorf("line = %s", res.Failed[0].Line)
			}
		})
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var targetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { targetHits.Add(1) }))
	defer target.Close()
	redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	cfg := config(redirect.URL)
	cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(0))}
	res, err := newDest(t, cfg, newClock()).Deliver(context.Background(), batch(1))
	if err != nil || len(res.Failed) != 1 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	if targetHits.Load() != 0 {
		t.Error("redirect was followed")
	}
	if !bytes.Contains(res.Failed[0].Line, []byte(`"errorCode":"HttpEndpoint.DestinationException","errorMessage":"The following response was received from the endpoint destination. 307: `)) {
		t.Errorf("line = %s", res.Failed[0].Line)
	}
}

func TestResponseTooLarge(t *testing.T) {
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r received) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"requestId":"` + r.requestID + `","timestamp":1,"pad":"` + strings.Repeat("x", maxResponseBytes) + `"}`))
	})
	cfg := config(rc.srv.URL)
	cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(0))}
	res, err := newDest(t, cfg, newClock()).Deliver(context.Background(), batch(1))
	if err != nil || len(res.Failed) != 1 || !bytes.Contains(res.Failed[0].Line, []byte(`"HttpEndpoint.ResponseTooLarge"`)) {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	cfg := config(url)
	cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(0))}
	res, err := newDest(t, cfg, newClock()).Deliver(context.Background(), batch(1))
	if err != nil || len(res.Failed) != 1 || !bytes.Contains(res.Failed[0].Line, []byte(`"HttpEndpoint.ConnectionFailed"`)) {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
}

func TestSplitsAt10000RecordsWithStableIDs(t *testing.T) {
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r received) { replyOK(w, r.requestID) })
	d := newDest(t, config(rc.srv.URL), newClock())
	b := batch(10_001)
	for range 2 {
		if res, err := d.Deliver(context.Background(), b); err != nil || len(res.Failed) != 0 {
			t.Fatalf("Deliver = %+v, %v", res, err)
		}
	}
	got := rc.requests()
	if len(got) != 4 {
		t.Fatalf("%d requests, want 2 per delivery", len(got))
	}
	if len(got[0].records) != 10_000 || len(got[1].records) != 1 {
		t.Fatalf("split %d + %d records", len(got[0].records), len(got[1].records))
	}
	if !bytes.Equal(got[1].records[0], b.Records[10_000].Data) {
		t.Error("second request does not carry the last record")
	}
	if got[0].requestID != b.ID || got[1].requestID == b.ID || got[1].requestID == "" {
		t.Errorf("request ids %q, %q", got[0].requestID, got[1].requestID)
	}
	if got[2].requestID != got[0].requestID || got[3].requestID != got[1].requestID {
		t.Errorf("ids differ between deliveries of one batch: %q %q / %q %q", got[0].requestID, got[1].requestID, got[2].requestID, got[3].requestID)
	}
}

func TestSplitBySize(t *testing.T) {
	defer func(v int) { maxBodyBytes = v }(maxBodyBytes)
	maxBodyBytes = 1 << 20 // the real 64 MiB takes long to encode under -race
	var recs []dest.Record
	for i := range 40 { // 40 × 48 KiB of base64 ≈ 1.9 MiB
		recs = append(recs, dest.Record{Data: bytes.Repeat([]byte{byte(i)}, 36<<10)})
	}
	chunks := split(recs)
	if len(chunks) != 2 {
		t.Fatalf("%d chunks, want 2", len(chunks))
	}
	var n int
	for _, c := range chunks {
		n += len(c)
		body, err := encodeBody("3f0d5e8c-6a38-4b52-9a57-0f5c3c1b2a10", 1_700_000_000_000, c, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(body) > maxBodyBytes {
			t.Errorf("body of %d bytes exceeds the %d limit", len(body), maxBodyBytes)
		}
	}
	if n != len(recs) || chunks[1][0].Data[0] != byte(len(chunks[0])) {
		t.Errorf("records lost or reordered across chunks")
	}
}

func TestContextCancellation(t *testing.T) {
	t.Run("while waiting for a response", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		defer srv.Close()
		defer close(release)
		d, err := New(config(srv.URL), Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = d.Deliver(ctx, batch(1))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
			t.Errorf("Deliver returned %v after %v", err, time.Since(start))
		}
	})
	t.Run("while backing off", func(t *testing.T) {
		rc := newReceiver(t, replyStatus(http.StatusInternalServerError))
		d, err := New(config(rc.srv.URL), Options{}) // real 1 s backoff
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = d.Deliver(ctx, batch(1))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 700*time.Millisecond {
			t.Errorf("Deliver returned %v after %v", err, time.Since(start))
		}
	})
}
