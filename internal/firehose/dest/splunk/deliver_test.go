package splunk

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

func TestRawConcatenatesAndWaitsForAck(t *testing.T) {
	h := newHEC(t, 2)
	c := newClock()
	d := newDest(t, config(h.srv.URL+"/", "Raw"), c)
	res, err := d.Deliver(context.Background(), batch("line one\n", "line two\n", "no newline"))
	if err != nil || len(res.Failed) != 0 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	sends, polls, channels := h.snapshot()
	if len(sends) != 1 || sends[0].path != "/services/collector/raw" {
		t.Fatalf("sends = %+v", sends)
	}
	if got := string(sends[0].body); got != "line one\nline two\nno newline" {
		t.Errorf("raw body = %q", got)
	}
	if polls[0] != 2 {
		t.Errorf("ack polled %d times, want 2 (true on the second)", polls[0])
	}
	if channels != 1 {
		t.Errorf("%d channels used, want the destination's single channel", channels)
	}
}

func TestEventEndpoint(t *testing.T) {
	h := newHEC(t, 1)
	d := newDest(t, config(h.srv.URL, "Event"), newClock())
	recs := []string{`{"event":{"a":1},"sourcetype":"aws:firehose"}`, `{"event":"two","time":1506035354}`}
	res, err := d.Deliver(context.Background(), batch(recs...))
	if err != nil || len(res.Failed) != 0 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	sends, _, _ := h.snapshot()
	if len(sends) != 1 || sends[0].path != "/services/collector/event" || string(sends[0].body) != strings.Join(recs, "") {
		t.Fatalf("sends = %+v", sends)
	}
}

type line struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	RawData                string `json:"rawData"`
	SubsequenceNumber      int    `json:"subsequenceNumber"`
	EventID                string `json:"EventId"`
}

func decodeLine(t *testing.T, b []byte) line {
	t.Helper()
	var l line
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("error line %s: %v", b, err)
	}
	return l
}

func TestInvalidEventFailsWithErrorLines(t *testing.T) {
	h := newHEC(t, 1)
	cfg := config(h.srv.URL, "Event")
	cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(0))}
	c := newClock()
	b := batch(`{"notevent":1}`, `{"event":2}`)
	res, err := newDest(t, cfg, c).Deliver(context.Background(), b)
	if err != nil || len(res.Failed) != 2 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	for i, f := range res.Failed {
		if !strings.HasPrefix(string(f.Line), `{"attemptsMade":1,"arrivalTimestamp":`) {
			t.Errorf("field order: %s", f.Line)
		}
		l := decodeLine(t, f.Line)
		raw, _ := base64.StdEncoding.DecodeString(l.RawData)
		if l.ErrorCode != "Splunk.InvalidDataFormat" || string(raw) != string(b.Records[i].Data) ||
			l.EventID != b.Records[i].ID || l.ArrivalTimestamp != b.Records[i].ArrivalMs || l.AttemptEndingTimestamp != c.Now().UnixMilli() {
			t.Errorf("line %d = %+v", i, l)
		}
	}
}

func TestHECErrorCodes(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *hec, tok *string)
		want  string
	}{
		{"invalid token", func(_ *hec, tok *string) { *tok = "wrong" }, "Splunk.InvalidToken"},
		{"disabled token", func(h *hec, _ *string) { h.disabled = true }, "Splunk.DisabledToken"},
		{"invalid index", func(h *hec, _ *string) { h.failSends, h.failStatus, h.failCode = 99, 400, 7 }, "Splunk.InvalidIndex"},
		{"server busy", func(h *hec, _ *string) { h.failSends, h.failStatus, h.failCode = 99, 503, 9 }, "Splunk.ServerError"},
		{"invalid channel", func(h *hec, _ *string) { h.failSends, h.failStatus, h.failCode = 99, 400, 11 }, "Splunk.ProxyWithoutStickySessions"},
		{"ack disabled", func(h *hec, _ *string) { h.failSends, h.failStatus, h.failCode = 99, 400, 14 }, "Splunk.DisabledAck"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHEC(t, 1)
			tok := token
			tc.setup(h, &tok)
			cfg := config(h.srv.URL, "Raw")
			cfg.HECToken = &tok
			cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(0))}
			res, err := newDest(t, cfg, newClock()).Deliver(context.Background(), batch("x"))
			if err != nil || len(res.Failed) != 1 {
				t.Fatalf("Deliver = %+v, %v", res, err)
			}
			if l := decodeLine(t, res.Failed[0].Line); l.ErrorCode != tc.want {
				t.Errorf("errorCode = %q, want %q", l.ErrorCode, tc.want)
			}
		})
	}
}

