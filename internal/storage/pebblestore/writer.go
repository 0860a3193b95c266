package pebblestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble"

	"github.com/freshet/freshet/internal/storage"
)

type opKind uint8

const (
	opAppend opKind = iota
	opTrim
	opDeleteLog
	opPut
	opDelete
)

// Request states. A caller whose context ends may withdraw a queued
// request; once the writer has taken it, the caller waits for the commit.
const (
	reqQueued uint32 = iota
	reqTaken
	reqWithdrawn
)

// request is one write waiting for the writer goroutine.
type request struct {
	kind  opKind
	state atomic.Uint32
	done  chan struct{}
	err   error

	batches []*storage.Batch // opAppend: FirstOffset, ArrivalMs filled in by the writer
	log     string           // opTrim, opDeleteLog
	before  uint64           // opTrim
	key     string           // opPut, opDelete
	value   []byte           // opPut
	expect  uint64           // opPut, opDelete
	rev     uint64           // opPut: the new revision
}

// size estimates the bytes a request adds to a commit.
func (r *request) size() int {
	switch r.kind {
	case opAppend:
		n := 0
		for _, b := range r.batches {
			n += 64
			for _, rec := range b.Records {
				n += 4 + len(rec.PartitionKey) + len(rec.Data)
			}
		}
		return n
	case opPut:
		return 32 + len(r.key) + len(r.value)
	}
	return 64
}

// submit queues r and waits until the writer committed it, the store
// closed or ctx ended before the writer took r.
func (s *Store) submit(ctx context.Context, r *request) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.done = make(chan struct{}, 1)
	s.qmu.Lock()
	switch {
	case s.qclosed:
		s.qmu.Unlock()
		return storage.ErrClosed
	case s.failed != nil:
		err := s.failed
		s.qmu.Unlock()
		return err
	}
	s.queue = append(s.queue, r)
	s.qmu.Unlock()
	s.signal()

	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqWithdrawn) {
			return ctx.Err()
		}
		<-r.done // the writer has it: the commit is under way
		return r.err
	}
}

func (s *Store) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// writer is the writer goroutine's private state.
type writer struct {
	s       *Store
	b       *pebble.Batch
	metaRev uint64 // last metadata revision handed out
	touched []*logState
	live    []*request
	pending map[string]uint64 // metadata revisions written by the commit being built; 0: deleted
	scratch []byte
	commits atomic.Uint64 // pebble commits so far, for tests
	failed  error         // the commit error that stopped the writer
}

func (w *writer) init(s *Store) {
	w.s = s
	w.b = s.db.NewBatch()
	w.pending = make(map[string]uint64)
}

// runWriter drains the queue until Close, committing each drained group in
// one or more pebble batches.
func (s *Store) runWriter() {
	defer close(s.writerDone)
	defer s.w.b.Close()
	for range s.wake {
		s.qmu.Lock()
		if s.qclosed || s.failed != nil {
			err := s.failed
			if err == nil {
				err = storage.ErrClosed
			}
			q := s.queue
			s.queue = nil
			closing := s.qclosed
			s.qmu.Unlock()
			fail(q, err)
			if closing {
				return
			}
			continue
		}
		reqs := s.queue
		s.queue = s.spare[:0]
		s.qmu.Unlock()

		for start := 0; start < len(reqs); {
			end, size := start, 0
			for end < len(reqs) && (end == start || size < maxCommitBytes) {
				size += reqs[end].size()
				end++
			}
			s.w.commit(reqs[start:end])
			start = end
		}
		clear(reqs)
		s.qmu.Lock()
		s.spare = reqs[:0]
		s.qmu.Unlock()
	}
}

// fail completes every request still queued with err.
func fail(reqs []*request, err error) {
	for _, r := range reqs {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			r.err = err
			r.done <- struct{}{}
		}
	}
}

// commit builds one pebble batch from reqs, commits it and, once it is as
// durable as the sync policy promises, publishes the new log watermarks and
// completes the requests.
func (w *writer) commit(reqs []*request) {
	s := w.s
	if w.failed != nil {
		fail(reqs, w.failed) // an earlier chunk of this drain failed
		return
	}
	now := time.Now().UnixMilli()
	hasMeta := false
	for _, r := range reqs {
		if !r.state.CompareAndSwap(reqQueued, reqTaken) {
			continue // withdrawn by its caller
		}
		w.live = append(w.live, r)
		switch r.kind {
		case opAppend:
			w.buildAppend(r, now)
		case opTrim:
			w.buildTrim(r)
		case opDeleteLog:
			w.buildDeleteLog(r)
		case opPut:
			hasMeta = true
			w.buildPut(r)
		case opDelete:
			hasMeta = true
			w.buildDelete(r)
		}
	}
	for _, ls := range w.touched {
		if ls.deleted {
			continue
		}
		w.scratch = encodeState(w.scratch[:0], ls.next, ls.horizon, ls.lastArrival)
		w.set(stateKey(ls.name), w.scratch)
	}
	if len(w.pending) > 0 {
		w.set([]byte(keyMetaRev), binary.BigEndian.AppendUint64(w.scratch[:0], w.metaRev))
	}

	var err error
	if !w.b.Empty() {
		if hasMeta {
			s.metaMu.Lock()
		}
		err = w.b.Commit(s.wopts)
		w.commits.Add(1)
		if hasMeta {
			s.metaMu.Unlock()
		}
	}
	w.b.Reset()
	clear(w.pending)
	if err != nil {
		err = fmt.Errorf("pebblestore: commit: %w", err)
		s.log.Error("pebblestore: commit failed; the store stops accepting writes", "err", err)
		w.failed = err
		s.qmu.Lock()
		s.failed = err
		s.qmu.Unlock()
	}
	for _, ls := range w.touched {
		ls.touched = false
		if err == nil {
			ls.visible.Store(ls.next)
			ls.first.Store(ls.horizon)
		}
	}
	clear(w.touched)
	w.touched = w.touched[:0]
	if err == nil && s.opts.Sync == SyncInterval {
		s.unsynced.Store(true)
	}
	for _, r := range w.live {
		if err != nil {
			r.err = err
		}
		r.done <- struct{}{}
	}
	clear(w.live)
	w.live = w.live[:0]
}

