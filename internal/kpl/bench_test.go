package kpl

import (
	"fmt"
	"testing"
)

// benchAggregate returns a 1 MiB aggregated record of 100-byte records
// whose partition keys come from a set of the given size, and its record
// count.
func benchAggregate(b *testing.B, keys int) ([]byte, int) {
	b.Helper()
	a := NewAggregator(1 << 20)
	data := make([]byte, 100)
	for i := range data {
		data[i] = byte(i)
	}
	for i := 0; ; i++ {
		r := Record{PartitionKey: fmt.Sprintf("%08x-0000-4000-8000-%012x", i%keys, i%keys), Data: data}
		flushed, ok, err := a.Add(r)
		if err != nil {
			b.Fatal(err)
		}
		if ok {
			return flushed, i
		}
	}
}

// BenchmarkDeaggregate decodes a 1 MiB aggregate of 100-byte records with
// 36-character partition keys, shared by 16 records or unique to each.
func BenchmarkDeaggregate(b *testing.B) {
	for _, tc := range []struct {
		name string
		keys int
	}{{"shared-keys", 16}, {"unique-keys", 1 << 30}} {
		b.Run(tc.name, func(b *testing.B) {
			agg, n := benchAggregate(b, tc.keys)
			b.SetBytes(int64(len(agg)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				recs, err := Deaggregate(agg)
				if err != nil || len(recs) != n {
					b.Fatalf("Deaggregate = %d records, %v; want %d", len(recs), err, n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/record")
			b.ReportMetric(float64(n), "records")
		})
	}
}

// BenchmarkAggregatorAdd adds 100-byte records to an Aggregator with the
// default size limit, flushing as it fills.
func BenchmarkAggregatorAdd(b *testing.B) {
	a := NewAggregator(0)
	data := make([]byte, 100)
	keys := make([]string, 16)
	for i := range keys {
		keys[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, _, err := a.Add(Record{PartitionKey: keys[i%len(keys)], Data: data}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
