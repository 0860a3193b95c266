package process

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The fake speaks the Lambda Invoke API the way the service does:
// POST /2015-03-31/functions/{name}/invocations, the event as the body,
// the function's answer as the response body, X-Amz-Function-Error when
// the function failed.

type fakeEvent struct {
	InvocationID           *string           `json:"invocationId"`
	DeliveryStreamArn      *string           `json:"deliveryStreamArn"`
	SourceKinesisStreamArn *string           `json:"sourceKinesisStreamArn"`
	Region                 *string           `json:"region"`
	Records                []fakeEventRecord `json:"records"`
}

type fakeEventRecord struct {
	RecordID                    string `json:"recordId"`
	ApproximateArrivalTimestamp int64  `json:"approximateArrivalTimestamp"`
	Data                        string `json:"data"`
	KinesisRecordMetadata       *struct {
		ShardID                     string `json:"shardId"`
		PartitionKey                string `json:"partitionKey"`
		ApproximateArrivalTimestamp int64  `json:"approximateArrivalTimestamp"`
		SequenceNumber              string `json:"sequenceNumber"`
		SubsequenceNumber           int64  `json:"subsequenceNumber"`
	} `json:"kinesisRecordMetadata"`
}

// decoded returns the record's data, failing the test if it is not
// standard base64.
func (r fakeEventRecord) decoded(t *testing.T) string {
	b, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		t.Errorf("record %s: data is not base64: %v", r.RecordID, err)
	}
	return string(b)
}

// reply is what the fake function answers: a body, and a function error
// ("" for none).
type reply struct {
	body    []byte
	funcErr string
	status  int
}

type fakeLambda struct {
	t        *testing.T
	function string
	handle   func(call int, ev fakeEvent) reply

	mu     sync.Mutex
	calls  int
	events []fakeEvent
	sizes  []int
	raw    [][]byte
}

func newFakeLambda(t *testing.T, function string, handle func(call int, ev fakeEvent) reply) (*fakeLambda, *httptest.Server) {
	f := &fakeLambda{t: t, function: function, handle: handle}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeLambda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := f.t
	want := "/2015-03-31/functions/" + f.function + "/invocations"
	if r.Method != http.MethodPost || r.URL.Path != want {
		t.Errorf("request %s %s, want POST %s", r.Method, r.URL.Path, want)
		http.Error(w, `{"Type":"User","message":"Function not found"}`, http.StatusNotFound)
		return
	}
	if it := r.Header.Get("X-Amz-Invocation-Type"); it != "RequestResponse" {
		t.Errorf("X-Amz-Invocation-Type = %q, want RequestResponse", it)
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		t.Errorf("request is not SigV4-signed")
	}
	body, _ := io.ReadAll(r.Body)
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	var ev fakeEvent
	if err := dec.Decode(&ev); err != nil {
		t.Errorf("event is not the documented JSON: %v", err)
	}
	if ev.InvocationID == nil || ev.DeliveryStreamArn == nil || ev.Region == nil {
		t.Errorf("event lacks invocationId, deliveryStreamArn or region")
	}
	f.mu.Lock()
	f.calls++
	call := f.calls
	f.events = append(f.events, ev)
	f.sizes = append(f.sizes, len(body))
	f.raw = append(f.raw, body)
	f.mu.Unlock()
	rep := f.handle(call, ev)
	if rep.funcErr != "" {
		w.Header().Set("X-Amz-Function-Error", rep.funcErr)
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.status != 0 {
		w.Header().Set("X-Amzn-ErrorType", "ServiceException")
		w.WriteHeader(rep.status)
	}
	w.Write(rep.body)
}

// respond builds a transformation response from entries.
func respond(entries ...map[string]any) reply {
	b, _ := json.Marshal(map[string]any{"records": entries})
	return reply{body: b}
}

func ok(id, data string, keys map[string]string) map[string]any {
	m := map[string]any{"recordId": id, "result": "Ok", "data": base64.StdEncoding.EncodeToString([]byte(data))}
	if keys != nil {
		m["metadata"] = map[string]any{"partitionKeys": keys}
	}
	return m
}

type httpNotFound struct{}

func (httpNotFound) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(`{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:transform"}`))
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
