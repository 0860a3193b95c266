package firehose

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/freshet/freshet/internal/storage"
)

// A source position is checkpointed only once every record read before
// it was delivered (or written to the error output). Records are read in
// groups; a group counts the records still derived from it, and the
// tracker moves the checkpoint over the oldest groups that are done.

// ref is something delivered records are counted against.
type ref interface{ release(n int) }

// group is one read of the source.
type group struct {
	t       *tracker
	mu      sync.Mutex
	pending int
	done    bool
	// last is where each source partition stands after this group.
	last map[string]string
}

func (g *group) release(n int) {
	g.mu.Lock()
	g.pending -= n
	finished := g.pending <= 0 && !g.done
	if finished {
		g.done = true
	}
	g.mu.Unlock()
	if finished {
		g.t.advance()
	}
}

// batchRef counts the records derived from a Lambda batch, which holds
// records of several groups; when they are all delivered it releases
// each group by the records it took from it.
type batchRef struct {
	mu      sync.Mutex
	pending int
	parents map[ref]int
}

func (b *batchRef) release(n int) {
	b.mu.Lock()
	b.pending -= n
	finished := b.pending <= 0 && b.parents != nil
	parents := b.parents
	if finished {
		b.parents = nil
	}
	b.mu.Unlock()
	if finished {
		for p, k := range parents {
			p.release(k)
		}
	}
}

// checkpoint is what a pipeline stores: the position of every source
// partition (the spool's next offset, or a shard's last sequence number,
// or "END" for a finished shard).
type checkpoint struct {
	Positions map[string]string `json:"positions"`
}

type tracker struct {
	mu    sync.Mutex
	queue []*group
	cp    checkpoint
	dirty bool
	// saved is called with a copy of the checkpoint when it moved.
	saved  func(checkpoint)
	saveMu sync.Mutex
}

func newTracker(cp checkpoint, saved func(checkpoint)) *tracker {
	if cp.Positions == nil {
		cp.Positions = map[string]string{}
	}
	return &tracker{cp: cp, saved: saved}
}

// newGroup starts a group holding one reference of its own (released by
// the reader once it has handed every record on).
func (t *tracker) newGroup(last map[string]string) *group {
	g := &group{t: t, pending: 1, last: last}
	t.mu.Lock()
	t.queue = append(t.queue, g)
	t.mu.Unlock()
	return g
}

func (t *tracker) advance() {
	t.mu.Lock()
	moved := false
	for len(t.queue) > 0 {
		g := t.queue[0]
		g.mu.Lock()
		done := g.done
		g.mu.Unlock()
		if !done {
			break
		}
		for k, v := range g.last {
			t.cp.Positions[k] = v
		}
		t.queue[0] = nil
		t.queue = t.queue[1:]
		moved = true
	}
	var cp checkpoint
	if moved {
		cp = t.snapshotLocked()
	}
	t.mu.Unlock()
	if moved && t.saved != nil {
		t.saveMu.Lock()
		t.saved(cp)
		t.saveMu.Unlock()
	}
}

func (t *tracker) snapshotLocked() checkpoint {
	cp := checkpoint{Positions: make(map[string]string, len(t.cp.Positions))}
	for k, v := range t.cp.Positions {
		cp.Positions[k] = v
	}
	return cp
}

// pendingGroups is how many groups are not checkpointed yet.
func (t *tracker) pendingGroups() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.queue)
}

func (s *Service) loadCheckpoint(ctx context.Context, doc *streamDoc) (checkpoint, uint64, error) {
	var cp checkpoint
	b, rev, err := s.meta.Get(ctx, checkpointKey(doc))
	if errors.Is(err, storage.ErrNotFound) {
		return cp, 0, nil
	}
	if err != nil {
		return cp, 0, err
	}
	return cp, rev, json.Unmarshal(b, &cp)
}
