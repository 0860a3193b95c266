package awsjson_test

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
)

func ptr[T any](v T) *T { return &v }

func TestDecodePutRecords(t *testing.T) {
	body := []byte(`{"StreamName":"my-stream","Records":[` +
		`{"Data":"aGVsbG8=","PartitionKey":"pk-1"},` +
		`{"Data":"","PartitionKey":"pk\u002d2","ExplicitHashKey":"12345"}],"Ignored":{"x":[1]}}`)
	var in kinesisapi.PutRecordsInput
	if err := awsjson.Decode(body, input(t, "PutRecords"), &in); err != nil {
		t.Fatal(err)
	}
	want := kinesisapi.PutRecordsInput{
		StreamName: ptr("my-stream"),
		Records: []kinesisapi.PutRecordsRequestEntry{
			{Data: []byte("hello"), PartitionKey: "pk-1"},
			{Data: []byte{}, PartitionKey: "pk-2", ExplicitHashKey: ptr("12345")},
		},
	}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("got %+v\nwant %+v", in, want)
	}
	// Nothing bound aliases the body.
	for i := range body {
		body[i] = 'X'
	}
	if *in.StreamName != "my-stream" || in.Records[0].PartitionKey != "pk-1" || string(in.Records[0].Data) != "hello" {
		t.Fatalf("bound values changed with the body: %+v", in)
	}
}

func TestDecodeCreateStream(t *testing.T) {
	body := `{"StreamName":"s","ShardCount":100000000000,"StreamModeDetails":{"StreamMode":"ON_DEMAND"},` +
		`"Tags":{"team":"data","empty":""},"WarmThroughputMiBps":null}`
	var in kinesisapi.CreateStreamInput
	if err := awsjson.Decode([]byte(body), input(t, "CreateStream"), &in); err != nil {
		t.Fatal(err)
	}
	want := kinesisapi.CreateStreamInput{
		StreamName:        "s",
		ShardCount:        ptr(int64(math.MaxInt32)), // an Integer shape saturates as AWS reads it
		StreamModeDetails: &kinesisapi.StreamModeDetails{StreamMode: "ON_DEMAND"},
		Tags:              map[string]string{"team": "data", "empty": ""},
	}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("got %+v\nwant %+v", in, want)
	}
}

func TestDecodeGetShardIterator(t *testing.T) {
	for _, c := range []struct {
		ts   string
		want time.Time
	}{
		{"1700000000.123", time.UnixMilli(1700000000123)},
		{"1700000000", time.Unix(1700000000, 0)},
		{"1700000000.9999", time.UnixMilli(1700000000999)},
		{"1.7e9", time.Unix(1700000000, 0)},
		{"-1.5", time.UnixMilli(-1500)},
	} {
		body := `{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":` + c.ts + `}`
		var in kinesisapi.GetShardIteratorInput
		if err := awsjson.Decode([]byte(body), input(t, "GetShardIterator"), &in); err != nil {
			t.Fatal(err)
		}
		if in.Timestamp == nil || !in.Timestamp.Equal(c.want) || in.Timestamp.Location() != time.UTC {
			t.Errorf("%s: got %v, want %v", c.ts, in.Timestamp, c.want.UTC())
		}
		if in.ShardIteratorType != "AT_TIMESTAMP" || in.ShardId != "shardId-000000000000" || *in.StreamName != "s" {
			t.Errorf("%s: %+v", c.ts, in)
		}
	}
}

