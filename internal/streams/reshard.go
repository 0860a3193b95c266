package streams

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// A reshard closes shards and opens their children in one change of the
// stream document, made while no append is in flight (the stream's writes
// lock), so each closing shard's end offset is final. The children take
// writes at once; the stream reports UPDATING for the state delay and
// refuses another reshard until then, as AWS does.

// reshardTx is one reshard being built on a copy of the stream document.
type reshardTx struct {
	s   *Service
	ctx context.Context
	doc *streamDoc
	now time.Time
}

// reshard runs change on the stream t names, under both locks.
func (s *Service) reshard(ctx context.Context, name, arn *string, change func(tx *reshardTx) error) (target, error) {
	t, st, _, err := s.lookup(ctx, name, arn)
	if err != nil {
		return t, err
	}
	st.writes.Lock()
	defer st.writes.Unlock()
	err = s.update(ctx, st, func(doc *streamDoc) error {
		if err := s.requireActive(doc); err != nil {
			return err
		}
		tx := &reshardTx{s: s, ctx: ctx, doc: doc, now: s.now()}
		if err := change(tx); err != nil {
			return err
		}
		doc.UpdatingMs = tx.now.UnixMilli() + s.opts.StateDelay.Milliseconds()
		return nil
	})
	return t, err
}

// openShard finds an open shard by ID, with AWS's errors.
func (tx *reshardTx) openShard(id string) (*shardDoc, error) {
	index, ok := parseShardID(id)
	var sh *shardDoc
	if ok {
		for i := range tx.doc.Shards {
			if tx.doc.Shards[i].Index == index {
				sh = &tx.doc.Shards[i]
			}
		}
	}
	if sh == nil {
		return nil, awserr.Newf("ResourceNotFoundException", "Could not find shard %s in stream %s under account %s.", id, tx.doc.Name, tx.doc.Account)
	}
	if !sh.open() {
		return nil, awserr.Newf("InvalidArgumentException", "Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", shardID(sh.Index), tx.doc.Name, tx.doc.Account)
	}
	return sh, nil
}

// close ends shard index at its current next offset. The document's shard
// slice may grow later in the transaction, so shards are named by index.
func (tx *reshardTx) close(index uint32) error {
	sh := tx.shard(index)
	_, next, err := tx.s.logs.Bounds(tx.ctx, tx.doc.logName(index))
	if err != nil {
		return fmt.Errorf("streams: close shard: %w", err)
	}
	sh.EndOffset = &next
	sh.ClosedMs = tx.now.UnixMilli()
	return nil
}

func (tx *reshardTx) shard(index uint32) *shardDoc {
	for i := range tx.doc.Shards {
		if tx.doc.Shards[i].Index == index {
			return &tx.doc.Shards[i]
		}
	}
	return nil
}

// open adds a child shard covering [start, end] and returns its index.
func (tx *reshardTx) open(start, end uint128, parent, adjacent uint32, hasAdjacent bool) uint32 {
	index := uint32(len(tx.doc.Shards))
	child := shardDoc{Index: index, StartHash: start.String(), EndHash: end.String(), CreatedMs: tx.now.UnixMilli(), ParentID: shardID(parent)}
	if hasAdjacent {
		child.AdjParent = shardID(adjacent)
	}
	if tx.doc.EncKeyID != "" {
		child.Enc = []encRange{{From: 0, KeyID: tx.doc.EncKeyID}}
	}
	tx.doc.Shards = append(tx.doc.Shards, child)
	return index
}

// split closes shard index and opens two children, cut at at.
func (tx *reshardTx) split(index uint32, at uint128) (lo, hi uint32, err error) {
	if err := tx.close(index); err != nil {
		return 0, 0, err
	}
	sh := tx.shard(index)
	start, _ := parseUint128(sh.StartHash)
	end, _ := parseUint128(sh.EndHash)
	lo = tx.open(start, at.sub64(1), index, 0, false)
	hi = tx.open(at, end, index, 0, false)
	return lo, hi, nil
}

// merge closes two adjacent shards and opens their union.
func (tx *reshardTx) merge(left, right uint32) (uint32, error) {
	if err := tx.close(left); err != nil {
		return 0, err
	}
	if err := tx.close(right); err != nil {
		return 0, err
	}
	start, _ := parseUint128(tx.shard(left).StartHash)
	end, _ := parseUint128(tx.shard(right).EndHash)
	return tx.open(start, end, left, right, true), nil
}

// openCount is the number of open shards in the document.
func (tx *reshardTx) openCount() int {
	n := 0
	for i := range tx.doc.Shards {
		if tx.doc.Shards[i].open() {
			n++
		}
	}
	return n
}

// checkLimit refuses a reshard that would take the account over its shard
// limit.
func (tx *reshardTx) checkLimit(extra int) error {
	if extra <= 0 {
		return nil
	}
	s := tx.s
	s.mu.Lock()
	open := s.openShardsLocked(tx.doc.Account, tx.doc.Region, tx.now)
	s.mu.Unlock()
	if open+extra > s.opts.ShardLimit {
		return awserr.Newf("LimitExceededException",
			"This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (%s) for current limits and how to request higher limits.",
			tx.doc.Account, tx.doc.Region, open, s.opts.ShardLimit, extra, limitsPageURL)
	}
	return nil
}

// openByStart returns the indices of the open shards, by starting hash key.
func (tx *reshardTx) openByStart() []uint32 {
	var out []uint32
	for i := range tx.doc.Shards {
		if tx.doc.Shards[i].open() {
			out = append(out, tx.doc.Shards[i].Index)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := parseUint128(tx.shard(out[i]).StartHash)
		b, _ := parseUint128(tx.shard(out[j]).StartHash)
		return a.cmp(b) < 0
	})
	return out
}
