package process

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/freshet/freshet/internal/kpl"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

func run(t *testing.T, p *Pipeline, in []Record) []Record {
	t.Helper()
	out, failed, err := p.Process(context.Background(), in)
	if err != nil || len(failed) != 0 {
		t.Fatalf("err %v, %d failed", err, len(failed))
	}
	return out
}

func datas(rs []Record) []string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.ID + "=" + string(r.Data)
	}
	return s
}

func TestDeAggregationJSON(t *testing.T) {
	p, err := New(procs(proc("RecordDeAggregation", "SubRecordType", "JSON")), dpOn(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	many := strings.Repeat(`{"a":1}`, 501)
	out := run(t, p, records(`{"a":1}{"a":2}`, "{\"a\":3}\n{\"b\":{\"c\":4}}\n", `[{"a":1},{"a":2}]`, many))
	got := strings.Join(datas(out[:5]), " ")
	want := `r0:0={"a":1} r0:1={"a":2} r1:0={"a":3} r1:1={"b":{"c":4}} r2=[{"a":1},{"a":2}]`
	if got != want || len(out) != 6 || out[5].ID != "r3" {
		t.Errorf("got %s (%d records), want %s", got, len(out), want)
	}
}

func TestDeAggregationDelimited(t *testing.T) {
	// IyMjIw== is "####", the guide's example.
	p, err := New(procs(proc("RecordDeAggregation", "SubRecordType", "DELIMITED", "Delimiter", "IyMjIw==")), dpOn(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, p, records("a,1####b,2####c,3####", "plain"))
	if got := strings.Join(datas(out), " "); got != "r0:0=a,1 r0:1=b,2 r0:2=c,3 r1:0=plain" {
		t.Errorf("got %s", got)
	}
}

func TestKPLAggregatesFromKinesis(t *testing.T) {
	users := []kpl.Record{{PartitionKey: "k1", Data: []byte(`{"n":1}`)}, {PartitionKey: "k2", Data: []byte(`{"n":2}`)}, {PartitionKey: "k1", Data: []byte(`{"n":3}`)}}
	agg, err := kpl.Aggregate(users)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(procs(proc("AppendDelimiterToRecord")), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := records(string(agg), "plain", string(agg))
	in[0].Kinesis = &KinesisMetadata{ShardID: "shardId-000000000000", PartitionKey: "k1", SequenceNumber: "100", ApproximateArrivalTimestamp: 5}
	in[1].Kinesis = &KinesisMetadata{ShardID: "shardId-000000000000", PartitionKey: "p", SequenceNumber: "101"}
	// in[2] came by Direct PUT: its bytes are opaque and stay whole.
	out := run(t, p, in)
	if len(out) != 5 {
		t.Fatalf("%d records, want 5", len(out))
	}
	for i, u := range users {
		r := out[i]
		if r.ID != fmt.Sprintf("r0:%d", i) || string(r.Data) != string(u.Data)+"\n" || r.Kinesis.PartitionKey != u.PartitionKey ||
			r.Kinesis.SubsequenceNumber != int64(i) || r.Kinesis.SequenceNumber != "100" || r.ArrivalMs != in[0].ArrivalMs {
			t.Errorf("user record %d = %s %q %+v", i, r.ID, r.Data, *r.Kinesis)
		}
	}
	if string(out[3].Data) != "plain\n" || !bytes.Equal(out[4].Data, append(agg, '\n')) {
		t.Errorf("records 3-4 changed: %q, direct put aggregate kept: %v", out[3].Data, bytes.Equal(out[4].Data, append(agg, '\n')))
	}
}

func TestAppendDelimiterCustom(t *testing.T) {
	p, err := New(procs(proc("AppendDelimiterToRecord", "Delimiter", "fHw=")), nil, Options{}) // "||"
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(datas(run(t, p, records("a", "b"))), " "); got != "r0=a|| r1=b||" {
		t.Errorf("got %s", got)
	}
	// Processing disabled: nothing runs.
	cfg := procs(proc("AppendDelimiterToRecord"))
	cfg.Enabled = ptr(false)
	p, _ = New(cfg, nil, Options{})
	if got := strings.Join(datas(run(t, p, records("a"))), " "); got != "r0=a" {
		t.Errorf("disabled: got %s", got)
	}
}

func TestCloudWatchLogsExtraction(t *testing.T) {
	p, err := New(procs(proc("Decompression", "CompressionFormat", "GZIP"), proc("CloudWatchLogProcessing", "DataMessageExtraction", "true")), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	gz := func(v any) string {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		json.NewEncoder(zw).Encode(v)
		zw.Close()
		return buf.String()
	}
	data := gz(map[string]any{"messageType": "DATA_MESSAGE", "owner": "1", "logGroup": "g", "logStream": "s",
		"logEvents": []map[string]any{{"id": "1", "timestamp": 1, "message": "first"}, {"id": "2", "timestamp": 2, "message": "second"}}})
	ctl := gz(map[string]any{"messageType": "CONTROL_MESSAGE", "logEvents": []map[string]any{{"message": "CWL CONTROL MESSAGE"}}})
	out, failed, err := p.Process(context.Background(), records(data, ctl, "not gzip"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(datas(out), " "); got != "r0:0=first r0:1=second" {
		t.Errorf("got %s", got)
	}
	if len(failed) != 1 || failed[0].Record.ID != "r2" || ErrorOutputType(failed[0]) != "decompression-failed" {
		t.Errorf("failed %d", len(failed))
	}
}

func TestValidation(t *testing.T) {
	cases := []struct {
		name string
		ps   []string // type, then name/value pairs
		dp   bool
	}{
		{"unknown parameter", []string{"Lambda", "LambdaArn", "f", "MetadataExtractionQuery", "{}"}, false},
		{"no arn", []string{"Lambda", "NumberOfRetries", "1"}, false},
		{"retries high", []string{"Lambda", "LambdaArn", "f", "NumberOfRetries", "301"}, false},
		{"retries text", []string{"Lambda", "LambdaArn", "f", "NumberOfRetries", "x"}, false},
		{"buffer small", []string{"Lambda", "LambdaArn", "f", "BufferSizeInMBs", "0.1"}, false},
		{"buffer big", []string{"Lambda", "LambdaArn", "f", "BufferSizeInMBs", "3.5"}, false},
		{"interval", []string{"Lambda", "LambdaArn", "f", "BufferIntervalInSeconds", "901"}, false},
		{"jq without dp", []string{"MetadataExtraction", "MetadataExtractionQuery", "{a:.a}", "JsonParsingEngine", "JQ-1.6"}, false},
		{"jq engine", []string{"MetadataExtraction", "MetadataExtractionQuery", "{a:.a}", "JsonParsingEngine", "JQ-1.7"}, true},
		{"subrecord type", []string{"RecordDeAggregation", "SubRecordType", "CSV"}, true},
		{"delimited without delimiter", []string{"RecordDeAggregation", "SubRecordType", "DELIMITED"}, true},
		{"bad base64", []string{"AppendDelimiterToRecord", "Delimiter", "***"}, false},
		{"decompression format", []string{"Decompression", "CompressionFormat", "ZSTD"}, false},
		{"unknown type", []string{"Magic"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dp := dpOn()
			if !c.dp {
				dp = nil
			}
			_, err := New(procs(proc(c.ps[0], c.ps[1:]...)), dp, Options{})
			if e, ok := awserr.As(err); !ok || e.Code != "InvalidArgumentException" || e.Message == "" {
				t.Errorf("err = %v", err)
			}
		})
	}
	_, err := New(procs(proc("AppendDelimiterToRecord"), proc("AppendDelimiterToRecord")), nil, Options{})
	if _, ok := awserr.As(err); !ok {
		t.Errorf("duplicate processor type accepted")
	}
	p, err := New(lambdaProc("BufferSizeInMBs", "0.5", "BufferIntervalInSeconds", "120", "NumberOfRetries", "0"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, d, on := p.LambdaBuffer(); n != 512<<10 || d.Seconds() != 120 || !on {
		t.Errorf("LambdaBuffer = %d %v %v", n, d, on)
	}
	p, _ = New(lambdaProc(), nil, Options{})
	if n, d, on := p.LambdaBuffer(); n != 1<<20 || d.Seconds() != 60 || !on {
		t.Errorf("default LambdaBuffer = %d %v %v", n, d, on)
	}
}
