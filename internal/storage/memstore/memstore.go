package memstore

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freshet/freshet/internal/storage"
)

// Store is an in-memory storage.Backend. The zero value is not usable; call
// New.
type Store struct {
	closed atomic.Bool

	metaMu sync.RWMutex
	meta   map[string]metaEntry
	rev    uint64 // last revision handed out, shared by every key

	logsMu sync.RWMutex
	logs   map[string]*memLog
}

type metaEntry struct {
	value []byte
	rev   uint64
}

// memLog is one log. Records live in segments of segSize records, so
// appending never copies the whole log and trimming drops whole segments:
// offset o is segs[(o-base)/segSize][(o-base)%segSize], and every segment
// but the last is full.
type memLog struct {
	mu          sync.RWMutex
	segs        [][]storage.StoredRecord
	base        uint64 // offset of segs[0][0]
	first       uint64
	next        uint64
	lastArrival int64
}

const segSize = 4096

func (ml *memLog) at(off uint64) *storage.StoredRecord {
	i := off - ml.base
	return &ml.segs[i/segSize][i%segSize]
}

func (ml *memLog) push(recs []storage.StoredRecord) {
	for len(recs) > 0 {
		if len(ml.segs) == 0 || len(ml.segs[len(ml.segs)-1]) == segSize {
			ml.segs = append(ml.segs, make([]storage.StoredRecord, 0, min(segSize, max(len(recs), 16))))
		}
		last := &ml.segs[len(ml.segs)-1]
		n := min(len(recs), segSize-len(*last))
		if len(*last)+n > cap(*last) {
			// Double by hand: append grows large slices by only 1.25x.
			grown := make([]storage.StoredRecord, len(*last), min(segSize, max(2*cap(*last), len(*last)+n)))
			copy(grown, *last)
			*last = grown
		}
		*last = append(*last, recs[:n]...)
		recs = recs[n:]
	}
}

// New returns an empty Store.
func New() *Store {
	return &Store{
		meta: make(map[string]metaEntry),
		logs: make(map[string]*memLog),
	}
}

var (
	_ storage.Backend   = (*Store)(nil)
	_ storage.MetaStore = metaStore{}
	_ storage.LogStore  = logStore{}
)

// Meta returns the store's metadata half.
func (s *Store) Meta() storage.MetaStore { return metaStore{s} }

// Logs returns the store's log half.
func (s *Store) Logs() storage.LogStore { return logStore{s} }

// Name returns "memory".
func (s *Store) Name() string { return "memory" }

// Close drops everything the store holds. Later calls fail with
// storage.ErrClosed; closing again returns nil.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.metaMu.Lock()
	s.meta = nil
	s.metaMu.Unlock()
	s.logsMu.Lock()
	s.logs = nil
	s.logsMu.Unlock()
	return nil
}

// check returns the error an operation should fail with before it starts.
func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	return ctx.Err()
}

type metaStore struct{ s *Store }

func (m metaStore) Get(ctx context.Context, key string) ([]byte, uint64, error) {
	if err := m.s.check(ctx); err != nil {
		return nil, 0, err
	}
	m.s.metaMu.RLock()
	defer m.s.metaMu.RUnlock()
	if m.s.meta == nil {
		return nil, 0, storage.ErrClosed
	}
	e, ok := m.s.meta[key]
	if !ok {
		return nil, 0, storage.ErrNotFound
	}
	return slices.Clone(e.value), e.rev, nil
}

func (m metaStore) Put(ctx context.Context, key string, value []byte, expect uint64) (uint64, error) {
	if err := m.s.check(ctx); err != nil {
		return 0, err
	}
	m.s.metaMu.Lock()
	defer m.s.metaMu.Unlock()
	if m.s.meta == nil {
		return 0, storage.ErrClosed
	}
	if m.s.meta[key].rev != expect {
		return 0, storage.ErrConflict
	}
	m.s.rev++
	v := make([]byte, len(value))
	copy(v, value)
	m.s.meta[key] = metaEntry{value: v, rev: m.s.rev}
	return m.s.rev, nil
}

