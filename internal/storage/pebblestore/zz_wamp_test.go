package pebblestore

import (
	"crypto/rand"
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/storage"
)

func TestZZWamp(t *testing.T) {
	logs, _ := strconv.Atoi(os.Getenv("WAMP_LOGS"))
	total, _ := strconv.Atoi(os.Getenv("WAMP_RECORDS"))
	if logs == 0 {
		t.Skip()
	}
	s := openTest(t, t.TempDir(), SyncNever)
	defer s.Close()
	ctx := context.Background()
	pool := make([]byte, 8<<20)
	rand.Read(pool)
	per := 500 / logs
	if per == 0 {
		per = 1
	}
	var wg sync.WaitGroup
	start := time.Now()
	cpu0 := cpuTime()
	for range 8 {
		wg.Go(func() {
			var batches []*storage.Batch
			for l := range logs {
				b := &storage.Batch{Log: "shard-" + strconv.Itoa(l), Records: make([]storage.Record, per)}
				for i := range b.Records {
					b.Records[i] = storage.Record{PartitionKey: []byte("pk")}
				}
				batches = append(batches, b)
			}
			k := 0
			for range total / 8 / (per * logs) {
				for _, b := range batches {
					for i := range b.Records {
						k = (k + 101) % (len(pool) - 100)
						b.Records[i].Data = pool[k : k+100]
					}
				}
				if err := s.Logs().Append(ctx, batches); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d logs: %v, cpu %v, %.0f rec/s", logs, time.Since(start), cpuTime()-cpu0, float64(total)/time.Since(start).Seconds())
	t.Logf("\n%s", s.db.Metrics())
}
