package kinesisapi

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/protocol/awscbor"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
)

func ptr[T any](v T) *T { return &v }

// fakeAPI records the requests of the operations these tests call; any
// other method panics (nil embedded interface).
type fakeAPI struct {
	API
	put      *PutRecordsInput
	putOut   *PutRecordsOutput
	getOut   *GetRecordsOutput
	describe *DescribeStreamInput
}

func (f *fakeAPI) PutRecords(_ context.Context, in *PutRecordsInput) (*PutRecordsOutput, error) {
	// The handler's buffers are reused once it returns: keep copies.
	c := &PutRecordsInput{StreamName: in.StreamName, Records: make([]PutRecordsRequestEntry, len(in.Records))}
	for i, r := range in.Records {
		c.Records[i] = PutRecordsRequestEntry{Data: bytes.Clone(r.Data), PartitionKey: string([]byte(r.PartitionKey))}
	}
	f.put = c
	return f.putOut, nil
}

func (f *fakeAPI) GetRecords(context.Context, *GetRecordsInput) (*GetRecordsOutput, error) {
	return f.getOut, nil
}

func (f *fakeAPI) DescribeStream(_ context.Context, in *DescribeStreamInput) (*DescribeStreamOutput, error) {
	f.describe = in
	return &DescribeStreamOutput{StreamDescription: StreamDescription{
		StreamName: *in.StreamName, StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/" + *in.StreamName,
		StreamStatus: "ACTIVE", StreamCreationTimestamp: time.UnixMilli(1700000000123).UTC(),
		Shards: []Shard{}, HasMoreShards: false, RetentionPeriodHours: 24, EnhancedMonitoring: []EnhancedMetrics{},
	}}, nil
}

