package convert

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkConvert converts batches of 1,000 records of about 1 KiB each into
// a 10-column table.
func BenchmarkConvert(b *testing.B) {
	cols := []Column{
		{"id", "bigint"}, {"user", "string"}, {"event", "string"}, {"amount", "decimal(12,2)"},
		{"score", "double"}, {"ok", "boolean"}, {"ts", "timestamp"}, {"day", "date"},
		{"tags", "array<string>"}, {"payload", "string"},
	}
	c := mustNew(b, cols, config(nil, nil, nil))
	recs := make([]Record, 1000)
	var total int64
	for i := range recs {
		base := fmt.Sprintf(`{"id":%d,"user":"user-%d","event":"click","amount":"%d.25","score":%d.5,"ok":true,`+
			`"ts":"2026-11-22T10:%02d:%02d.123Z","day":"2026-11-22","tags":["a","b","c"],"payload":"`, i, i%100, i, i%10, i%60, i%60)
		rec := base + strings.Repeat("x", 1024-len(base)-2) + `"}`
		recs[i] = Record{ID: fmt.Sprint(i), Data: []byte(rec), ArrivalMs: 1}
		total += int64(len(rec))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		out, failed, err := c.Convert(recs)
		if err != nil || len(failed) != 0 || len(out) == 0 {
			b.Fatalf("err %v failed %d", err, len(failed))
		}
	}
}
