package awsjson_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
)

// FuzzDecode feeds arbitrary bodies to Decode for PutRecords and
// CreateStream: it must never panic, fail only with an AWS error, and what
// it binds must marshal back to JSON that parses.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `[]`, `null`, `{"StreamName":"s"}`,
		`{"StreamName":"s","Records":[{"Data":"aGVsbG8=","PartitionKey":"k"}]}`,
		`{"StreamName":"","Records":[{"PartitionKey":"","Data":"","ExplicitHashKey":""},null,{}]}`,
		`{"Records":[{"Data":"+/+=","PartitionKey":1}]}`,
		`{"Records":"x","StreamName":true}`,
		`{"StreamName":"s","ShardCount":1e400,"Tags":{"a":"b","":null},"StreamModeDetails":{"StreamMode":"ON_DEMAND"}}`,
		`{"StreamName":"s\u00e9\ud83d\ude00","ShardCount":-1.5e-3,"MaxRecordSizeInKiB":"x"}`,
		`{"StreamName":"s","StreamModeDetails":[],"WarmThroughputMiBps":{}}`,
		`{"a":[[[[[[{"b":[1,2,{"c":"\"\\\/\b\f\n\r\t"}]}]]]]]]}`,
		"{\"StreamName\":\"a\tb\"}", `{"StreamName":"s",}`, `{"StreamName" "s"}`, `{"StreamName":"s"}garbage`,
	} {
		f.Add([]byte(seed))
	}
	shapes := []struct {
		op  string
		new func() any
	}{
		{"PutRecords", func() any { return new(kinesisapi.PutRecordsInput) }},
		{"CreateStream", func() any { return new(kinesisapi.CreateStreamInput) }},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range shapes {
			dst := s.new()
			err := awsjson.Decode(body, kinesisapi.Operations[s.op].Input, dst)
			if err != nil {
				e, ok := awserr.As(err)
				if !ok {
					t.Fatalf("%s: %q: non-AWS error %v", s.op, body, err)
				}
				if e.Code != "SerializationException" && e.Code != "ValidationException" {
					t.Fatalf("%s: %q: unexpected %s", s.op, body, e.Code)
				}
				_ = awsjson.ErrorBody(e)
				continue
			}
			out, err := awsjson.Marshal(dst)
			if err != nil {
				t.Fatalf("%s: %q: re-marshal: %v", s.op, body, err)
			}
			if _, err := awsjson.Parse(out); err != nil {
				t.Fatalf("%s: %q: re-marshalled %s does not parse: %v", s.op, body, out, err)
			}
		}
	})
}

// FuzzParse checks Parse against encoding/json: both accept the same texts
// (below the nesting bound) and read the same values.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{`{}`, `[1,"a",null,true,{"b":-1.5e3}]`, `"\ud83d\ude00"`, `01`, `{"a":1,}`, "\"\xff\""} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if bytes.Count(body, []byte("["))+bytes.Count(body, []byte("{")) > awsjson.MaxDepth {
			return
		}
		v, err := awsjson.Parse(body)
		if (err == nil) != json.Valid(body) {
			t.Fatalf("%q: Parse error %v, json.Valid %v", body, err, json.Valid(body))
		}
		if err != nil || !utf8.Valid(body) {
			return // Parse passes invalid UTF-8 through, encoding/json replaces it
		}
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		var want any
		if err := d.Decode(&want); err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(toAny(v))
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Fatalf("%q: got %s, want %s", body, g, w)
		}
	})
}
