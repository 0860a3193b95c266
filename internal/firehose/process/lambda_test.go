package process

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
)

const (
	testFn        = "arn:aws:lambda:us-east-1:123456789012:function:transform"
	testStreamARN = "arn:aws:firehose:us-east-1:123456789012:deliverystream/ds"
)

func lambdaProc(params ...string) *firehoseapi.ProcessingConfiguration {
	p := firehoseapi.Processor{Type: "Lambda", Parameters: []firehoseapi.ProcessorParameter{{ParameterName: "LambdaArn", ParameterValue: testFn}}}
	for i := 0; i+1 < len(params); i += 2 {
		p.Parameters = append(p.Parameters, firehoseapi.ProcessorParameter{ParameterName: params[i], ParameterValue: params[i+1]})
	}
	return &firehoseapi.ProcessingConfiguration{Enabled: ptr(true), Processors: []firehoseapi.Processor{p}}
}

func ptr[T any](v T) *T { return &v }

// sleeps records the backoff the pipeline asked for, without waiting.
type sleeps struct{ d []time.Duration }

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.d = append(s.d, d)
	return ctx.Err()
}

var fixedNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func newLambdaPipeline(t *testing.T, url string, s *sleeps, cfg *firehoseapi.ProcessingConfiguration) *Pipeline {
	t.Helper()
	p, err := New(cfg, nil, Options{
		LambdaEndpoint: url, Region: "us-east-1", StreamARN: testStreamARN,
		Now: func() time.Time { return fixedNow }, Sleep: s.sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func records(data ...string) []Record {
	out := make([]Record, len(data))
	for i, d := range data {
		out[i] = Record{Record: dest.Record{ID: fmt.Sprintf("r%d", i), Data: []byte(d), ArrivalMs: 1700000000000 + int64(i)}}
	}
	return out
}

// errLine decodes a processing-failed line.
type errLine struct {
	RawData                string `json:"rawData"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	LambdaARN              string `json:"lambdaARN"`
}

func decodeLine(t *testing.T, f dest.Failure) errLine {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(f.Line))
	dec.DisallowUnknownFields()
	var l errLine
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("failure line %s: %v", f.Line, err)
	}
	raw, err := base64.StdEncoding.DecodeString(l.RawData)
	if err != nil || !bytes.Equal(raw, f.Record.Data) {
		t.Errorf("rawData %q does not decode to the record's data %q", l.RawData, f.Record.Data)
	}
	if l.ArrivalTimestamp != f.Record.ArrivalMs || l.AttemptEndingTimestamp != fixedNow.UnixMilli() {
		t.Errorf("timestamps %d/%d, want %d/%d", l.ArrivalTimestamp, l.AttemptEndingTimestamp, f.Record.ArrivalMs, fixedNow.UnixMilli())
	}
	return l
}

func TestLambdaOkDroppedProcessingFailed(t *testing.T) {
	fake, srv := newFakeLambda(t, testFn, func(_ int, ev fakeEvent) reply {
		var entries []map[string]any
		for _, r := range ev.Records {
			d := r.decoded(t)
			switch {
			case strings.HasPrefix(d, "drop"):
				entries = append(entries, map[string]any{"recordId": r.RecordID, "result": "Dropped", "data": r.Data})
			case strings.HasPrefix(d, "fail"):
				entries = append(entries, map[string]any{"recordId": r.RecordID, "result": "ProcessingFailed", "data": r.Data})
			default:
				entries = append(entries, ok(r.RecordID, strings.ToUpper(d), map[string]string{"customer": d}))
			}
		}
		return respond(entries...)
	})
	var s sleeps
	p := newLambdaPipeline(t, srv.URL, &s, lambdaProc())
	in := records("alpha", "drop me", "fail me", "beta")
	out, failed, err := p.Process(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || string(out[0].Data) != "ALPHA" || string(out[1].Data) != "BETA" {
		t.Fatalf("out = %+v", out)
	}
	if out[0].ID != "r0" || out[1].ID != "r3" || out[0].LambdaKeys["customer"] != "alpha" || out[1].LambdaKeys["customer"] != "beta" {
		t.Errorf("ids/keys = %s %v, %s %v", out[0].ID, out[0].LambdaKeys, out[1].ID, out[1].LambdaKeys)
	}
	if len(failed) != 1 || failed[0].Record.ID != "r2" {
		t.Fatalf("failed = %+v", failed)
	}
	l := decodeLine(t, failed[0])
	if l.ErrorCode != "Lambda.ProcessingFailedStatus" || l.AttemptsMade != 1 || l.LambdaARN != testFn {
		t.Errorf("line = %+v", l)
	}
	if ErrorOutputType(failed[0]) != "processing-failed" {
		t.Errorf("output type %s", ErrorOutputType(failed[0]))
	}
	if fake.calls != 1 || len(s.d) != 0 {
		t.Errorf("calls %d sleeps %v", fake.calls, s.d)
	}
	ev := fake.events[0]
	if *ev.DeliveryStreamArn != testStreamARN || *ev.Region != "us-east-1" || ev.SourceKinesisStreamArn != nil || *ev.InvocationID == "" {
		t.Errorf("event header %+v", ev)
	}
	for i, r := range ev.Records {
		if r.RecordID != in[i].ID || r.ApproximateArrivalTimestamp != in[i].ArrivalMs || r.decoded(t) != string(in[i].Data) || r.KinesisRecordMetadata != nil {
			t.Errorf("event record %d = %+v", i, r)
		}
	}
}

func TestLambdaBadResponses(t *testing.T) {
	cases := []struct {
		name  string
		reply func(ev fakeEvent) reply
		codes []string // per input record, "" = delivered
	}{
		{"not json", func(fakeEvent) reply { return reply{body: []byte("garbage")} },
			[]string{"Lambda.JsonProcessingException", "Lambda.JsonProcessingException", "Lambda.JsonProcessingException"}},
		{"no records member", func(fakeEvent) reply { return reply{body: []byte(`{"foo":1}`)} },
			[]string{"Lambda.MissingRecordId", "Lambda.MissingRecordId", "Lambda.MissingRecordId"}},
		{"unknown id and missing", func(ev fakeEvent) reply {
			return respond(ok(ev.Records[0].RecordID, "x", nil), ok("bogus", "y", nil), ok(ev.Records[2].RecordID, "z", nil))
		}, []string{"", "Lambda.MissingRecordId", ""}},
		{"duplicate id", func(ev fakeEvent) reply {
			return respond(ok(ev.Records[0].RecordID, "x", nil), ok(ev.Records[1].RecordID, "y", nil), ok(ev.Records[1].RecordID, "y2", nil), ok(ev.Records[2].RecordID, "z", nil))
		}, []string{"", "Lambda.DuplicatedRecordId", ""}},
		{"bad result and base64", func(ev fakeEvent) reply {
			return respond(map[string]any{"recordId": ev.Records[0].RecordID, "result": "Maybe", "data": "eA=="},
				map[string]any{"recordId": ev.Records[1].RecordID, "result": "Ok", "data": "!!not base64"},
				map[string]any{"recordId": ev.Records[2].RecordID, "result": "Ok"})
		}, []string{"Lambda.JsonProcessingException", "Lambda.JsonProcessingException", "Lambda.JsonProcessingException"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, srv := newFakeLambda(t, testFn, func(_ int, ev fakeEvent) reply { return c.reply(ev) })
			var s sleeps
			p := newLambdaPipeline(t, srv.URL, &s, lambdaProc())
			out, failed, err := p.Process(context.Background(), records("a", "b", "c"))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range failed {
				l := decodeLine(t, f)
				if l.AttemptsMade != 1 {
					t.Errorf("attemptsMade %d, want 1 (a response is not retried)", l.AttemptsMade)
				}
				got[f.Record.ID] = l.ErrorCode
			}
			for _, r := range out {
				got[r.ID] = ""
			}
			for i, want := range c.codes {
				id := fmt.Sprintf("r%d", i)
				if g, seen := got[id]; !seen || g != want {
					t.Errorf("%s: %q (seen %v), want %q", id, g, seen, want)
				}
			}
			if fake.calls != 1 {
				t.Errorf("calls = %d, want 1", fake.calls)
			}
		})
	}
}

func TestLambdaFunctionErrorRecoveredOnRetry(t *testing.T) {
	fake, srv := newFakeLambda(t, testFn, func(call int, ev fakeEvent) reply {
		if call <= 2 {
			return reply{body: []byte(`{"errorMessage":"boom","errorType":"Error"}`), funcErr: "Unhandled"}
		}
		var e []map[string]any
		for _, r := range ev.Records {
			e = append(e, ok(r.RecordID, r.decoded(t)+"!", nil))
		}
		return respond(e...)
	})
	var s sleeps
	p := newLambdaPipeline(t, srv.URL, &s, lambdaProc())
	out, failed, err := p.Process(context.Background(), records("a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 0 || len(out) != 2 || string(out[0].Data) != "a!" || string(out[1].Data) != "b!" {
		t.Fatalf("out %d failed %d", len(out), len(failed))
	}
	if fake.calls != 3 || len(s.d) != 2 || s.d[0] != time.Second || s.d[1] != 2*time.Second {
		t.Errorf("calls %d, backoff %v", fake.calls, s.d)
	}
	if *fake.events[0].InvocationID != *fake.events[2].InvocationID || !bytes.Equal(fake.raw[0], fake.raw[2]) {
		t.Errorf("a retry must resend the same invocation")
	}
}

func TestLambdaErrorsExhausted(t *testing.T) {
	cases := []struct {
		name string
		rep  reply
		code string
	}{
		{"function error", reply{body: []byte(`{"errorMessage":"boom"}`), funcErr: "Unhandled"}, "Lambda.FunctionError"},
		{"service error", reply{body: []byte(`{"message":"down"}`), status: 500}, "Lambda.InvokeFailed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, srv := newFakeLambda(t, testFn, func(int, fakeEvent) reply { return c.rep })
			var s sleeps
			p := newLambdaPipeline(t, srv.URL, &s, lambdaProc("NumberOfRetries", "2"))
			out, failed, err := p.Process(context.Background(), records("a", "b"))
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 0 || len(failed) != 2 {
				t.Fatalf("out %d failed %d", len(out), len(failed))
			}
			for _, f := range failed {
				l := decodeLine(t, f)
				if l.ErrorCode != c.code || l.AttemptsMade != 3 || l.ErrorMessage == "" {
					t.Errorf("line %+v", l)
				}
			}
			if fake.calls != 3 || len(s.d) != 2 {
				t.Errorf("calls %d sleeps %v", fake.calls, s.d)
			}
		})
	}
}

func TestLambdaUnknownFunction(t *testing.T) {
	_, srv := newFakeLambda(t, "other", func(int, fakeEvent) reply { return reply{} })
	var s sleeps
	// The fake answers 404 for any other function; t.Errorf in the fake
	// would fail this test, so use a handler-less server instead.
	srv.Config.Handler = nil
	srv.Config.Handler = httpNotFound{}
	p := newLambdaPipeline(t, srv.URL, &s, lambdaProc("NumberOfRetries", "0"))
	_, failed, err := p.Process(context.Background(), records("a"))
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 {
		t.Fatalf("failed %d", len(failed))
	}
	if l := decodeLine(t, failed[0]); l.ErrorCode != "Lambda.ResourceNotFound" || l.AttemptsMade != 1 {
		t.Errorf("line %+v", l)
	}
}

func TestLambdaPayloadSplit(t *testing.T) {
	fake, srv := newFakeLambda(t, testFn, func(_ int, ev fakeEvent) reply {
		var e []map[string]any
		for _, r := range ev.Records {
			e = append(e, ok(r.RecordID, fmt.Sprint(len(r.decoded(t))), nil))
		}
		return respond(e...)
	})
	var s sleeps
	p := newLambdaPipeline(t, srv.URL, &s, lambdaProc())
	var data []string
	for i := range 11 {
		data = append(data, strings.Repeat(string(rune('a'+i)), 900<<10))
	}
	out, failed, err := p.Process(context.Background(), records(data...))
	if err != nil || len(failed) != 0 {
		t.Fatalf("err %v, %d failed", err, len(failed))
	}
	if len(out) != 11 {
		t.Fatalf("out %d", len(out))
	}
	for i, r := range out {
		if r.ID != fmt.Sprintf("r%d", i) || string(r.Data) != fmt.Sprint(900<<10) {
			t.Errorf("out[%d] = %s %.40q", i, r.ID, r.Data)
		}
	}
	if fake.calls < 3 {
		t.Errorf("calls = %d, want >= 3 for ~13 MB of base64", fake.calls)
	}
	seen := 0
	for i, n := range fake.sizes {
		if n > 6<<20 {
			t.Errorf("invocation %d is %d bytes, over 6 MB", i, n)
		}
		seen += len(fake.events[i].Records)
	}
	if seen != 11 {
		t.Errorf("records sent %d, want 11 exactly once", seen)
	}
}

func TestLambdaKinesisMetadata(t *testing.T) {
	fake, srv := newFakeLambda(t, testFn, func(_ int, ev fakeEvent) reply {
		return respond(ok(ev.Records[0].RecordID, "x", nil))
	})
	var s sleeps
	p, err := New(lambdaProc(), nil, Options{LambdaEndpoint: srv.URL, Region: "eu-west-1", StreamARN: testStreamARN,
		SourceKinesisStreamARN: "arn:aws:kinesis:eu-west-1:123456789012:stream/src", Sleep: s.sleep})
	if err != nil {
		t.Fatal(err)
	}
	in := records("hello")
	in[0].Kinesis = &KinesisMetadata{ShardID: "shardId-000000000001", PartitionKey: "pk", SequenceNumber: "4959", ApproximateArrivalTimestamp: 1700000000123}
	if _, _, err := p.Process(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	ev := fake.events[0]
	md := ev.Records[0].KinesisRecordMetadata
	if ev.SourceKinesisStreamArn == nil || *ev.SourceKinesisStreamArn != "arn:aws:kinesis:eu-west-1:123456789012:stream/src" || *ev.Region != "eu-west-1" {
		t.Errorf("header %+v", ev)
	}
	if md == nil || md.ShardID != "shardId-000000000001" || md.PartitionKey != "pk" || md.SequenceNumber != "4959" || md.ApproximateArrivalTimestamp != 1700000000123 || md.SubsequenceNumber != 0 {
		t.Errorf("kinesisRecordMetadata %+v", md)
	}
}

func TestLambdaContextEnded(t *testing.T) {
	_, srv := newFakeLambda(t, testFn, func(int, fakeEvent) reply {
		return reply{body: []byte(`{}`), funcErr: "Unhandled"}
	})
	ctx, cancel := context.WithCancel(context.Background())
	p, err := New(lambdaProc(), nil, Options{LambdaEndpoint: srv.URL, Region: "us-east-1",
		Sleep: func(context.Context, time.Duration) error { cancel(); return context.Canceled }})
	if err != nil {
		t.Fatal(err)
	}
	out, failed, err := p.Process(ctx, records("a"))
	if err == nil || out != nil || failed != nil {
		t.Errorf("Process = %v %v %v, want only an error", out, failed, err)
	}
}
