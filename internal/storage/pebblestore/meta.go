package pebblestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble"

	"github.com/freshet/freshet/internal/storage"
)

type metaStore struct{ s *Store }

func (m metaStore) Get(ctx context.Context, key string) ([]byte, uint64, error) {
	unlock, err := m.s.readLock(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer unlock()
	m.s.metaMu.RLock()
	defer m.s.metaMu.RUnlock()
	v, closer, err := m.s.db.Get(metaKey(key))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, 0, storage.ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("pebblestore: meta get %q: %w", key, err)
	}
	defer closer.Close()
	value, rev, err := decodeMeta(v)
	if err != nil {
		return nil, 0, fmt.Errorf("pebblestore: meta get %q: %w", key, err)
	}
	return value, rev, nil
}

// decodeMeta splits a metadata value into a copy of the document and its
// revision.
func decodeMeta(v []byte) ([]byte, uint64, error) {
	if len(v) < metaRevLen {
		return nil, 0, fmt.Errorf("%w: metadata value of %d bytes", errCorrupt, len(v))
	}
	value := make([]byte, len(v)-metaRevLen)
	copy(value, v[metaRevLen:])
	return value, binary.BigEndian.Uint64(v), nil
}

func (m metaStore) Put(ctx context.Context, key string, value []byte, expect uint64) (uint64, error) {
	if m.s.closed.Load() {
		return 0, storage.ErrClosed
	}
	r := &request{kind: opPut, key: key, value: value, expect: expect}
	if err := m.s.submit(ctx, r); err != nil {
		return 0, err
	}
	return r.rev, nil
}

func (m metaStore) Delete(ctx context.Context, key string, expect uint64) error {
	if m.s.closed.Load() {
		return storage.ErrClosed
	}
	return m.s.submit(ctx, &request{kind: opDelete, key: key, expect: expect})
}

func (m metaStore) List(ctx context.Context, prefix string) ([]storage.Entry, error) {
	unlock, err := m.s.readLock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	m.s.metaMu.RLock()
	defer m.s.metaMu.RUnlock()
	lower := metaKey(prefix)
	iter, err := m.s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return nil, fmt.Errorf("pebblestore: meta list %q: %w", prefix, err)
	}
	var out []storage.Entry
	for valid := iter.First(); valid; valid = iter.Next() {
		value, rev, err := decodeMeta(iter.Value())
		if err != nil {
			_ = iter.Close()
			return nil, fmt.Errorf("pebblestore: meta list %q: %w", prefix, err)
		}
		out = append(out, storage.Entry{Key: string(iter.Key()[1:]), Value: value, Rev: rev})
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("pebblestore: meta list %q: %w", prefix, err)
	}
	return out, nil
}
