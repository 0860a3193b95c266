package streams

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
)

// TestReshardUnderLoad reshards repeatedly while producers write, then
// reads every shard: each acknowledged record is found exactly once, in
// the shard its put named, and no closed shard holds a record beyond its
// end offset (the writes lock makes the end final).
func TestReshardUnderLoad(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService(t)
	two := int64(2)
	if _, err := s.CreateStream(ctx, &kinesisapi.CreateStreamInput{StreamName: "load", ShardCount: &two}); err != nil {
		t.Fatal(err)
	}
	type ack struct{ shard, data string }
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var recs []kinesisapi.PutRecordsRequestEntry
				for j := 0; j < 20; j++ {
					recs = append(recs, kinesisapi.PutRecordsRequestEntry{PartitionKey: fmt.Sprintf("k%d-%d", p, j), Data: []byte(fmt.Sprintf("p%d-%d-%d", p, i, j))})
				}
				out, err := s.PutRecords(ctx, &kinesisapi.PutRecordsInput{StreamName: str("load"), Records: recs})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for j, r := range out.Records {
					acks = append(acks, ack{*r.ShardId, string(recs[j].Data)})
				}
				mu.Unlock()
			}
		}(p)
	}
	acked := func() int { mu.Lock(); defer mu.Unlock(); return len(acks) }
	for _, target := range []int64{4, 3, 5, 8, 4, 2} {
		// Let writes land between reshards, so each one closes busy shards.
		for want, deadline := acked()+200, time.Now().Add(5*time.Second); acked() < want && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		if _, err := s.UpdateShardCount(ctx, &kinesisapi.UpdateShardCountInput{StreamName: str("load"), TargetShardCount: target, ScalingType: "UNIFORM_SCALING"}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()

	_, state, err := s.get(target{account: "000000000000", region: "us-east-1", name: "load"})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, sh := range state.doc.Shards {
		recs, err := s.logs.Read(ctx, state.doc.logName(sh.Index), 0, 1<<30, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !sh.open() && uint64(len(recs)) != *sh.EndOffset {
			t.Errorf("%s closed at %d holds %d records", shardID(sh.Index), *sh.EndOffset, len(recs))
		}
		for _, r := range recs {
			if prev, dup := found[string(r.Data)]; dup {
				t.Fatalf("%s stored twice (%s, %s)", r.Data, prev, shardID(sh.Index))
			}
			found[string(r.Data)] = shardID(sh.Index)
		}
	}
	if len(found) != len(acks) || len(acks) == 0 {
		t.Fatalf("%d records stored, %d acknowledged", len(found), len(acks))
	}
	for _, a := range acks {
		if found[a.data] != a.shard {
			t.Fatalf("%s acknowledged in %s, stored in %q", a.data, a.shard, found[a.data])
		}
	}
	if open := len(state.routes); open != 2 {
		t.Fatalf("%d open shards after scaling to 2", open)
	}
}

// TestOnDemandScaling: a shard kept above 80 % of its write limit for five
// rounds is split; a cold stream is left alone.
func TestOnDemandScaling(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService(t)
	if _, err := s.CreateStream(ctx, &kinesisapi.CreateStreamInput{StreamName: "od", StreamModeDetails: &kinesisapi.StreamModeDetails{StreamMode: modeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	open := func() int64 {
		out, err := s.DescribeStreamSummary(ctx, &kinesisapi.DescribeStreamSummaryInput{StreamName: str("od")})
		if err != nil {
			t.Fatal(err)
		}
		return out.StreamDescriptionSummary.OpenShardCount
	}
	put := func(n int) {
		var recs []kinesisapi.PutRecordsRequestEntry
		hot := "0" // every record to shard 0
		for i := 0; i < n; i++ {
			recs = append(recs, kinesisapi.PutRecordsRequestEntry{PartitionKey: "k", ExplicitHashKey: &hot, Data: []byte("x")})
		}
		if _, err := s.PutRecords(ctx, &kinesisapi.PutRecordsInput{StreamName: str("od"), Records: recs}); err != nil {
			t.Fatal(err)
		}
	}
	// Cold: 100 records a round for ten rounds changes nothing.
	for i := 0; i < 10; i++ {
		put(100)
		s.ScaleOnce(ctx, time.Second)
	}
	if n := open(); n != 4 {
		t.Fatalf("cold stream has %d open shards", n)
	}
	// Hot: 900 records a round (90 % of 1,000/s); the fifth round splits.
	for i := 0; i < 4; i++ {
		put(500)
		put(400)
		s.ScaleOnce(ctx, time.Second)
	}
	if n := open(); n != 4 {
		t.Fatalf("split after %d hot rounds, want 5", 4)
	}
	put(500)
	put(400)
	s.ScaleOnce(ctx, time.Second)
	if n := open(); n != 5 {
		t.Fatalf("after 5 hot rounds: %d open shards, want 5", n)
	}
	shards, err := s.ListShards(ctx, &kinesisapi.ListShardsInput{StreamName: str("od"), ShardFilter: &kinesisapi.ShardFilter{Type: "AT_LATEST"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range shards.Shards {
		if sh.ShardId == "shardId-000000000000" {
			t.Fatal("the hot shard is still open")
		}
	}
}
