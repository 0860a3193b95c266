package pebblestore

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/storage"
)

// BenchmarkAppend appends 500 records of 100 bytes per call, split over 4
// logs, from 8 goroutines; one op is one Append. It reports acknowledged
// records/s, wall ns/record, process CPU ns/record and the resident set.
func BenchmarkAppend(b *testing.B) {
	for _, mode := range []SyncMode{SyncAlways, SyncInterval, SyncNever} {
		b.Run("sync="+mode.String(), func(b *testing.B) {
			benchAppend(b, mode, 500, 8)
		})
	}
	// One record per Append: how far group commit carries small writes.
	b.Run("small/sync=always/records=1/goroutines=64", func(b *testing.B) {
		benchAppend(b, SyncAlways, 1, 64)
	})
}

func benchAppend(b *testing.B, mode SyncMode, perCall, goroutines int) {
	s := openTest(b, b.TempDir(), mode)
	defer s.Close()
	ctx := context.Background()
	// Incompressible payloads, so compactions cost what they would in
	// production: every record is a different window of a random pool.
	pool := make([]byte, 4<<20)
	_, _ = rand.Read(pool)
	const size = 100
	pk := []byte("partition-key-0123456789")
	const logs = 4
	var shard atomic.Uint32
	b.SetParallelism(max(1, (goroutines+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0)))
	b.SetBytes(int64(perCall * size))
	b.ReportAllocs()
	cpu0 := cpuTime()
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := shard.Add(1)
		var batches []*storage.Batch
		if perCall < logs {
			batches = []*storage.Batch{{Log: "shard-" + strconv.Itoa(int(id%logs)), Records: make([]storage.Record, perCall)}}
		} else {
			for l := range logs {
				batches = append(batches, &storage.Batch{Log: "shard-" + strconv.Itoa(l), Records: make([]storage.Record, perCall/logs)})
			}
		}
		k := int(id) * 7919
		for pb.Next() {
			for _, bt := range batches {
				for i := range bt.Records {
					k = (k + size + 1) % (len(pool) - size)
					bt.Records[i] = storage.Record{PartitionKey: pk, Data: pool[k : k+size]}
				}
			}
			if err := s.Logs().Append(ctx, batches); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	n := float64(b.N * perCall)
	b.ReportMetric(n/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(elapsed.Nanoseconds())/n, "ns/record")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/record")
	}
	if rss := rssMiB(); rss > 0 {
		b.ReportMetric(rss, "rss-MiB")
	}
	b.ReportMetric(float64(b.N)/float64(max(1, s.w.commits.Load())), "appends/commit")
}

// BenchmarkRead reads a range of 10,000 records of 100 bytes, appended as
// one batch, then reads of 10 records at scattered offsets of a log
// appended in batches of 500, as a consumer reading from a checkpoint does.
func BenchmarkRead(b *testing.B) {
	s := openTest(b, b.TempDir(), SyncNever)
	defer s.Close()
	ctx := context.Background()
	const n = 10000
	bt := &storage.Batch{Log: "r"}
	for i := range n {
		bt.Records = append(bt.Records, storage.Record{PartitionKey: []byte("pk-" + strconv.Itoa(i)), Data: make([]byte, 100)})
	}
	if err := s.Logs().Append(ctx, []*storage.Batch{bt}); err != nil {
		b.Fatal(err)
	}
	for range 200 {
		bt := &storage.Batch{Log: "p", Records: make([]storage.Record, 500)}
		for i := range bt.Records {
			bt.Records[i] = storage.Record{PartitionKey: []byte("partition-key-0123456789"), Data: make([]byte, 100)}
		}
		if err := s.Logs().Append(ctx, []*storage.Batch{bt}); err != nil {
			b.Fatal(err)
		}
	}
	for _, flushed := range []bool{false, true} {
		b.Run(fmt.Sprintf("flushed=%v", flushed), func(b *testing.B) {
			if flushed {
				if err := s.db.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(n * 100)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				recs, err := s.Logs().Read(ctx, "r", 0, n, 0)
				if err != nil || len(recs) != n {
					b.Fatalf("Read: %d records, %v", len(recs), err)
				}
			}
			reportRead(b, n, cpuTime()-cpu0)
		})
	}
	b.Run("scattered/records=10", func(b *testing.B) {
		const want = 10
		b.ReportAllocs()
		cpu0 := cpuTime()
		off := uint64(0)
		for b.Loop() {
			off = (off + 7919) % (200*500 - want)
			recs, err := s.Logs().Read(ctx, "p", off, want, 0)
			if err != nil || len(recs) != want || recs[0].Offset != off {
				b.Fatalf("Read(%d): %d records, %v", off, len(recs), err)
			}
		}
		reportRead(b, want, cpuTime()-cpu0)
	})
}

func reportRead(b *testing.B, perOp int, cpu time.Duration) {
	per := float64(b.Elapsed().Nanoseconds()) / float64(b.N*perOp)
	b.ReportMetric(1e9/per, "records/s")
	b.ReportMetric(per, "ns/record")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*perOp), "cpu-ns/record")
	}
}

// BenchmarkSeekTime binary-searches a log of 100,000 records.
func BenchmarkSeekTime(b *testing.B) {
	s := openTest(b, b.TempDir(), SyncNever)
	defer s.Close()
	ctx := context.Background()
	for range 100 {
		bt := &storage.Batch{Log: "s", Records: make([]storage.Record, 1000)}
		if err := s.Logs().Append(ctx, []*storage.Batch{bt}); err != nil {
			b.Fatal(err)
		}
	}
	ms := time.Now().UnixMilli()
	for b.Loop() {
		if _, err := s.Logs().SeekTime(ctx, "s", ms); err != nil {
			b.Fatal(err)
		}
	}
}

// rssMiB returns the process's resident set from /proc, or 0.
func rssMiB() float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
