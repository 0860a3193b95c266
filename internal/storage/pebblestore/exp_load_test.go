package pebblestore

// TEMPORARY: tuning experiment, removed before hand-off.

import (
	"context"
	"crypto/rand"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/storage"
)

func TestExpLoad(t *testing.T) {
	total, _ := strconv.Atoi(os.Getenv("FX_LOAD"))
	if total == 0 {
		t.Skip()
	}
	s := openTest(t, t.TempDir(), SyncAlways)
	defer s.Close()
	ctx := context.Background()
	pool := make([]byte, 4<<20)
	_, _ = rand.Read(pool)
	pk := []byte("partition-key-0123456789")
	var left atomic.Int64
	left.Store(int64(total / 500))
	cpu0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var batches []*storage.Batch
			for l := range 4 {
				batches = append(batches, &storage.Batch{Log: "shard-" + strconv.Itoa(l), Records: make([]storage.Record, 125)})
			}
			k := g * 7919
			for left.Add(-1) >= 0 {
				for _, bt := range batches {
					for i := range bt.Records {
						k = (k + 101) % (len(pool) - 100)
						bt.Records[i] = storage.Record{PartitionKey: pk, Data: pool[k : k+100]}
					}
				}
				if err := s.Logs().Append(ctx, batches); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	var rd sync.WaitGroup
	var reads, readRecs atomic.Int64
	rd.Go(func() {
		var next [4]uint64
		for {
			select {
			case <-stop:
				return
			default:
			}
			got := 0
			for l := range 4 {
				recs, err := s.Logs().Read(ctx, "shard-"+strconv.Itoa(l), next[l], 10000, 10<<20)
				if err != nil {
					t.Error(err)
					return
				}
				reads.Add(1)
				readRecs.Add(int64(len(recs)))
				got += len(recs)
				if len(recs) > 0 {
					next[l] = recs[len(recs)-1].Offset + 1
				}
			}
			if got == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
	})
	wg.Wait()
	loadWall := time.Since(start)
	cpuLoad := cpuTime() - cpu0
	close(stop)
	rd.Wait()
	// Let flushes and compactions finish.
	for i := 0; i < 600; i++ {
		m := s.db.Metrics()
		if m.Compact.NumInProgress == 0 && m.Flush.NumInProgress == 0 && m.Compact.EstimatedDebt == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cpuAll := cpuTime() - cpu0
	m := s.db.Metrics()
	var w uint64
	for _, l := range m.Levels {
		w += l.BytesFlushed + l.BytesCompacted
	}
	t.Logf("records %d in %v: %.0f rec/s; cpu load %.0f ns/rec, with settle %.0f ns/rec; reads %d (%d recs); WAL %dMB, flush+compact %dMB, L0 files %d sublevels %d; rss %.1f MiB",
		total, loadWall.Round(time.Millisecond), float64(total)/loadWall.Seconds(),
		float64(cpuLoad.Nanoseconds())/float64(total), float64(cpuAll.Nanoseconds())/float64(total),
		reads.Load(), readRecs.Load(), m.WAL.BytesWritten>>20, w>>20, m.Levels[0].NumFiles, m.Levels[0].Sublevels, rssMiB())
}