func TestDecodeEmptyBody(t *testing.T) {
	var in kinesisapi.ListStreamsInput
	if err := awsjson.Decode(nil, input(t, "ListStreams"), &in); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, kinesisapi.ListStreamsInput{}) {
		t.Fatalf("%+v", in)
	}
	var cs kinesisapi.CreateStreamInput
	err := awsjson.Decode([]byte{}, input(t, "CreateStream"), &cs)
	e, ok := awserr.As(err)
	if !ok || e.Message != "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null" {
		t.Fatalf("%v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	var in kinesisapi.PutRecordsInput
	for body, code := range map[string]string{
		`{"Records":[`:                     "SerializationException",
		`{"Records":"x"}`:                  "SerializationException",
		`{"Records":[]}`:                   "ValidationException",
		`{"Records":[{"Data":"%%%%"}]}`:    "SerializationException",
		`{"Records":[{"Data":"QQ=="}]}`:    "ValidationException",
		`{"Records":[{"PartitionKey":1}]}`: "SerializationException",
	} {
		err := awsjson.Decode([]byte(body), input(t, "PutRecords"), &in)
		e, ok := awserr.As(err)
		if !ok || e.Code != code {
			t.Errorf("%s: got %v, want %s", body, err, code)
		}
	}
}

// Bind without a shape: every supported kind of Go value.
func TestBindKinds(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type all struct {
		S       string            `json:"s"`
		PS      *string           `json:"ps,omitempty"`
		B       bool              `json:"b"`
		BW      bool              `json:"bw"`
		I8      int8              `json:"i8"`
		I64     int64             `json:"i64"`
		U16     uint16            `json:"u16"`
		F       float64           `json:"f"`
		F32     float32           `json:"f32"`
		Blob    []byte            `json:"blob"`
		T       time.Time         `json:"t"`
		PT      *time.Time        `json:"pt"`
		List    []string          `json:"list"`
		Nested  []inner           `json:"nested"`
		Map     map[string]*inner `json:"map"`
		Any     any               `json:"any"`
		Skipped string            `json:"-"`
		NoTag   string
		Zeroed  string `json:"zeroed"`
		private string
	}
	body := `{"s":"str","ps":"p","b":true,"bw":"no","i8":1000,"i64":-5.5,"u16":-3,"f":1.25,"f32":2.5,"blob":"AAEC",` +
		`"t":1.5,"pt":2,"list":["a","b"],"nested":[{"n":1},{"n":2}],"map":{"k":{"n":3}},"any":{"x":[1,"y",null,false]},` +
		`"Skipped":"no","-":"no","NoTag":"yes","zeroed":null,"private":"no","unknown":1}`
	v, err := awsjson.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	got := all{Zeroed: "before"}
	if err := awsjson.Bind(v, &got); err != nil {
		t.Fatal(err)
	}
	want := all{S: "str", PS: ptr("p"), B: true, I8: 127, I64: -6, U16: 0, F: 1.25, F32: 2.5, Blob: []byte{0, 1, 2},
		T: time.UnixMilli(1500).UTC(), PT: ptr(time.Unix(2, 0).UTC()), List: []string{"a", "b"},
		Nested: []inner{{1}, {2}}, Map: map[string]*inner{"k": {3}},
		Any: map[string]any{"x": []any{1.0, "y", nil, false}}, NoTag: "yes"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestBindMismatch(t *testing.T) {
	var dst struct {
		N int64 `json:"n"`
	}
	v, _ := awsjson.Parse([]byte(`{"n":"1"}`))
	err := awsjson.Bind(v, &dst)
	if e, ok := awserr.As(err); !ok || e.Code != "SerializationException" || e.Message != "Unexpected field type" {
		t.Fatalf("%v", err)
	}
	if err := awsjson.Bind(v, dst); err == nil || !strings.Contains(err.Error(), "non-nil pointer") {
		t.Fatalf("non-pointer: %v", err)
	}
}

func TestDecodeRepeatedMember(t *testing.T) {
	var in kinesisapi.CreateStreamInput
	if err := awsjson.Decode([]byte(`{"StreamName":1,"StreamName":"s","ShardCount":2,"ShardCount":null}`), input(t, "CreateStream"), &in); err != nil {
		t.Fatal(err)
	}
	if in.StreamName != "s" || in.ShardCount != nil {
		t.Fatalf("%+v", in)
	}
}

func TestBindLarge(t *testing.T) {
	data := bytes.Repeat([]byte{0xAB}, 1<<20)
	body := `{"StreamName":"s","PartitionKey":"k","Data":"` + string(awsjson.AppendBase64(nil, data)[1:]) + `}`
	var in kinesisapi.PutRecordInput
	if err := awsjson.Decode([]byte(body), input(t, "PutRecord"), &in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in.Data, data) {
		t.Fatal("data differs")
	}
}
