package splunk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
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
	return nil
}

const token = "1a2b3c4d-0000-4000-8000-00000000beef"

// hec is a fake Splunk HTTP Event Collector with indexer acknowledgement
// enabled, answering as Splunk documents.
type hec struct {
	t   *testing.T
	srv *httptest.Server

	mu sync.Mutex
	// ackAfter is the poll (1-based) at which an ackId turns true; 0 never.
	ackAfter int
	// failSends answers the first failSends posts with this status/code.
	failSends  int
	failStatus int
	failCode   int
	disabled   bool

	sends    []hecSend
	polls    map[int64]int
	channels map[string]bool
	nextAck  int64
}

type hecSend struct {
	path string
	body []byte
}

func newHEC(t *testing.T, ackAfter int) *hec {
	h := &hec{t: t, ackAfter: ackAfter, polls: map[int64]int{}, channels: map[string]bool{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func writeJSON(w http.ResponseWriter, status int, v string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, v)
}

func (h *hec) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		writeJSON(w, 401, `{"text":"Token is required","code":2}`)
		return
	case h.disabled:
		writeJSON(w, 403, `{"text":"Token disabled","code":1}`)
		return
	case auth != "Splunk "+token:
		writeJSON(w, 403, `{"text":"Invalid token","code":4}`)
		return
	}
	ch := r.Header.Get("X-Splunk-Request-Channel")
	if ch == "" {
		writeJSON(w, 400, `{"text":"Data channel is missing","code":10}`)
		return
	}
	h.channels[ch] = true
	body, _ := io.ReadAll(r.Body)
	switch r.URL.Path {
	case "/services/collector/raw", "/services/collector/event":
		h.sends = append(h.sends, hecSend{path: r.URL.Path, body: body})
		if len(h.sends) <= h.failSends {
			writeJSON(w, h.failStatus, `{"text":"failure","code":`+strconv.Itoa(h.failCode)+`}`)
			return
		}
		if r.URL.Path == "/services/collector/event" && !validEvents(body) {
			writeJSON(w, 400, `{"text":"Invalid data format","code":6,"invalid-event-number":0}`)
			return
		}
		id := h.nextAck
		h.nextAck++
		writeJSON(w, 200, `{"text":"Success","code":0,"ackId":`+strconv.FormatInt(id, 10)+`}`)
	case "/services/collector/ack":
		var q struct {
			Acks []int64 `json:"acks"`
		}
		if err := json.Unmarshal(body, &q); err != nil {
			writeJSON(w, 400, `{"text":"Invalid data format","code":6}`)
			return
		}
		var out bytes.Buffer
		out.WriteString(`{"acks":{`)
		for i, id := range q.Acks {
			h.polls[id]++
			if i > 0 {
				out.WriteByte(',')
			}
			done := h.ackAfter > 0 && h.polls[id] >= h.ackAfter
			out.WriteString(`"` + strconv.FormatInt(id, 10) + `":` + strconv.FormatBool(done))
		}
		out.WriteString(`}}`)
		writeJSON(w, 200, out.String())
	default:
		http.NotFound(w, r)
	}
}

// validEvents checks an /event body: concatenated JSON objects, each with
// an "event" field.
func validEvents(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	n := 0
	for {
		var ev map[string]json.RawMessage
		err := dec.Decode(&ev)
		if errors.Is(err, io.EOF) {
			return n > 0
		}
		if err != nil {
			return false
		}
		if _, ok := ev["event"]; !ok {
			return false
		}
		n++
	}
}

func (h *hec) snapshot() ([]hecSend, map[int64]int, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := map[int64]int{}
	for k, v := range h.polls {
		p[k] = v
	}
	return append([]hecSend(nil), h.sends...), p, len(h.channels)
}

func ptr[T any](v T) *T { return &v }

func config(endpoint, typ string) *firehoseapi.SplunkDestinationConfiguration {
	return &firehoseapi.SplunkDestinationConfiguration{HECEndpoint: endpoint, HECEndpointType: typ, HECToken: ptr(token)}
}

func batch(data ...string) dest.Batch {
	b := dest.Batch{ID: "b1", Stream: "s1", StreamARN: "arn:aws:firehose:us-east-1:000000000000:deliverystream/s1"}
	for i, s := range data {
		b.Records = append(b.Records, dest.Record{
			ID: "4957719392811414733960077847108249239316413987720003584" + strconv.Itoa(i) + ".0", Data: []byte(s),
			ArrivalMs: 1_506_035_354_675 + int64(i),
		})
	}
	return b
}

func newDest(t *testing.T, cfg *firehoseapi.SplunkDestinationConfiguration, c *fakeClock) dest.Destination {
	t.Helper()
	d, err := New(cfg, Options{Now: c.Now, Sleep: c.Sleep})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

type (
	retryOpts    = firehoseapi.SplunkRetryOptions
	hints        = firehoseapi.SplunkBufferingHints
	splunkConfig = firehoseapi.SplunkDestinationConfiguration
	splunkUpdate = firehoseapi.SplunkDestinationUpdate
)