func (w *writer) set(key, value []byte) {
	// Batch.Set copies key and value; it never fails on an unindexed batch.
	_ = w.b.Set(key, value, nil)
}

// state returns log's state, creating it if the log is new.
func (w *writer) state(log string) *logState {
	ls := w.s.logs[log] // the writer is the map's only mutator
	if ls != nil {
		return ls
	}
	ls = newLogState(log)
	w.s.logsMu.Lock()
	w.s.logs[log] = ls
	w.s.logsMu.Unlock()
	return ls
}

func (w *writer) touch(ls *logState) {
	if !ls.touched {
		ls.touched = true
		w.touched = append(w.touched, ls)
	}
}

// buildAppend writes each batch as one chunk, or as several if it exceeds
// the chunk limits (see chunk.go).
func (w *writer) buildAppend(r *request, now int64) {
	for _, bt := range r.batches {
		ls := w.state(bt.Log)
		arrival := now
		if bt.ArrivalMs > 0 {
			arrival = bt.ArrivalMs
		}
		arrival = max(arrival, ls.lastArrival)
		ls.lastArrival = arrival
		bt.FirstOffset = ls.next
		bt.ArrivalMs = arrival
		klen := len(ls.prefix) + 8
		for recs := bt.Records; len(recs) > 0; {
			n, bodyLen := splitChunk(recs)
			ls.next += uint64(n)
			op := w.b.SetDeferred(klen, chunkValueLen(n, bodyLen))
			copy(op.Key, ls.prefix)
			binary.BigEndian.PutUint64(op.Key[len(ls.prefix):], ls.next-1)
			encodeChunk(op.Value, arrival, recs[:n])
			_ = op.Finish() // no index on this batch: cannot fail
			recs = recs[n:]
		}
		w.touch(ls)
	}
}

// buildTrim deletes the chunks that end below the new horizon. Chunk keys
// end in the chunk's last offset, so that is one range of keys, and it
// also covers chunks of this very commit; a chunk straddling the horizon
// stays, and readers skip its trimmed prefix.
func (w *writer) buildTrim(r *request) {
	ls := w.s.logs[r.log]
	if ls == nil {
		return
	}
	before := min(r.before, ls.next)
	if before <= ls.horizon {
		return
	}
	_ = w.b.DeleteRange(chunkKey(ls.prefix, ls.horizon), chunkKey(ls.prefix, before), nil)
	ls.horizon = before
	w.touch(ls)
}

func (w *writer) buildDeleteLog(r *request) {
	ls := w.s.logs[r.log]
	if ls == nil {
		return
	}
	_ = w.b.DeleteRange(ls.prefix, prefixEnd(ls.prefix), nil)
	_ = w.b.Delete(stateKey(ls.name), nil)
	ls.deleted = true
	w.s.logsMu.Lock()
	delete(w.s.logs, r.log)
	w.s.logsMu.Unlock()
}

// currentRev returns key's current revision (0: absent), counting the writes of
// the commit being built.
func (w *writer) currentRev(key string, mk []byte) (uint64, error) {
	if rev, ok := w.pending[key]; ok {
		return rev, nil
	}
	v, closer, err := w.s.db.Get(mk)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pebblestore: meta: %w", err)
	}
	defer closer.Close()
	if len(v) < metaRevLen {
		return 0, fmt.Errorf("pebblestore: meta %q: %w", key, errCorrupt)
	}
	return binary.BigEndian.Uint64(v), nil
}

func (w *writer) buildPut(r *request) {
	mk := metaKey(r.key)
	cur, err := w.currentRev(r.key, mk)
	switch {
	case err != nil:
		r.err = err
		return
	case cur != r.expect:
		r.err = storage.ErrConflict
		return
	}
	w.metaRev++
	op := w.b.SetDeferred(len(mk), metaRevLen+len(r.value))
	copy(op.Key, mk)
	binary.BigEndian.PutUint64(op.Value, w.metaRev)
	copy(op.Value[metaRevLen:], r.value)
	_ = op.Finish()
	w.pending[r.key] = w.metaRev
	r.rev = w.metaRev
}

func (w *writer) buildDelete(r *request) {
	mk := metaKey(r.key)
	cur, err := w.currentRev(r.key, mk)
	switch {
	case err != nil:
		r.err = err
		return
	case cur == 0:
		r.err = storage.ErrNotFound
		return
	case cur != r.expect:
		r.err = storage.ErrConflict
		return
	}
	_ = w.b.Delete(mk, nil)
	w.pending[r.key] = 0
}
