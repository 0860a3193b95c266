package redshift

import (
	"fmt"
	"testing"
)

// BenchmarkDeliverJSON loads batches of 10,000 JSON 'auto' records (five
// typed columns) into PostgreSQL and reports rows per second.
func BenchmarkDeliverJSON(b *testing.B) {
	db := newDB(b)
	db.exec(eventsTable)
	d := newDest(b, config(db.jdbc, "events", "", "JSON 'auto'"), nil)
	const n = 10_000
	recs := make([]string, n)
	size := 0
	for i := range recs {
		recs[i] = fmt.Sprintf(`{"id":%d,"name":"user-%d","ts":"2024-01-02T03:04:%02dZ","ok":%t,"amount":%d.25}`+"\n", i, i, i%60, i%2 == 0, i)
		size += len(recs[i])
	}
	bt := batch(recs...)
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := deliver(b, d, bt); len(res.Failed) != 0 {
			b.Fatalf("failed: %s", res.Failed[0].Line)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	var count int
	if err := db.conn.QueryRow(b.Context(), "SELECT count(*) FROM events").Scan(&count); err != nil || count != n*b.N {
		b.Fatalf("count = %d, %v; want %d", count, err, n*b.N)
	}
}
