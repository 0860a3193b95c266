package opensearch

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

func TestBulkRequestFormat(t *testing.T) {
	cl := newCluster(t, ok)
	cfg := config(cl.srv.URL + "/")
	cfg.IndexRotationPeriod = ptr(OneHour)
	d := newDest(t, cfg, newClock())
	b := batch(`{"a":1}`, `{"b":"x<y"}`+"\n")
	b.Records[1].ArrivalMs = arrival.Add(time.Hour).UnixMilli() // next hour's index
	res, err := d.Deliver(context.Background(), b)
	if err != nil || len(res.Failed) != 0 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	calls := cl.requests()
	if len(calls) != 1 || len(calls[0]) != 2 {
		t.Fatalf("calls = %+v", calls)
	}
	if cl.ctypes[0] != "application/x-ndjson" {
		t.Errorf("Content-Type = %q", cl.ctypes[0])
	}
	want := []bulkItem{
		{Index: "logs-2016-02-25-13", ID: b.Records[0].ID, Source: json.RawMessage(`{"a":1}`)},
		{Index: "logs-2016-02-25-14", ID: b.Records[1].ID, Source: json.RawMessage(`{"b":"x<y"}`)},
	}
	for i, w := range want {
		g := calls[0][i]
		if g.Index != w.Index || g.ID != w.ID || g.Type != "" || !bytes.Equal(g.Source, w.Source) {
			t.Errorf("item %d = %+v %s, want %+v %s", i, g, g.Source, w, w.Source)
		}
	}
}

