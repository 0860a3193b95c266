package opensearch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
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

// bulkItem is one action + document as the fake cluster parsed it.
type bulkItem struct {
	Index, Type, ID string
	Source          json.RawMessage
}

// cluster is a fake OpenSearch _bulk endpoint: it parses the NDJSON body
// strictly (a malformed line fails the whole request with 400, as
// OpenSearch does) and answers each item with status(attempt, item).
type cluster struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	calls  [][]bulkItem
	ctypes []string
	// whole, when it returns non-zero, fails the whole request.
	whole  func(call int) int
	status func(call int, it bulkItem) int
}

func newCluster(t *testing.T, status func(call int, it bulkItem) int) *cluster {
	c := &cluster{t: t, status: status, whole: func(int) int { return 0 }}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *cluster) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/_bulk" {
		http.NotFound(w, r)
		return
	}
	var items []bulkItem
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	for sc.Scan() {
		var action map[string]struct {
			Index string `json:"_index"`
			Type  string `json:"_type"`
			ID    string `json:"_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &action); err != nil || len(action) != 1 {
			http.Error(w, `{"error":{"type":"illegal_argument_exception","reason":"Malformed action/metadata line"},"status":400}`, 400)
			return
		}
		a, ok := action["index"]
		if !ok || !sc.Scan() {
			http.Error(w, `{"error":{"type":"illegal_argument_exception","reason":"expected index action and source"},"status":400}`, 400)
			return
		}
		src := append([]byte(nil), sc.Bytes()...)
		if !json.Valid(src) {
			http.Error(w, `{"error":{"type":"parse_exception","reason":"bad source"},"status":400}`, 400)
			return
		}
		items = append(items, bulkItem{Index: a.Index, Type: a.Type, ID: a.ID, Source: src})
	}
	c.mu.Lock()
	call := len(c.calls)
	c.calls = append(c.calls, items)
	c.ctypes = append(c.ctypes, r.Header.Get("Content-Type"))
	c.mu.Unlock()
	if st := c.whole(call); st != 0 {
		http.Error(w, `{"error":"cluster unavailable"}`, st)
		return
	}
	var out bytes.Buffer
	out.WriteString(`{"took":3,"errors":false,"items":[`)
	for i, it := range items {
		if i > 0 {
			out.WriteByte(',')
		}
		st := c.status(call, it)
		id := it.ID
		if id == "" {
			id = "auto-" + strconv.Itoa(call) + "-" + strconv.Itoa(i)
		}
		out.WriteString(`{"index":{"_index":"` + it.Index + `","_id":"` + id + `","status":` + strconv.Itoa(st))
		switch {
		case st == 429:
			out.WriteString(`,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution"}`)
		case st >= 500:
			out.WriteString(`,"error":{"type":"unavailable_shards_exception","reason":"primary shard is not active"}`)
		case st >= 300:
			out.WriteString(`,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [n]"}`)
		}
		out.WriteString(`}}`)
	}
	out.WriteString(`]}`)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out.Bytes())
}

func (c *cluster) requests() [][]bulkItem {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]bulkItem(nil), c.calls...)
}

func ok(int, bulkItem) int { return 201 }

func ptr[T any](v T) *T { return &v }

func config(endpoint string) *firehoseapi.AmazonopensearchserviceDestinationConfiguration {
	return &firehoseapi.AmazonopensearchserviceDestinationConfiguration{
		RoleARN: "arn:aws:iam::000000000000:role/r", ClusterEndpoint: &endpoint, IndexName: "logs",
	}
}

// arrival is 2016-02-25T13:00:00Z, AWS's documentation example.
var arrival = time.Date(2016, 2, 25, 13, 0, 0, 0, time.UTC)

func batch(data ...string) dest.Batch {
	b := dest.Batch{ID: "b", Stream: "s1", Now: arrival.Add(time.Hour)}
	for i, s := range data {
		b.Records = append(b.Records, dest.Record{
			ID: "4954698668313554428650745793632162567570019247115678515" + strconv.Itoa(i) + ".0", Data: []byte(s),
			ArrivalMs: arrival.UnixMilli() + int64(i),
		})
	}
	return b
}

func newDest(t *testing.T, cfg *firehoseapi.AmazonopensearchserviceDestinationConfiguration, c *fakeClock) dest.Destination {
	t.Helper()
	d, err := New(cfg, Options{Now: c.Now, Sleep: c.Sleep})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}