func (m metaStore) Delete(ctx context.Context, key string, expect uint64) error {
	if err := m.s.check(ctx); err != nil {
		return err
	}
	m.s.metaMu.Lock()
	defer m.s.metaMu.Unlock()
	if m.s.meta == nil {
		return storage.ErrClosed
	}
	e, ok := m.s.meta[key]
	if !ok {
		return storage.ErrNotFound
	}
	if e.rev != expect {
		return storage.ErrConflict
	}
	delete(m.s.meta, key)
	// A later create must get a higher revision than this key ever had;
	// the shared counter already guarantees that.
	return nil
}

func (m metaStore) List(ctx context.Context, prefix string) ([]storage.Entry, error) {
	if err := m.s.check(ctx); err != nil {
		return nil, err
	}
	m.s.metaMu.RLock()
	defer m.s.metaMu.RUnlock()
	if m.s.meta == nil {
		return nil, storage.ErrClosed
	}
	var out []storage.Entry
	for k, e := range m.s.meta {
		if strings.HasPrefix(k, prefix) {
			out = append(out, storage.Entry{Key: k, Value: slices.Clone(e.value), Rev: e.rev})
		}
	}
	slices.SortFunc(out, func(a, b storage.Entry) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

type logStore struct{ s *Store }

// lookup returns log's state, or nil. The caller holds s.logsMu.
func (s *Store) lookup(log string) *memLog { return s.logs[log] }

func (l logStore) Append(ctx context.Context, batches []*storage.Batch) error {
	s := l.s
	if err := s.check(ctx); err != nil {
		return err
	}
	if len(batches) == 0 {
		return nil
	}
	// Copy the payloads before taking any lock: one allocation per batch.
	copies := make([][]storage.StoredRecord, len(batches))
	for i, b := range batches {
		copies[i] = copyRecords(b.Records)
	}

	s.logsMu.RLock()
	defer s.logsMu.RUnlock()
	logs, err := s.resolve(batches)
	if err != nil {
		return err
	}
	// Lock every log involved in name order, so concurrent multi-log
	// appends cannot deadlock and the whole call is one atomic step.
	names := make([]string, 0, len(logs))
	for name := range logs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		logs[name].mu.Lock()
	}
	now := time.Now().UnixMilli()
	for i, b := range batches {
		ml := logs[b.Log]
		arrival := now
		if b.ArrivalMs > 0 {
			arrival = b.ArrivalMs
		}
		arrival = max(arrival, ml.lastArrival)
		ml.lastArrival = arrival
		recs := copies[i]
		for j := range recs {
			recs[j].Offset = ml.next + uint64(j)
			recs[j].ArrivalMs = arrival
		}
		ml.push(recs)
		b.FirstOffset = ml.next
		b.ArrivalMs = arrival
		ml.next += uint64(len(recs))
	}
	for _, name := range names {
		logs[name].mu.Unlock()
	}
	return nil
}

// resolve returns the state of every log batches name, creating missing
// ones. The caller holds s.logsMu.RLock; resolve may drop and retake it.
func (s *Store) resolve(batches []*storage.Batch) (map[string]*memLog, error) {
	for {
		if s.logs == nil {
			return nil, storage.ErrClosed
		}
		logs := make(map[string]*memLog, len(batches))
		missing := false
		for _, b := range batches {
			ml := s.lookup(b.Log)
			if ml == nil {
				missing = true
				break
			}
			logs[b.Log] = ml
		}
		if !missing {
			return logs, nil
		}
		s.logsMu.RUnlock()
		s.logsMu.Lock()
		if s.logs != nil {
			for _, b := range batches {
				if s.logs[b.Log] == nil {
					s.logs[b.Log] = &memLog{}
				}
			}
		}
		s.logsMu.Unlock()
		s.logsMu.RLock()
	}
}

// copyRecords copies recs into StoredRecords backed by one shared slab.
func copyRecords(recs []storage.Record) []storage.StoredRecord {
	if len(recs) == 0 {
		return nil
	}
	size := 0
	for _, r := range recs {
		size += len(r.PartitionKey) + len(r.Data)
	}
	slab := make([]byte, 0, size)
	out := make([]storage.StoredRecord, len(recs))
	for i, r := range recs {
		out[i].PartitionKey, slab = carve(slab, r.PartitionKey)
		out[i].Data, slab = carve(slab, r.Data)
	}
	return out
}

// carve appends b to slab and returns the appended part, capped so that
// appending to it cannot overwrite its neighbours, and the grown slab.
func carve(slab, b []byte) ([]byte, []byte) {
	n := len(slab)
	slab = append(slab, b...)
	return slab[n:len(slab):len(slab)], slab
}

// get returns log's state under s.logsMu, or nil.
func (s *Store) get(log string) (*memLog, error) {
	s.logsMu.RLock()
	defer s.logsMu.RUnlock()
	if s.logs == nil {
		return nil, storage.ErrClosed
	}
	return s.logs[log], nil
}

func (l logStore) Read(ctx context.Context, log string, from uint64, limit int, maxBytes int) ([]storage.StoredRecord, error) {
	if err := l.s.check(ctx); err != nil {
		return nil, err
	}
	ml, err := l.s.get(log)
	if err != nil || ml == nil || limit <= 0 {
		return nil, err
	}
	ml.mu.RLock()
	defer ml.mu.RUnlock()
	from = max(from, ml.first)
	if from >= ml.next {
		return nil, nil
	}
	end := ml.next
	if uint64(limit) < end-from {
		end = from + uint64(limit)
	}
	size := 0
	for off := from; off < end; off++ {
		r := ml.at(off)
		sz := len(r.PartitionKey) + len(r.Data)
		if off > from && maxBytes > 0 && size+sz > maxBytes {
			end = off
			break
		}
		size += sz
	}
	slab := make([]byte, 0, size)
	out := make([]storage.StoredRecord, end-from)
	for i := range out {
		r := ml.at(from + uint64(i))
		out[i].Offset = r.Offset
		out[i].ArrivalMs = r.ArrivalMs
		out[i].PartitionKey, slab = carve(slab, r.PartitionKey)
		out[i].Data, slab = carve(slab, r.Data)
	}
	return out, nil
}

func (l logStore) Bounds(ctx context.Context, log string) (uint64, uint64, error) {
	if err := l.s.check(ctx); err != nil {
		return 0, 0, err
	}
	ml, err := l.s.get(log)
	if err != nil || ml == nil {
		return 0, 0, err
	}
	ml.mu.RLock()
	defer ml.mu.RUnlock()
	return ml.first, ml.next, nil
}

func (l logStore) SeekTime(ctx context.Context, log string, ms int64) (uint64, error) {
	if err := l.s.check(ctx); err != nil {
		return 0, err
	}
	ml, err := l.s.get(log)
	if err != nil || ml == nil {
		return 0, err
	}
	ml.mu.RLock()
	defer ml.mu.RUnlock()
	n := int(ml.next - ml.first)
	i := sort.Search(n, func(i int) bool { return ml.at(ml.first+uint64(i)).ArrivalMs >= ms })
	return ml.first + uint64(i), nil
}

func (l logStore) Trim(ctx context.Context, log string, before uint64) error {
	if err := l.s.check(ctx); err != nil {
		return err
	}
	ml, err := l.s.get(log)
	if err != nil || ml == nil {
		return err
	}
	ml.mu.Lock()
	defer ml.mu.Unlock()
	before = min(before, ml.next)
	if before <= ml.first {
		return nil
	}
	for off := ml.first; off < before; off++ {
		*ml.at(off) = storage.StoredRecord{} // let the trimmed payloads go
	}
	for len(ml.segs) > 0 && ml.base+segSize <= before {
		ml.segs[0] = nil
		ml.segs = ml.segs[1:]
		ml.base += segSize
	}
	if len(ml.segs) == 0 {
		ml.segs = nil
		ml.base = before // an empty log starts its next segment at before
	}
	ml.first = before
	return nil
}

func (l logStore) DeleteLog(ctx context.Context, log string) error {
	if err := l.s.check(ctx); err != nil {
		return err
	}
	l.s.logsMu.Lock()
	defer l.s.logsMu.Unlock()
	if l.s.logs == nil {
		return storage.ErrClosed
	}
	delete(l.s.logs, log)
	return nil
}