func TestNoDocumentIDAndTypeName(t *testing.T) {
	cl := newCluster(t, ok)
	ep := cl.srv.URL
	d, err := NewElasticsearch(&firehoseapi.ElasticsearchDestinationConfiguration{
		RoleARN: "arn:aws:iam::000000000000:role/r", ClusterEndpoint: &ep, IndexName: "es6", TypeName: ptr("_doc"),
		IndexRotationPeriod: ptr(NoRotation), DocumentIdOptions: &firehoseapi.DocumentIdOptions{DefaultDocumentIdFormat: "NO_DOCUMENT_ID"},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Deliver(context.Background(), batch(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	g := cl.requests()[0][0]
	if g.ID != "" || g.Type != "_doc" || g.Index != "es6" {
		t.Errorf("item = %+v, want no _id, _type _doc, index es6", g)
	}
}

type line struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	ESDocumentID           string `json:"esDocumentId"`
	ESIndexName            string `json:"esIndexName"`
	ESTypeName             string `json:"esTypeName"`
	RawData                string `json:"rawData"`
}

func decodeLine(t *testing.T, b []byte) line {
	t.Helper()
	if !strings.HasPrefix(string(b), `{"attemptsMade":`) {
		t.Errorf("field order: %s", b)
	}
	var l line
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("error line %s: %v", b, err)
	}
	return l
}

func TestPartialFailuresRetriedItemWise(t *testing.T) {
	b := batch(`{"n":0}`, `{"n":1}`, `{"n":2}`, `{"n":3}`)
	cl := newCluster(t, func(call int, it bulkItem) int {
		if call > 0 {
			return 201
		}
		switch it.ID {
		case b.Records[1].ID:
			return 429
		case b.Records[2].ID:
			return 503
		case b.Records[3].ID:
			return 400
		}
		return 201
	})
	c := newClock()
	res, err := newDest(t, config(cl.srv.URL), c).Deliver(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	calls := cl.requests()
	if len(calls) != 2 {
		t.Fatalf("%d _bulk calls, want 2", len(calls))
	}
	if len(calls[1]) != 2 || calls[1][0].ID != b.Records[1].ID || calls[1][1].ID != b.Records[2].ID {
		t.Errorf("retry carried %+v, want records 1 and 2 with their first _ids", calls[1])
	}
	if calls[1][0].ID != calls[0][1].ID || calls[1][1].ID != calls[0][2].ID {
		t.Error("FIREHOSE_DEFAULT ids changed between attempts")
	}
	if len(res.Failed) != 1 {
		t.Fatalf("%d failed, want only the 400 document", len(res.Failed))
	}
	l := decodeLine(t, res.Failed[0].Line)
	raw, _ := base64.StdEncoding.DecodeString(l.RawData)
	if l.ErrorCode != "400" || !strings.Contains(l.ErrorMessage, "mapper_parsing_exception") || l.AttemptsMade != 1 ||
		l.ESDocumentID != b.Records[3].ID || l.ESIndexName != "logs-2016-02-25" || string(raw) != `{"n":3}` ||
		l.ArrivalTimestamp != b.Records[3].ArrivalMs {
		t.Errorf("line = %+v", l)
	}
}

func TestRetryWindowExpiry(t *testing.T) {
	cl := newCluster(t, func(_ int, it bulkItem) int {
		if strings.Contains(string(it.Source), `"bad"`) {
			return 503
		}
		return 201
	})
	cfg := config(cl.srv.URL)
	cfg.RetryOptions = &firehoseapi.AmazonopensearchserviceRetryOptions{DurationInSeconds: ptr(int64(10))}
	c := newClock()
	res, err := newDest(t, cfg, c).Deliver(context.Background(), batch(`{"ok":1}`, `{"bad":1}`))
	if err != nil || len(res.Failed) != 1 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	// 1, 2, 4 s backoffs stay under 10 s; after the 8 s one it is over.
	if n := len(cl.requests()); n != 5 {
		t.Errorf("%d calls, want 5", n)
	}
	l := decodeLine(t, res.Failed[0].Line)
	if l.ErrorCode != "503" || l.AttemptsMade != 5 || l.AttemptEndingTimestamp != c.Now().UnixMilli() {
		t.Errorf("line = %+v", l)
	}
}

func TestWholeRequestFailuresRetried(t *testing.T) {
	cl := newCluster(t, ok)
	cl.whole = func(call int) int {
		if call < 2 {
			return 503
		}
		return 0
	}
	res, err := newDest(t, config(cl.srv.URL), newClock()).Deliver(context.Background(), batch(`{"a":1}`, `{"a":2}`))
	if err != nil || len(res.Failed) != 0 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	if calls := cl.requests(); len(calls) != 3 || len(calls[2]) != 2 {
		t.Errorf("calls = %d", len(calls))
	}
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	cfg := config(u)
	cfg.RetryOptions = &firehoseapi.AmazonopensearchserviceRetryOptions{DurationInSeconds: ptr(int64(0))}
	res, err := newDest(t, cfg, newClock()).Deliver(context.Background(), batch(`{"a":1}`))
	if err != nil || len(res.Failed) != 1 || decodeLine(t, res.Failed[0].Line).ErrorCode != "ConnectionFailed" {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
}

func TestInvalidRecordFailsAlone(t *testing.T) {
	cl := newCluster(t, ok)
	b := batch(`{"a":1}`, `{not json`, "{\"a\":\n2}", `[1,2]`, `{"a":3}`+"\r\n")
	c := newClock()
	res, err := newDest(t, config(cl.srv.URL), c).Deliver(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	calls := cl.requests()
	if len(calls) != 1 || len(calls[0]) != 2 || calls[0][0].ID != b.Records[0].ID || calls[0][1].ID != b.Records[4].ID {
		t.Fatalf("sent %+v, want only records 0 and 4", calls)
	}
	if len(res.Failed) != 3 {
		t.Fatalf("%d failed, want 3", len(res.Failed))
	}
	for i, f := range res.Failed {
		l := decodeLine(t, f.Line)
		raw, _ := base64.StdEncoding.DecodeString(l.RawData)
		if l.AttemptsMade != 0 || l.ErrorCode != "400" || string(raw) != string(b.Records[i+1].Data) {
			t.Errorf("line %d = %+v", i, l)
		}
	}
}

func TestFirehoseDefaultIDsStableAcrossDeliveries(t *testing.T) {
	cl := newCluster(t, ok)
	d := newDest(t, config(cl.srv.URL), newClock())
	b := batch(`{"a":1}`, `{"a":2}`)
	for range 2 {
		if _, err := d.Deliver(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	calls := cl.requests()
	for i := range 2 {
		if calls[0][i].ID == "" || calls[0][i].ID != calls[1][i].ID {
			t.Errorf("item %d ids %q / %q", i, calls[0][i].ID, calls[1][i].ID)
		}
	}
}

func TestContextCancellation(t *testing.T) {
	cl := newCluster(t, func(int, bulkItem) int { return 503 })
	d, err := New(config(cl.srv.URL), Options{}) // real backoff
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = d.Deliver(ctx, batch(`{"a":1}`))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 700*time.Millisecond {
		t.Errorf("Deliver returned %v after %v", err, time.Since(start))
	}
}

func TestValidate(t *testing.T) {
	if err := Validate(config("http://127.0.0.1:9200")); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	bad := map[string]func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration){
		"domain only": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) {
			c.ClusterEndpoint, c.DomainARN = nil, ptr("arn:aws:es:us-east-1:000000000000:domain/abc")
		},
		"both": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) {
			c.DomainARN = ptr("arn:aws:es:us-east-1:000000000000:domain/abc")
		},
		"neither":   func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) { c.ClusterEndpoint = nil },
		"uppercase": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) { c.IndexName = "Logs" },
		"leading _": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) { c.IndexName = "_logs" },
		"comma":     func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) { c.IndexName = "a,b" },
		"rotation": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) {
			c.IndexRotationPeriod = ptr("OneYear")
		},
		"retry": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) {
			c.RetryOptions = &firehoseapi.AmazonopensearchserviceRetryOptions{DurationInSeconds: ptr(int64(7201))}
		},
		"backup": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) {
			c.S3BackupMode = ptr("FailedEventsOnly")
		},
		"size 101": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) {
			c.BufferingHints = &firehoseapi.AmazonopensearchserviceBufferingHints{SizeInMBs: ptr(int64(101))}
		},
		"doc id": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) {
			c.DocumentIdOptions = &firehoseapi.DocumentIdOptions{DefaultDocumentIdFormat: "UUID"}
		},
		"endpoint url": func(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) {
			c.ClusterEndpoint = ptr("search:9200")
		},
	}
	for name, mutate := range bad {
		c := config("https://search.example")
		mutate(c)
		if e, isAWS := awserr.As(Validate(c)); !isAWS || e.Code != "InvalidArgumentException" {
			t.Errorf("%s: Validate = %v", name, Validate(c))
		}
	}
	if err := ValidateElasticsearch(&firehoseapi.ElasticsearchDestinationConfiguration{IndexName: "x"}); err == nil {
		t.Error("Elasticsearch config without endpoint accepted")
	}
}

func TestApplyUpdate(t *testing.T) {
	c := config("https://a")
	c.IndexRotationPeriod = ptr(OneHour)
	ApplyUpdate(c, &firehoseapi.AmazonopensearchserviceDestinationUpdate{IndexName: ptr("new"), ClusterEndpoint: ptr("https://b")})
	if c.IndexName != "new" || *c.ClusterEndpoint != "https://b" || *c.IndexRotationPeriod != OneHour {
		t.Errorf("merged = %+v", c)
	}
	e := &firehoseapi.ElasticsearchDestinationConfiguration{IndexName: "a", ClusterEndpoint: ptr("https://a")}
	ApplyElasticsearchUpdate(e, &firehoseapi.ElasticsearchDestinationUpdate{TypeName: ptr("t")})
	if e.IndexName != "a" || *e.TypeName != "t" {
		t.Errorf("merged = %+v", e)
	}
}