func cbor(t *testing.T, diag string) []byte {
	t.Helper()
	b, err := awscbor.FromDiagnostic(diag)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func diagnose(t *testing.T, b []byte) string {
	t.Helper()
	d, err := awscbor.Diagnose(b)
	if err != nil {
		t.Fatalf("%x: %v", b, err)
	}
	return d
}

func TestCBORPutRecords(t *testing.T) {
	api := &fakeAPI{putOut: &PutRecordsOutput{FailedRecordCount: ptr(int64(1)), Records: []PutRecordsResultEntry{
		{SequenceNumber: ptr("49"), ShardId: ptr("shardId-000000000000")},
		{ErrorCode: ptr("ProvisionedThroughputExceededException"), ErrorMessage: ptr("Rate exceeded")},
	}}}
	h := cborHandler("PutRecords", Operations["PutRecords"], putRecordsHandler(api), api)
	// Data as a byte string or as base64 text; a key sent as bytes is the
	// text they hold.
	out, err := h(context.Background(), cbor(t, `{"StreamName": "s", "Records": [{"Data": h'00ff10', "PartitionKey": "a"}, `+
		`{"Data": "AP8Q", "PartitionKey": "b"}, {"Data": h'00ff10', "PartitionKey": h'63'}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for i, pk := range []string{"a", "b", "c"} {
		r := api.put.Records[i]
		if !bytes.Equal(r.Data, []byte{0, 0xff, 0x10}) || r.PartitionKey != pk {
			t.Errorf("record %d bound as %+v", i, r)
		}
	}
	want := `{"FailedRecordCount": 1, "Records": [{"SequenceNumber": "49", "ShardId": "shardId-000000000000"}, ` +
		`{"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded"}]}`
	if got := diagnose(t, out); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestCBORErrorsMatchJSON: a CBOR request gets the error its JSON twin
// gets, text for text.
func TestCBORErrorsMatchJSON(t *testing.T) {
	api := &fakeAPI{}
	for _, c := range []struct{ op, diag, json string }{
		{"PutRecords", `{"StreamName": "s", "Records": []}`, `{"StreamName":"s","Records":[]}`},
		{"PutRecords", `{"Records": [{"Data": h'00', "PartitionKey": 5}]}`, `{"Records":[{"Data":"AA==","PartitionKey":5}]}`},
		{"PutRecords", `{"Records": [{"Data": "AB=C", "PartitionKey": "k"}]}`, `{"Records":[{"Data":"AB=C","PartitionKey":"k"}]}`},
		{"PutRecords", `[1]`, `[1]`},
		{"GetRecords", `{"ShardIterator": "", "Limit": 0}`, `{"ShardIterator":"","Limit":0}`},
		{"DescribeStream", `{"StreamName": "bad name!", "Limit": 1.5}`, `{"StreamName":"bad name!","Limit":1.5}`},
		{"DescribeStream", `{"StreamName": true}`, `{"StreamName":true}`},
		{"CreateStream", `{"StreamName": "s", "ShardCount": "1"}`, `{"StreamName":"s","ShardCount":"1"}`},
	} {
		jsonH := builders[c.op](api)
		_, jerr := jsonH(context.Background(), []byte(c.json))
		_, cerr := cborHandler(c.op, Operations[c.op], jsonH, api)(context.Background(), cbor(t, c.diag))
		je, jok := awserr.As(jerr)
		ce, cok := awserr.As(cerr)
		if !jok || !cok || *je != *ce {
			t.Errorf("%s %s:\n cbor %v\n json %v", c.op, c.diag, cerr, jerr)
		}
	}
	// Malformed CBOR is what malformed JSON is.
	_, err := cborHandler("DescribeStream", Operations["DescribeStream"], builders["DescribeStream"](api), api)(context.Background(), []byte{0xa1, 0x01})
	if e, ok := awserr.As(err); !ok || e.Code != "SerializationException" || e.Message != "" {
		t.Errorf("malformed CBOR: %v", err)
	}
}

func TestCBORTranscodedOperation(t *testing.T) {
	api := &fakeAPI{}
	h := cborHandler("DescribeStream", Operations["DescribeStream"], builders["DescribeStream"](api), api)
	out, err := h(context.Background(), cbor(t, `{_ "StreamName": (_ "w", "1"), "Limit": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	if *api.describe.StreamName != "w1" || *api.describe.Limit != 1 {
		t.Errorf("bound %+v", api.describe)
	}
	got := diagnose(t, out)
	want := `{"StreamDescription": {"StreamName": "w1", "StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/w1", ` +
		`"StreamStatus": "ACTIVE", "Shards": [], "HasMoreShards": false, "RetentionPeriodHours": 24, ` +
		`"StreamCreationTimestamp": 1(1700000000123), "EnhancedMonitoring": []}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Operations without output answer nothing, as in JSON; unbuilt ones
	// answer UnknownOperationException whatever the body.
	for name := range Operations {
		if _, built := builders[name]; built {
			continue
		}
		_, err := cborHandler(name, Operations[name], notBuilt(name), api)(context.Background(), []byte{0xff})
		if e, ok := awserr.As(err); !ok || e.Code != "UnknownOperationException" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

var arrival = time.UnixMilli(1700000000123).UTC()

// TestCBOREncodersMatchTranscoding: the hand-written CBOR encoders write
// exactly what transcoding the JSON fast paths' output would.
func TestCBOREncodersMatchTranscoding(t *testing.T) {
	childShards := []ChildShard{{ShardId: "shardId-000000000002", ParentShards: []string{"shardId-000000000000"},
		HashKeyRange: HashKeyRange{StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455"}}}
	puts := []*PutRecordsOutput{
		{Records: []PutRecordsResultEntry{}},
		{FailedRecordCount: ptr(int64(0)), EncryptionType: ptr("KMS"), Records: []PutRecordsResultEntry{
			{SequenceNumber: ptr("1"), ShardId: ptr("shardId-000000000000")},
			{ErrorCode: ptr("InternalFailure"), ErrorMessage: ptr("x")}, {}}},
	}
	for _, out := range puts {
		want, err := awscbor.FromJSON(nil, appendPutRecordsOutput(nil, out), shapePutRecordsOutput)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendPutRecordsOutputCBOR(nil, out); !bytes.Equal(got, want) {
			t.Errorf("PutRecords:\n got  %s\nwant %s", diagnose(t, got), diagnose(t, want))
		}
	}
	records := []Record{
		{SequenceNumber: "1", ApproximateArrivalTimestamp: &arrival, Data: []byte{0, 1, 2}, PartitionKey: "k"},
		{SequenceNumber: "2", Data: nil, PartitionKey: "é\"", EncryptionType: ptr("KMS")},
	}
	gets := []*GetRecordsOutput{
		{Records: []Record{}},
		{Records: records, NextShardIterator: ptr("it"), MillisBehindLatest: ptr(int64(5)), ChildShards: childShards},
		{Records: records[:1], MillisBehindLatest: ptr(int64(0))},
	}
	for _, out := range gets {
		want, err := awscbor.FromJSON(nil, appendGetRecordsOutput(out), shapeGetRecordsOutput)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendGetRecordsOutputCBOR(out)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("GetRecords:\n got  %s (%v)\nwant %s", diagnose(t, got), err, diagnose(t, want))
		}
	}
	events := []*SubscribeToShardEvent{
		{Records: []Record{}, ContinuationSequenceNumber: "9", MillisBehindLatest: 0},
		{Records: records, ContinuationSequenceNumber: "9", MillisBehindLatest: 7, ChildShards: childShards},
		{Records: records[:1], ContinuationSequenceNumber: "9", ChildShards: []ChildShard{}},
	}
	for _, ev := range events {
		js, err := awsjson.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		want, err := awscbor.FromJSON(nil, js, shapeSubscribeToShardEvent)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendSubscribeToShardEventCBOR(nil, ev)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("SubscribeToShardEvent:\n got  %s (%v)\nwant %s", diagnose(t, got), err, diagnose(t, want))
		}
	}
	// Arrival times are tag 1 + integer milliseconds.
	got, _ := appendGetRecordsOutputCBOR(gets[2])
	if want := `{"MillisBehindLatest": 0, "Records": [{"ApproximateArrivalTimestamp": 1(1700000000123), "Data": h'000102', "PartitionKey": "k", "SequenceNumber": "1"}]}`; diagnose(t, got) != want {
		t.Errorf("got  %s\nwant %s", diagnose(t, got), want)
	}
}
