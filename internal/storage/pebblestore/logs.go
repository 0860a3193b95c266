package pebblestore

import (
	"context"
	"encoding/binary"
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
	visible := ls.visible.Load()
	if from >= visible {
		return nil, nil
	}
	end := visible
	if uint64(limit) < end-from {
		end = from + uint64(limit)
	}
	// Chunk keys end in the chunk's last offset, so the first key at or
	// above from is the chunk holding from. The upper bound admits only
	// chunks that end below the watermark, and a chunk is committed whole
	// together with the state that moved the watermark past it, so every
	// chunk the iterator yields is wholly visible.
	iter, err := l.s.db.NewIter(&pebble.IterOptions{
		LowerBound: chunkKey(ls.prefix, from),
		UpperBound: chunkKey(ls.prefix, visible),
	})
	if err != nil {
		return nil, fmt.Errorf("pebblestore: read %q: %w", log, err)
	}
	r := reader{next: from, end: end, maxBytes: maxBytes}
	err = r.collect(iter, len(ls.prefix))
	if cerr := iter.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("pebblestore: read %q: %w", log, err)
	}
	return r.out, nil
}

// maxPrealloc caps how many records a read allocates room for up front.
const maxPrealloc = 16 << 10

// reader collects the records of one Read. It copies each chunk's wanted
// records out of pebble with one copy into a buffer that usually holds the
// whole read, and slices the records out of the copy, each slice capped so
// that appending to one cannot overwrite the next.
type reader struct {
	next     uint64 // offset of the next record to return
	end      uint64 // stop before this offset
	maxBytes int
	total    int // partition key and data bytes returned so far
	copied   int // encoded bytes copied so far
	out      []storage.StoredRecord
	buf      []byte
}

func (r *reader) collect(iter *pebble.Iterator, prefixLen int) error {
	prealloc := min(r.end-r.next, maxPrealloc)
	if r.maxBytes > 0 {
		prealloc = min(prealloc, uint64(r.maxBytes/64+1))
	}
	r.out = make([]storage.StoredRecord, 0, prealloc)
	for valid := iter.First(); valid; valid = iter.Next() {
		c, err := chunkAt(iter, prefixLen)
		if err != nil {
			return err
		}
		if c.first > r.next {
			// Only a trim that raced this read leaves a gap before the
			// first chunk, and the records in it are gone. The chunks of
			// one iterator, a consistent snapshot, follow one another.
			if len(r.out) > 0 {
				return fmt.Errorf("%w: chunk at %d after offset %d", errCorrupt, c.first, r.next-1)
			}
			r.next = c.first
			if r.next >= r.end {
				break
			}
		}
		done, err := r.add(&c)
		if err != nil || done {
			return err
		}
	}
	return iter.Error()
}

// chunkAt decodes the header of the chunk iter is positioned at, in the
// log whose chunk prefix is prefixLen long.
func chunkAt(iter *pebble.Iterator, prefixLen int) (chunk, error) {
	key := iter.Key()
	if len(key) != prefixLen+8 {
		return chunk{}, fmt.Errorf("%w: chunk key of %d bytes", errCorrupt, len(key))
	}
	return decodeChunk(binary.BigEndian.Uint64(key[prefixLen:]), iter.Value())
}

// add appends c's records from r.next on, up to r.end and within maxBytes,
// and reports whether the read is complete.
func (r *reader) add(c *chunk) (bool, error) {
	body := c.body
	pos, i := 0, 0
	// Skip what lies below r.next: the start of a read in the middle of
	// the chunk, or a prefix trimmed away.
	for skip := int(r.next - c.first); i < skip; i++ {
		_, _, n, err := nextRecord(body[pos:])
		if err != nil {
			return false, err
		}
		pos += n
	}
	start, k, full := pos, 0, false
	for i < c.count && r.next+uint64(k) < r.end {
		pk, data, n, err := nextRecord(body[pos:])
		if err != nil {
			return false, err
		}
		size := len(pk) + len(data)
		if r.maxBytes > 0 && len(r.out)+k > 0 && r.total+size > r.maxBytes {
			full = true
			break
		}
		r.total += size
		pos += n
		i++
		k++
	}
	if i == c.count && pos != len(body) {
		return false, fmt.Errorf("%w: %d bytes after the last record of a chunk", errCorrupt, len(body)-pos)
	}
	if k > 0 {
		r.copyOut(body[start:pos], k, c.arrival)
	}
	return full || r.next >= r.end, nil
}

// copyOut copies region, k records that add validated, into r.buf and
// appends them to r.out.
func (r *reader) copyOut(region []byte, k int, arrival int64) {
	if cap(r.buf)-len(r.buf) < len(region) {
		r.buf = make([]byte, 0, r.bufSize(len(region), k))
	}
	r.copied += len(region)
	st := len(r.buf)
	r.buf = append(r.buf, region...)
	region = r.buf[st:]
	pos := 0
	for range k {
		pk, data, n, _ := nextRecord(region[pos:])
		pos += n
		r.out = append(r.out, storage.StoredRecord{Offset: r.next, ArrivalMs: arrival, PartitionKey: pk, Data: data})
		r.next++
	}
}

// bufSize sizes a new copy buffer: room for need bytes of k records plus
// the records still wanted after them at the average encoded size so far,
// within maxBytes (the length prefixes are not counted against it: allow
// four bytes a record for them) and 8 MiB, but never less than need.
func (r *reader) bufSize(need, k int) int {
	done := len(r.out) + k
	rest := int(r.end-r.next) - k
	avg := (r.copied + need + done - 1) / done
	guess := avg * rest
	if r.maxBytes > 0 {
		guess = min(guess, max(0, r.maxBytes-r.total)+4*rest)
	}
	return need + min(guess+guess/8, 8<<20)
}

// SeekTime bisects [first, visible) with one iterator: arrival times never
// decrease within a log, and each probe lands on the chunk holding an
// offset and moves a bound past the whole chunk, so it takes O(log n)
// seeks and reads no chunk beyond its header.
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
	if lo >= hi {
		return lo, nil
	}
	iter, err := l.s.db.NewIter(&pebble.IterOptions{
		LowerBound: chunkKey(ls.prefix, lo),
		UpperBound: chunkKey(ls.prefix, hi),
	})
	if err != nil {
		return 0, fmt.Errorf("pebblestore: seek %q: %w", log, err)
	}
	lo, err = seekTime(iter, ls.prefix, lo, hi, ms)
	if cerr := iter.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("pebblestore: seek %q: %w", log, err)
	}
	return lo, nil
}

// seekTime keeps every offset in [first, lo) arriving before ms (or
// trimmed) and every offset in [hi, visible) arriving at or after it.
func seekTime(iter *pebble.Iterator, prefix []byte, lo, hi uint64, ms int64) (uint64, error) {
	key := chunkKey(prefix, 0)
	for lo < hi {
		mid := lo + (hi-lo)/2
		binary.BigEndian.PutUint64(key[len(prefix):], mid)
		if !iter.SeekGE(key) {
			if err := iter.Error(); err != nil {
				return 0, err
			}
			return hi, nil // a trim that raced the seek took everything from mid on
		}
		c, err := chunkAt(iter, len(prefix))
		if err != nil {
			return 0, err
		}
		switch {
		case c.first > mid:
			// A trim raced the seek: everything below c is gone.
			lo = min(c.first, hi)
		case c.arrival < ms:
			lo = min(c.last+1, hi)
		default:
			hi = max(c.first, lo)
		}
	}
	return lo, nil
}
