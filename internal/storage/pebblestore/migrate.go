package pebblestore

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	"github.com/cockroachdb/pebble"
)

// Layout version 1 stored one key per record:
//
//	'r' uvarint(len(log)) log offset(8) -> arrivalMs(8) uvarint(len(pk)) pk data
//
// Its log states, metadata and revision counter are the same as version 2's.

// migrateBatchBytes is how much a migration writes per pebble commit.
const migrateBatchBytes = 4 << 20

// migrateV1 rewrites a layout-1 database in place: every run of records of
// one log with consecutive offsets and one arrival time becomes chunks, as
// the writer would have cut them. The records are deleted and the version
// raised in the last, synced commit, so a migration that dies part way
// leaves version 1 and every record behind and simply runs again.
func migrateV1(db *pebble.DB, logger *slog.Logger) error {
	start := time.Now()
	b := db.NewBatch()
	defer func() { _ = b.Close() }()
	// Chunks left by an earlier attempt are written again below.
	_ = b.DeleteRange([]byte{prefixChunk}, []byte{prefixChunk + 1}, nil)
	iter, err := db.NewIter(&pebble.IterOptions{
		LowerBound: []byte{prefixRecordV1},
		UpperBound: []byte{prefixRecordV1 + 1},
	})
	if err != nil {
		return err
	}
	m := migration{b: b}
	for valid := iter.First(); valid && err == nil; valid = iter.Next() {
		err = m.add(iter.Key(), iter.Value())
	}
	if err == nil {
		err = iter.Error()
	}
	if cerr := iter.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = m.flush()
	}
	if err != nil {
		return err
	}
	_ = b.DeleteRange([]byte{prefixRecordV1}, []byte{prefixRecordV1 + 1}, nil)
	_ = b.Set([]byte(keyVersion), []byte{layoutVersion}, nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return err
	}
	logger.Info("pebblestore: migrated the record layout to chunks",
		"records", m.records, "chunks", m.chunks, "duration", time.Since(start))
	return nil
}

// migration is the run of records migrateV1 is gathering into a chunk.
type migration struct {
	b       *pebble.Batch
	log     []byte // the run's log name
	next    uint64 // offset after the run's last record
	arrival int64
	count   int
	body    []byte // the run's records, encoded as in a chunk

	records, chunks int
}

// add adds one layout-1 record to the run, first writing the run out as a
// chunk if the record does not continue it.
func (m *migration) add(key, value []byte) error {
	l, n := binary.Uvarint(key[1:])
	if n <= 0 || uint64(len(key)-1-n) != l+8 {
		return fmt.Errorf("%w: layout 1 record key of %d bytes", errCorrupt, len(key))
	}
	log := key[1+n : 1+n+int(l)]
	off := binary.BigEndian.Uint64(key[1+n+int(l):])
	if len(value) < 9 {
		return fmt.Errorf("%w: layout 1 record of %d bytes", errCorrupt, len(value))
	}
	arrival := int64(binary.BigEndian.Uint64(value))
	pl, k := binary.Uvarint(value[8:])
	if k <= 0 || uint64(len(value)-8-k) < pl {
		return fmt.Errorf("%w: layout 1 record partition key", errCorrupt)
	}
	pk := value[8+k : 8+k+int(pl)]
	data := value[8+k+int(pl):]
	size := uvarintLen(uint64(len(pk))) + len(pk) + uvarintLen(uint64(len(data))) + len(data)
	if m.count > 0 && (string(log) != string(m.log) || off != m.next || arrival != m.arrival ||
		m.count == maxChunkRecords || len(m.body)+size > maxChunkBytes) {
		if err := m.flush(); err != nil {
			return err
		}
	}
	if m.count == 0 {
		m.log = append(m.log[:0], log...)
		m.arrival = arrival
	}
	m.body = binary.AppendUvarint(m.body, uint64(len(pk)))
	m.body = append(m.body, pk...)
	m.body = binary.AppendUvarint(m.body, uint64(len(data)))
	m.body = append(m.body, data...)
	m.count++
	m.next = off + 1
	m.records++
	return nil
}

// flush writes the run out as a chunk, committing the batch without a
// sync once it is large.
func (m *migration) flush() error {
	if m.count == 0 {
		return nil
	}
	p := logPrefix(prefixChunk, string(m.log))
	v := make([]byte, 0, chunkValueLen(m.count, len(m.body)))
	v = append(v, chunkFormat)
	v = binary.AppendUvarint(v, uint64(m.count))
	v = binary.BigEndian.AppendUint64(v, uint64(m.arrival))
	v = append(v, m.body...)
	_ = m.b.Set(chunkKey(p, m.next-1), v, nil)
	m.count, m.body = 0, m.body[:0]
	m.chunks++
	if m.b.Len() < migrateBatchBytes {
		return nil
	}
	if err := m.b.Commit(pebble.NoSync); err != nil {
		return err
	}
	m.b.Reset()
	return nil
}
