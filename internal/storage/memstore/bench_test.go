package memstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/storage"
	"github.com/freshet/freshet/internal/storage/memstore"
)

// BenchmarkAppend appends 500 records of 100 bytes per call, split over 4
// logs, from 8 goroutines.
func BenchmarkAppend(b *testing.B) {
	s := memstore.New()
	defer s.Close()
	ctx := context.Background()
	data := make([]byte, 100)
	b.SetParallelism(4)
	b.SetBytes(500 * 100)
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var batches []*storage.Batch
		for l := range 4 {
			bt := &storage.Batch{Log: "shard-" + strconv.Itoa(l), Records: make([]storage.Record, 125)}
			for i := range bt.Records {
				bt.Records[i] = storage.Record{PartitionKey: []byte("pk"), Data: data}
			}
			batches = append(batches, bt)
		}
		for pb.Next() {
			if err := s.Logs().Append(ctx, batches); err != nil {
				b.Error(err)
				return
			}
		}
	})
	n := float64(b.N * 500)
	b.ReportMetric(n/time.Since(start).Seconds(), "records/s")
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/n, "ns/record")
}

// BenchmarkRead reads a range of 10,000 records of 100 bytes.
func BenchmarkRead(b *testing.B) {
	s := memstore.New()
	defer s.Close()
	ctx := context.Background()
	const n = 10000
	bt := &storage.Batch{Log: "r", Records: make([]storage.Record, n)}
	for i := range bt.Records {
		bt.Records[i] = storage.Record{PartitionKey: []byte("pk-" + strconv.Itoa(i)), Data: make([]byte, 100)}
	}
	if err := s.Logs().Append(ctx, []*storage.Batch{bt}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n * 100)
	b.ReportAllocs()
	for b.Loop() {
		recs, err := s.Logs().Read(ctx, "r", 0, n, 0)
		if err != nil || len(recs) != n {
			b.Fatalf("Read: %d records, %v", len(recs), err)
		}
	}
	per := float64(b.Elapsed().Nanoseconds()) / float64(b.N*n)
	b.ReportMetric(1e9/per, "records/s")
	b.ReportMetric(per, "ns/record")
}
