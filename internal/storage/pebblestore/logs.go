package pebblestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble"

	"github.com/freshet/freshet/internal/storage"
)

type logStore struct{ s *Store }

func (l logStore) Append(ctx context.Context, batches []*storage.Batch) error {
	if l.s.closed.Load() {
		return storage.ErrClosed
	}
	if len(batches) == 0 {
		return ctx.Err()
	}
	return l.s.submit(ctx, &request{kind: opAppend, batches: batches})
}

func (l logStore) Trim(ctx context.Context, log string, before uint64) error {
	if l.s.closed.Load() {
		return storage.ErrClosed
	}
	return l.s.submit(ctx, &request{kind: opTrim, log: log, before: before})
}

func (l logStore) DeleteLog(ctx context.Context, log string) error {
	if l.s.closed.Load() {
		return storage.ErrClosed
	}
	return l.s.submit(ctx, &request{kind: opDeleteLog, log: log})
}

func (l logStore) Bounds(ctx context.Context, log string) (uint64, uint64, error) {
	unlock, err := l.s.readLock(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer unlock()
	ls := l.s.lookup(log)
	if ls == nil {
		return 0, 0, nil
	}
	first := ls.first.Load()
	return first, ls.visible.Load(), nil
}

func (l logStore) Read(ctx context.Context, log string, from uint64, limit int, maxBytes int) ([]storage.StoredRecord, error) {
	unlock, err := l.s.readLock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	ls := l.s.lookup(log)
	if ls == nil || limit <= 0 {
		return nil, nil
	}
	from = max(from, ls.first.Load())
	end := ls.visible.Load()
	if from >= end {
		return nil, nil
	}
	if uint64(limit) < end-from {
		end = from + uint64(limit)
	}
	iter, err := l.s.db.NewIter(&pebble.IterOptions{
		LowerBound: recordKey(ls.prefix, from),
		UpperBound: recordKey(ls.prefix, end),
	})
	if err != nil {
		return nil, fmt.Errorf("pebblestore: read %q: %w", log, err)
	}
	out, err := collect(iter, len(ls.prefix), int(end-from), maxBytes)
	if cerr := iter.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("pebblestore: read %q: %w", log, err)
	}
	return out, nil
}

// maxPrealloc caps how many records collect allocates room for up front.
const maxPrealloc = 16 << 10

// collect copies the records iter yields into caller-owned memory. Payloads
// are carved out of a few large chunks, each record's slices capped so that
// appending to one cannot overwrite the next.
func collect(iter *pebble.Iterator, prefixLen, n, maxBytes int) ([]storage.StoredRecord, error) {
	prealloc := min(n, maxPrealloc)
	if maxBytes > 0 {
		prealloc = min(prealloc, maxBytes/64+1)
	}
	out := make([]storage.StoredRecord, 0, prealloc)
	var chunk []byte
	total := 0
	for valid := iter.First(); valid; valid = iter.Next() {
		key := iter.Key()
		if len(key) != prefixLen+8 {
			return nil, fmt.Errorf("%w: record key of %d bytes", errCorrupt, len(key))
		}
		arrival, pk, data, err := decodeRecordValue(iter.Value())
		if err != nil {
			return nil, err
		}
		size := len(pk) + len(data)
		if len(out) > 0 && maxBytes > 0 && total+size > maxBytes {
			break
		}
		if cap(chunk)-len(chunk) < size {
			chunk = make([]byte, 0, chunkSize(size, total, len(out), n, maxBytes))
		}
		total += size
		st := len(chunk)
		chunk = append(chunk, pk...)
		mid := len(chunk)
		chunk = append(chunk, data...)
		out = append(out, storage.StoredRecord{
			Offset:       binary.BigEndian.Uint64(key[prefixLen:]),
			ArrivalMs:    arrival,
			PartitionKey: chunk[st:mid:mid],
			Data:         chunk[mid:len(chunk):len(chunk)],
		})
	}
	if err := iter.Error(); err != nil {
		return nil, err
	}
	return out, nil
}

// chunkSize sizes the next payload chunk of collect: room for the records
// still to come at the average size so far (or this record's, for the
// first), within maxBytes and at most 8 MiB, but never less than need.
func chunkSize(need, total, done, n, maxBytes int) int {
	avg := need
	if done > 0 {
		avg = max(avg, total/done+1)
	}
	guess := avg * (n - done)
	if maxBytes > 0 {
		guess = min(guess, maxBytes-total)
	}
	return max(need, min(guess+guess/8, 8<<20))
}

// SeekTime binary-searches [first, visible) with point reads: arrival
// times never decrease within a log, so this takes O(log n) reads.
func (l logStore) SeekTime(ctx context.Context, log string, ms int64) (uint64, error) {
	unlock, err := l.s.readLock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	ls := l.s.lookup(log)
	if ls == nil {
		return 0, nil
	}
	lo := ls.first.Load()
	hi := ls.visible.Load()
	key := recordKey(ls.prefix, 0)
	for lo < hi {
		mid := lo + (hi-lo)/2
		binary.BigEndian.PutUint64(key[len(ls.prefix):], mid)
		arrival, ok, err := l.s.arrivalAt(key)
		if err != nil {
			return 0, fmt.Errorf("pebblestore: seek %q: %w", log, err)
		}
		// A record missing from [first, visible) was trimmed meanwhile:
		// whatever is left lies above it.
		if !ok || arrival < ms {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// arrivalAt returns the arrival time of the record at key, if it exists.
func (s *Store) arrivalAt(key []byte) (int64, bool, error) {
	v, closer, err := s.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	defer closer.Close()
	if len(v) < 8 {
		return 0, false, fmt.Errorf("%w: record of %d bytes", errCorrupt, len(v))
	}
	return int64(binary.BigEndian.Uint64(v)), true, nil
}
