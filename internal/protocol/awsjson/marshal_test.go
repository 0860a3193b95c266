package awsjson_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
)

func TestMarshalDescribeStream(t *testing.T) {
	created := time.UnixMilli(1700000000123)
	out := &kinesisapi.DescribeStreamOutput{StreamDescription: kinesisapi.StreamDescription{
		StreamName:   "s",
		StreamARN:    "arn:aws:kinesis:us-east-1:000000000000:stream/s",
		StreamStatus: "ACTIVE",
		Shards: []kinesisapi.Shard{{
			ShardId:             "shardId-000000000000",
			HashKeyRange:        kinesisapi.HashKeyRange{StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455"},
			SequenceNumberRange: kinesisapi.SequenceNumberRange{StartingSequenceNumber: "1"},
		}},
		RetentionPeriodHours:    24,
		StreamCreationTimestamp: created,
		StreamModeDetails:       &kinesisapi.StreamModeDetails{StreamMode: "PROVISIONED"},
		EncryptionType:          ptr("NONE"),
	}}
	got, err := awsjson.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"StreamDescription":{"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s",` +
		`"StreamStatus":"ACTIVE","StreamModeDetails":{"StreamMode":"PROVISIONED"},"Shards":[{"ShardId":"shardId-000000000000",` +
		`"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},` +
		`"SequenceNumberRange":{"StartingSequenceNumber":"1"}}],"HasMoreShards":false,"RetentionPeriodHours":24,` +
		`"StreamCreationTimestamp":1700000000.123,"EnhancedMonitoring":[],"EncryptionType":"NONE"}}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if !json.Valid(got) {
		t.Fatal("invalid JSON")
	}
}

func TestMarshalListShards(t *testing.T) {
	for _, c := range []struct {
		out  kinesisapi.ListShardsOutput
		want string
	}{
		{kinesisapi.ListShardsOutput{}, `{}`},
		{kinesisapi.ListShardsOutput{Shards: []kinesisapi.Shard{}}, `{"Shards":[]}`}, // empty, not absent
		{kinesisapi.ListShardsOutput{NextToken: ptr("tok"), Shards: []kinesisapi.Shard{{ShardId: "a", ParentShardId: ptr("p")}}},
			`{"Shards":[{"ShardId":"a","ParentShardId":"p","HashKeyRange":{"StartingHashKey":"","EndingHashKey":""},` +
				`"SequenceNumberRange":{"StartingSequenceNumber":""}}],"NextToken":"tok"}`},
	} {
		got, err := awsjson.Marshal(c.out)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

func TestMarshalGetRecords(t *testing.T) {
	out := kinesisapi.GetRecordsOutput{MillisBehindLatest: ptr(int64(0))}
	got, _ := awsjson.Marshal(&out)
	if want := `{"Records":[],"MillisBehindLatest":0}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	at := time.UnixMilli(1700000000500)
	out = kinesisapi.GetRecordsOutput{Records: []kinesisapi.Record{
		{SequenceNumber: "1", Data: []byte("hello"), PartitionKey: "k", ApproximateArrivalTimestamp: &at},
		{SequenceNumber: "2", PartitionKey: "k"},
	}, NextShardIterator: ptr("it")}
	got, _ = awsjson.Marshal(out)
	want := `{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1700000000.5,"Data":"aGVsbG8=","PartitionKey":"k"},` +
		`{"SequenceNumber":"2","Data":"","PartitionKey":"k"}],"NextShardIterator":"it"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestMarshalMisc(t *testing.T) {
	type node struct {
		Name string  `json:"name"`
		Next *node   `json:"next,omitempty"`
		Kids []*node `json:"kids,omitempty"`
	}
	for _, c := range []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{map[string]int{"b": 2, "a": 1}, `{"a":1,"b":2}`},
		{map[string]string(nil), `{}`},
		{[]int(nil), `[]`},
		{[2]bool{true, false}, `[true,false]`},
		{struct {
			A any     `json:"a"`
			B any     `json:"b"`
			F float64 `json:"f"`
			G float32 `json:"g"`
			E float64 `json:"e"`
			U uint8   `json:"u,omitempty"`
			X string  `json:"-"`
			y int
		}{A: "x", F: 1.5, G: 0.1, E: 1e-7}, `{"a":"x","b":null,"f":1.5,"g":0.1,"e":1e-7}`},
		{&node{Name: "a", Next: &node{Name: "b"}, Kids: []*node{{Name: "c"}}}, `{"name":"a","next":{"name":"b"},"kids":[{"name":"c"}]}`},
	} {
		got, err := awsjson.Marshal(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), map[int]int{1: 1}, make(chan int), struct{ C complex64 }{}} {
		if _, err := awsjson.Marshal(bad); err == nil {
			t.Errorf("%T: no error", bad)
		}
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{
		"", "plain", "with \"quotes\" and \\ backslash", "ctl \x00\x01\x1f\t\n\r\b\f", "héllo 😀", "\u2028\u2029",
		"invalid \xff utf8", strings.Repeat("0123456789", 10) + "\"" + strings.Repeat("x", 17), "<html>&",
	} {
		got := awsjson.AppendString([]byte("x"), s)
		if got[0] != 'x' {
			t.Fatal("dst lost")
		}
		var back string
		if err := json.Unmarshal(got[1:], &back); err != nil {
			t.Errorf("%q: %s is not JSON: %v", s, got[1:], err)
			continue
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if back != want {
			t.Errorf("%q: round trip %q", s, back)
		}
		if b := awsjson.AppendBytesString(nil, []byte(s)); string(b) != string(got[1:]) {
			t.Errorf("%q: AppendBytesString %s", s, b)
		}
	}
	if got := string(awsjson.AppendString(nil, "a\"b\\c\n\x01<")); got != `"a\"b\\c\n\u0001<"` {
		t.Errorf("escapes: %s", got)
	}
	if !utf8.Valid(awsjson.AppendString(nil, "\xff")) {
		t.Error("invalid UTF-8 out")
	}
}

func TestAppendBase64(t *testing.T) {
	for in, want := range map[string]string{"": `""`, "a": `"YQ=="`, "hello": `"aGVsbG8="`, "\xff\xfe\xfd": `"//79"`} {
		if got := string(awsjson.AppendBase64(nil, []byte(in))); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}

func TestAppendTimestamp(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.UnixMilli(1700000000123), "1700000000.123"},
		{time.Unix(1700000000, 0), "1700000000"},
		{time.UnixMilli(1700000000100), "1700000000.1"},
		{time.UnixMilli(1700000000020), "1700000000.02"},
		{time.Unix(1700000000, 999999999), "1700000000.999"},
		{time.Unix(0, 0), "0"},
		{time.UnixMilli(-1500), "-1.5"},
		{time.UnixMilli(-1), "-0.001"},
	} {
		if got := string(awsjson.AppendTimestamp(nil, c.t)); got != c.want {
			t.Errorf("%v: got %s, want %s", c.t, got, c.want)
		}
	}
}

func TestErrorBody(t *testing.T) {
	for _, c := range []struct {
		e    *awserr.Error
		want string
	}{
		{awserr.New("ResourceNotFoundException", `Stream "s" not found.`), `{"__type":"ResourceNotFoundException","message":"Stream \"s\" not found."}`},
		{awserr.Serialization("Expected null"), `{"__type":"SerializationException","Message":"Expected null"}`},
		{awserr.Serialization(""), `{"__type":"SerializationException"}`},
		{awserr.InternalFailure(), `{"__type":"InternalFailure"}`},
		{nil, `{"__type":"InternalFailure"}`},
	} {
		if got := string(awsjson.ErrorBody(c.e)); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}