func TestServerErrorsRetriedThenDelivered(t *testing.T) {
	h := newHEC(t, 1)
	h.failSends, h.failStatus, h.failCode = 2, 503, 9
	res, err := newDest(t, config(h.srv.URL, "Raw"), newClock()).Deliver(context.Background(), batch("a", "b"))
	if err != nil || len(res.Failed) != 0 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	sends, _, _ := h.snapshot()
	if len(sends) != 3 || string(sends[2].body) != "ab" {
		t.Fatalf("%d sends, want 3 with the same body", len(sends))
	}
}

func TestAckTimeout(t *testing.T) {
	t.Run("no retries", func(t *testing.T) {
		h := newHEC(t, 0) // never acknowledges
		cfg := config(h.srv.URL, "Raw")
		cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(0))}
		c := newClock()
		start := c.Now()
		res, err := newDest(t, cfg, c).Deliver(context.Background(), batch("x"))
		if err != nil || len(res.Failed) != 1 {
			t.Fatalf("Deliver = %+v, %v", res, err)
		}
		if l := decodeLine(t, res.Failed[0].Line); l.ErrorCode != "Splunk.AckTimeout" || l.AttemptsMade != 1 {
			t.Errorf("line = %+v", l)
		}
		_, polls, _ := h.snapshot()
		waited := c.Now().Sub(start)
		if waited < 179*time.Second || waited > 180*time.Second || polls[0] < 170 {
			t.Errorf("waited %v with %d polls, want the 180 s default acknowledgement timeout", waited, polls[0])
		}
	})
	t.Run("ack waits do not count against the retry window", func(t *testing.T) {
		h := newHEC(t, 0)
		cfg := config(h.srv.URL, "Raw")
		cfg.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(60))}
		cfg.HECAcknowledgmentTimeoutInSeconds = ptr(int64(180))
		res, err := newDest(t, cfg, newClock()).Deliver(context.Background(), batch("x"))
		if err != nil || len(res.Failed) != 1 {
			t.Fatalf("Deliver = %+v, %v", res, err)
		}
		// Backoffs 1+2+4+8+16+32 s (±15 %) reach 60 s after 7 or 8 sends; were
		// the 180 s acknowledgement waits counted it would stop after 2.
		sends, _, _ := h.snapshot()
		if len(sends) < 7 || len(sends) > 8 {
			t.Errorf("%d sends, want 7 or 8", len(sends))
		}
	})
}

func TestContextCancelledWhileWaitingForAck(t *testing.T) {
	h := newHEC(t, 0)
	d, err := New(config(h.srv.URL, "Raw"), Options{}) // real 1 s poll interval
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = d.Deliver(ctx, batch("x"))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 700*time.Millisecond {
		t.Errorf("Deliver returned %v after %v", err, time.Since(start))
	}
}

func TestValidate(t *testing.T) {
	if err := Validate(config("http://127.0.0.1:8088", "Raw")); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	bad := map[string]func(c *splunkConfig){
		"type":        func(c *splunkConfig) { c.HECEndpointType = "raw" },
		"endpoint":    func(c *splunkConfig) { c.HECEndpoint = "splunk:8088" },
		"ack 179":     func(c *splunkConfig) { c.HECAcknowledgmentTimeoutInSeconds = ptr(int64(179)) },
		"ack 601":     func(c *splunkConfig) { c.HECAcknowledgmentTimeoutInSeconds = ptr(int64(601)) },
		"size 6":      func(c *splunkConfig) { c.BufferingHints = &hints{SizeInMBs: ptr(int64(6))} },
		"interval 61": func(c *splunkConfig) { c.BufferingHints = &hints{IntervalInSeconds: ptr(int64(61))} },
		"retry":       func(c *splunkConfig) { c.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(7201))} },
		"backup":      func(c *splunkConfig) { c.S3BackupMode = ptr("AllData") },
		"no token":    func(c *splunkConfig) { c.HECToken = nil },
	}
	for name, mutate := range bad {
		c := config("https://splunk.example:8088", "Event")
		mutate(c)
		if e, ok := awserr.As(Validate(c)); !ok || e.Code != "InvalidArgumentException" {
			t.Errorf("%s: Validate = %v", name, Validate(c))
		}
	}
}

func TestApplyUpdate(t *testing.T) {
	c := config("https://a:8088", "Raw")
	c.HECAcknowledgmentTimeoutInSeconds = ptr(int64(300))
	ApplyUpdate(c, &splunkUpdate{HECEndpointType: ptr("Event"), BufferingHints: &hints{SizeInMBs: ptr(int64(2))}})
	if c.HECEndpointType != "Event" || c.HECEndpoint != "https://a:8088" || *c.HECAcknowledgmentTimeoutInSeconds != 300 ||
		*c.BufferingHints.SizeInMBs != 2 || *c.HECToken != token {
		t.Errorf("merged = %+v", c)
	}
}
