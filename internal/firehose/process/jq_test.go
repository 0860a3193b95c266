package process

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

func dpOn() *firehoseapi.DynamicPartitioningConfiguration {
	return &firehoseapi.DynamicPartitioningConfiguration{Enabled: ptr(true)}
}

func procs(ps ...firehoseapi.Processor) *firehoseapi.ProcessingConfiguration {
	return &firehoseapi.ProcessingConfiguration{Enabled: ptr(true), Processors: ps}
}

func proc(typ string, kv ...string) firehoseapi.Processor {
	p := firehoseapi.Processor{Type: typ}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Parameters = append(p.Parameters, firehoseapi.ProcessorParameter{ParameterName: kv[i], ParameterValue: kv[i+1]})
	}
	return p
}

// docsQuery is the dynamic partitioning guide's example.
const docsQuery = `{customer_id:.customer_id,device:.type.device,year:.event_timestamp|strftime("%Y"),month:.event_timestamp|strftime("%m"),day:.event_timestamp|strftime("%d"),hour:.event_timestamp|strftime("%H")}`

const docsRecord = `{"type":{"device":"mobile","event":"user_clicked_submit_button"},"customer_id":"1234567890","event_timestamp":1565382027,"region":"sample_region"}`

func newJQ(t testing.TB, query string) *Pipeline {
	t.Helper()
	p, err := New(procs(proc("MetadataExtraction", "MetadataExtractionQuery", query, "JsonParsingEngine", "JQ-1.6")), dpOn(), Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMetadataExtractionDocsExample(t *testing.T) {
	p := newJQ(t, docsQuery)
	out, failed, err := p.Process(context.Background(), records(docsRecord))
	if err != nil || len(failed) != 0 || len(out) != 1 {
		t.Fatalf("err %v failed %d out %d", err, len(failed), len(out))
	}
	got := out[0].QueryKeys
	// The guide's resulting key: customer_id=1234567890/device=mobile/year=2019/month=08/day=09/hour=20.
	want := map[string]string{"customer_id": "1234567890", "device": "mobile", "year": "2019", "month": "08", "day": "09", "hour": "20"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) || string(out[0].Data) != docsRecord {
		t.Errorf("keys %v, data changed %v", got, string(out[0].Data) != docsRecord)
	}
	// The same query through jq 1.6 itself, when installed.
	if jq, err := exec.LookPath("jq"); err == nil {
		for k, v := range want {
			cmd := exec.Command(jq, "-r", docsQuery+"."+k)
			cmd.Stdin = strings.NewReader(docsRecord)
			b, err := cmd.Output()
			if err != nil || strings.TrimSpace(string(b)) != v {
				t.Errorf("jq says %s = %q (%v), we say %q", k, b, err, v)
			}
		}
	}
}

func TestMetadataExtractionValues(t *testing.T) {
	p := newJQ(t, `{n:.n,f:.f,b:.b,o:.o,s:.s}`)
	in := records(`{"n":42,"f":1.5,"b":true,"o":{"x":[1,2]},"s":"a/b"}`,
		`not json`,
		`{"n":1}{"n":2}`,
		`{"n":null,"f":1,"b":false,"o":1,"s":""}`,
		`{"f":1,"b":false,"o":1,"s":""}`)
	out, failed, err := p.Process(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].ID != "r0" {
		t.Fatalf("out %d", len(out))
	}
	want := map[string]string{"n": "42", "f": "1.5", "b": "true", "o": `{"x":[1,2]}`, "s": "a/b"}
	for k, v := range want {
		if out[0].QueryKeys[k] != v {
			t.Errorf("%s = %q, want %q", k, out[0].QueryKeys[k], v)
		}
	}
	if len(failed) != 4 {
		t.Fatalf("failed %d, want 4", len(failed))
	}
	for i, f := range failed {
		var l struct {
			ErrorCode, ErrorMessage, RawData string
			AttemptsMade                     int
		}
		if err := jsonUnmarshal(f.Line, &l); err != nil {
			t.Fatal(err)
		}
		if l.ErrorCode != "DynamicPartitioning.MetadataExtractionFailed" || ErrorOutputType(f) != "partitioning-failed" || l.RawData == "" {
			t.Errorf("failure %d: %s", i, f.Line)
		}
		if i < 2 && l.ErrorMessage != "Non JSON record provided" {
			t.Errorf("failure %d message %q", i, l.ErrorMessage)
		}
	}
}

func TestMetadataExtractionBadQuery(t *testing.T) {
	_, err := New(procs(proc("MetadataExtraction", "MetadataExtractionQuery", "{a:.a", "JsonParsingEngine", "JQ-1.6")), dpOn(), Options{})
	if e, ok := awserr.As(err); !ok || e.Code != "InvalidArgumentException" {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkMetadataExtraction(b *testing.B) {
	p := newJQ(b, `{customer_id:.customer_id,device:.type.device}`)
	pad := strings.Repeat("x", 1024-len(docsRecord)-len(`,"pad":""`))
	data := docsRecord[:len(docsRecord)-1] + `,"pad":"` + pad + `"}`
	if len(data) != 1024 {
		b.Fatalf("record is %d bytes", len(data))
	}
	in := records(data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		out, _, _ := p.Process(context.Background(), in)
		if out[0].QueryKeys["device"] != "mobile" {
			b.Fatal("wrong key")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
