package process

import (
	"strings"
	"testing"
	"time"
)

// The processors run in AWS's order whatever their order in the
// configuration: de-aggregation, Lambda, jq, then the delimiter.
func TestPipelineOrder(t *testing.T) {
	fake, srv := newFakeLambda(t, testFn, func(_ int, ev fakeEvent) reply {
		var e []map[string]any
		for _, r := range ev.Records {
			d := r.decoded(t)
			if strings.Contains(d, `"drop"`) {
				e = append(e, map[string]any{"recordId": r.RecordID, "result": "Dropped"})
				continue
			}
			// The function adds a field jq then reads.
			e = append(e, ok(r.RecordID, d[:len(d)-1]+`,"tenant":"t1"}`, map[string]string{"src": "lambda"}))
		}
		return respond(e...)
	})
	var s sleeps
	cfg := procs(
		proc("AppendDelimiterToRecord"),
		proc("MetadataExtraction", "MetadataExtractionQuery", "{tenant:.tenant,id:.id}", "JsonParsingEngine", "JQ-1.6"),
		proc("Lambda", "LambdaArn", testFn),
		proc("RecordDeAggregation", "SubRecordType", "JSON"),
	)
	p, err := New(cfg, dpOn(), Options{LambdaEndpoint: srv.URL, Region: "us-east-1", StreamARN: testStreamARN, Sleep: s.sleep, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, p, records(`{"id":1}{"id":2,"drop":true}{"id":3}`))
	if fake.calls != 1 || len(fake.events[0].Records) != 3 {
		t.Fatalf("lambda saw %d calls", fake.calls)
	}
	if got := strings.Join(datas(out), " "); got != "r0:0={\"id\":1,\"tenant\":\"t1\"}\n r0:2={\"id\":3,\"tenant\":\"t1\"}\n" {
		t.Errorf("got %s", got)
	}
	wantID := map[string]string{"r0:0": "1", "r0:2": "3"}
	for _, r := range out {
		if r.QueryKeys["tenant"] != "t1" || r.LambdaKeys["src"] != "lambda" || r.QueryKeys["id"] != wantID[r.ID] {
			t.Errorf("%s keys %v %v", r.ID, r.QueryKeys, r.LambdaKeys)
		}
	}
}
