package pebblestore

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/storage"
)

// TestFootprint writes 2M records of 100 bytes from 8 goroutines, reads
// them back, idles and logs the resident set at each step. It measures
// rather than asserts (the figure depends on the binary and on the C
// allocator); run it with -v and FRESHET_PEBBLESTORE_FOOTPRINT=1 (SyncAlways)
// or set to a sync mode name.
func TestFootprint(t *testing.T) {
	if os.Getenv("FRESHET_PEBBLESTORE_FOOTPRINT") == "" {
		t.Skip("set FRESHET_PEBBLESTORE_FOOTPRINT=1 to measure memory")
	}
	mode := SyncAlways
	if m := os.Getenv("FRESHET_PEBBLESTORE_FOOTPRINT"); m != "1" {
		var err error
		if mode, err = ParseSyncMode(m); err != nil {
			t.Fatal(err)
		}
	}
	s := openTest(t, t.TempDir(), mode)
	defer s.Close()
	ctx := context.Background()
	t.Logf("sync %v; after open: %.1f MiB", mode, rssMiB())
	data := make([]byte, 100)
	const writers, appends, logs, perBatch = 8, 500, 4, 125
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			var batches []*storage.Batch
			for l := range logs {
				b := &storage.Batch{Log: "shard-" + strconv.Itoa(l), Records: make([]storage.Record, perBatch)}
				for i := range b.Records {
					b.Records[i] = storage.Record{PartitionKey: []byte("pk"), Data: data}
				}
				batches = append(batches, b)
			}
			for range appends {
				if err := s.Logs().Append(ctx, batches); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("after %d records: %.1f MiB (Go heap in use %d MiB)", writers*appends*logs*perBatch, rssMiB(), ms.HeapInuse>>20)
	for l := range logs {
		for from := uint64(0); from < writers*appends*perBatch; from += 10000 {
			if _, err := s.Logs().Read(ctx, "shard-"+strconv.Itoa(l), from, 10000, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("after reading them back: %.1f MiB", rssMiB())
	time.Sleep(5 * time.Second)
	runtime.GC()
	debug.FreeOSMemory()
	m := s.db.Metrics()
	t.Logf("idle: %.1f MiB (memtables %d, %d MiB; block cache %d MiB)",
		rssMiB(), m.MemTable.Count, m.MemTable.Size>>20, m.BlockCache.Size>>20)
}
