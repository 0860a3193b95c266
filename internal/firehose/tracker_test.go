package firehose

import (
	"reflect"
	"sync"
	"testing"
)

// The checkpoint moves only over groups whose records were all delivered,
// in read order, whatever order deliveries finish in.
func TestTrackerCheckpointsBehindDelivery(t *testing.T) {
	var mu sync.Mutex
	var saved []checkpoint
	tr := newTracker(checkpoint{}, func(cp checkpoint) {
		mu.Lock()
		saved = append(saved, cp)
		mu.Unlock()
	})
	g1 := tr.newGroup(map[string]string{"spool": "10"})
	g1.hold(2)
	g1.release(1) // the reader's own reference
	g2 := tr.newGroup(map[string]string{"spool": "20"})
	g2.hold(1)
	g2.release(1)
	g2.release(1) // g2 done first: nothing may move yet
	if len(saved) != 0 {
		t.Fatalf("checkpoint moved past an undelivered group: %v", saved)
	}
	g1.release(1)
	if len(saved) != 0 {
		t.Fatalf("checkpoint moved with one record of g1 pending: %v", saved)
	}
	g1.release(1)
	if want := []checkpoint{{Positions: map[string]string{"spool": "20"}}}; !reflect.DeepEqual(saved, want) {
		t.Fatalf("saved %v, want %v", saved, want)
	}
	if n := tr.pendingGroups(); n != 0 {
		t.Fatalf("%d groups pending", n)
	}
}

// A Lambda batch holds records of several groups and releases each by
// the records it took, once everything derived from it is delivered.
func TestBatchRefReleasesParents(t *testing.T) {
	var saved []checkpoint
	tr := newTracker(checkpoint{}, func(cp checkpoint) { saved = append(saved, cp) })
	g1 := tr.newGroup(map[string]string{"shard-0": "5"})
	g2 := tr.newGroup(map[string]string{"shard-1": "7"})
	g1.hold(2)
	g2.hold(1)
	g1.release(1)
	g2.release(1)
	br := &batchRef{pending: 4, parents: map[ref]int{g1: 2, g2: 1}}
	br.release(3)
	if len(saved) != 0 {
		t.Fatal("released before the batch was delivered")
	}
	br.release(1)
	if len(saved) == 0 {
		t.Fatal("nothing saved")
	}
	last := saved[len(saved)-1]
	if last.Positions["shard-0"] != "5" || last.Positions["shard-1"] != "7" {
		t.Fatalf("saved %v", saved)
	}
}
