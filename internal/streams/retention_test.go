package streams

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/storage/memstore"
)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTestService(t *testing.T) (*Service, *testClock) {
	t.Helper()
	clk := &testClock{now: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	store := memstore.New()
	s := New(Options{Store: store, Account: "000000000000", Region: "us-east-1", ShardLimit: 100, Now: clk.Now, HousekeepingInterval: time.Hour, ScaleInterval: time.Hour})
	if err := s.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); store.Close() })
	return s, clk
}

func str(s string) *string { return &s }

func TestRetentionTrimsOldRecords(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestService(t)
	one := int64(1)
	if _, err := s.CreateStream(ctx, &kinesisapi.CreateStreamInput{StreamName: "r", ShardCount: &one}); err != nil {
		t.Fatal(err)
	}
	put := func(data string) {
		t.Helper()
		if _, err := s.PutRecord(ctx, &kinesisapi.PutRecordInput{StreamName: str("r"), PartitionKey: "k", Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	put("old-1")
	put("old-2")
	clk.Add(20 * time.Hour)
	put("young")
	clk.Add(5 * time.Hour) // the first two are now 25 h old, the last 5 h
	s.Sweep(ctx)

	it, err := s.GetShardIterator(ctx, &kinesisapi.GetShardIteratorInput{StreamName: str("r"), ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.GetRecords(ctx, &kinesisapi.GetRecordsInput{ShardIterator: *it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 1 || string(out.Records[0].Data) != "young" {
		t.Fatalf("after retention: %d records, first %q", len(out.Records), out.Records[0].Data)
	}
	// An iterator taken before the trim skips to the horizon, no error.
	_, state, _ := s.getActive(target{account: "000000000000", region: "us-east-1", name: "r"})
	first, next, _ := s.logs.Bounds(ctx, state.doc.logName(0))
	if first != 2 || next != 3 {
		t.Fatalf("bounds after trim: first %d next %d, want 2 3", first, next)
	}

	// A longer retention keeps records; the next sweep trims nothing more.
	h := int64(48)
	if _, err := s.IncreaseStreamRetentionPeriod(ctx, &kinesisapi.IncreaseStreamRetentionPeriodInput{StreamName: str("r"), RetentionPeriodHours: h}); err != nil {
		t.Fatal(err)
	}
	clk.Add(30 * time.Hour) // "young" is 35 h old: inside 48 h
	s.Sweep(ctx)
	if first, _, _ := s.logs.Bounds(ctx, state.doc.logName(0)); first != 2 {
		t.Fatalf("48 h retention trimmed to %d", first)
	}
}

func TestDeletedStreamIsSwept(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestService(t)
	s.opts.StateDelay = time.Second
	one := int64(1)
	if _, err := s.CreateStream(ctx, &kinesisapi.CreateStreamInput{StreamName: "d", ShardCount: &one}); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Second)
	if _, err := s.PutRecord(ctx, &kinesisapi.PutRecordInput{StreamName: str("d"), PartitionKey: "k", Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	_, state, _ := s.getActive(target{account: "000000000000", region: "us-east-1", name: "d"})
	log := state.doc.logName(0)
	if _, err := s.DeleteStream(ctx, &kinesisapi.DeleteStreamInput{StreamName: str("d")}); err != nil {
		t.Fatal(err)
	}
	s.Sweep(ctx) // still DELETING: nothing removed
	if recs, _ := s.logs.Read(ctx, log, 0, 10, 1<<20); len(recs) != 1 {
		t.Fatalf("records removed while DELETING: %d left", len(recs))
	}
	clk.Add(2 * time.Second)
	s.Sweep(ctx)
	if recs, _ := s.logs.Read(ctx, log, 0, 10, 1<<20); len(recs) != 0 {
		t.Fatalf("%d records left after the sweep", len(recs))
	}
	if entries, _ := s.meta.List(ctx, "kinesis/stream/"); len(entries) != 0 {
		t.Fatalf("stream document left: %v", entries)
	}
}
