package storage

import (
	"context"
	"errors"
)

// Errors every backend returns, wrapped or not; callers test with errors.Is.
var (
	ErrNotFound = errors.New("storage: not found")
	ErrConflict = errors.New("storage: revision conflict")
	ErrClosed   = errors.New("storage: closed")
)

// Backend is one storage engine: metadata and logs that share one commit
// path, so a backend can make both durable together.
type Backend interface {
	Meta() MetaStore
	Logs() LogStore
	// Name is the backend's short name for logs and /readyz ("pebble", "memory").
	Name() string
	// Close flushes and releases the backend. Later calls fail with ErrClosed;
	// closing again returns nil.
	Close() error
}

// Entry is one metadata document.
type Entry struct {
	Key   string
	Value []byte
	Rev   uint64
}

// MetaStore holds small documents (stream descriptions, counters, secrets)
// under string keys. Every write names the revision it expects, so
// read-modify-write cycles are safe across goroutines and, in cluster mode,
// across nodes.
type MetaStore interface {
	// Get returns the value and revision of key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, uint64, error)
	// Put stores value if the key's current revision is expect (0: the key
	// must not exist) and returns the new revision; otherwise ErrConflict.
	// Revisions of one key strictly increase, also across delete and create.
	Put(ctx context.Context, key string, value []byte, expect uint64) (uint64, error)
	// Delete removes key if its revision is expect; ErrNotFound if absent,
	// ErrConflict if the revision differs.
	Delete(ctx context.Context, key string, expect uint64) error
	// List returns every entry whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Entry, error)
}

// Record is one record to append.
type Record struct {
	PartitionKey []byte
	Data         []byte
}

// StoredRecord is a record read back from a log.
type StoredRecord struct {
	Offset       uint64
	ArrivalMs    int64 // when the record's batch was appended, Unix ms
	PartitionKey []byte
	Data         []byte
}

// Batch is the records one append adds to one log. Append fills in
// FirstOffset (record i of the batch gets offset FirstOffset+i) and
// ArrivalMs. A caller may set ArrivalMs beforehand to the time its own clock
// says the records arrived; the backend keeps it unless that would go back
// in time within the log, and uses its own clock when it is zero.
type Batch struct {
	Log     string
	Records []Record

	FirstOffset uint64
	ArrivalMs   int64
}

// LogStore holds append-only logs, one per shard. A log's offsets start at 0
// and increase by one per record; arrival times never decrease within a
// log. Readers only ever see whole appends: records become visible when the
// Append that wrote them returns, in offset order, with no gaps.
type LogStore interface {
	// Append adds each batch to its log, all in one atomic commit, and
	// returns once the commit is as durable as the backend's sync policy
	// promises. Two batches for the same log in one call are appended in
	// order. A log springs into existence on its first append. Append does
	// not keep the batches: callers may reuse them once it returns. An
	// Append that fails (ctx ended before the commit began, ErrClosed, I/O
	// error) appended nothing.
	Append(ctx context.Context, batches []*Batch) error
	// Read returns up to max records of log starting at offset from,
	// stopping early before the records read would hold more than maxBytes
	// of data and partition key (at least one record is returned if any is
	// visible; maxBytes <= 0 means no byte limit; max <= 0 returns nothing).
	// Offsets below the trim horizon are skipped; an unknown log is empty.
	// The returned slices belong to the caller.
	Read(ctx context.Context, log string, from uint64, max int, maxBytes int) ([]StoredRecord, error)
	// Bounds returns the trim horizon (the first offset still held) and the
	// next offset an append will use. An unknown log returns 0, 0. Both
	// survive a restart, even when every record has been trimmed: offsets
	// are never reused.
	Bounds(ctx context.Context, log string) (first, next uint64, err error)
	// SeekTime returns the first offset whose arrival time is at or after
	// ms, or the next offset if there is none. It must not scan the log.
	SeekTime(ctx context.Context, log string, ms int64) (uint64, error)
	// Trim drops every record below offset before (retention) and moves the
	// trim horizon there. before is clamped to the next offset; trimming
	// below the horizon or an unknown log does nothing.
	Trim(ctx context.Context, log string, before uint64) error
	// DeleteLog removes the whole log; deleting an unknown log does nothing.
	// Callers never append to a deleted log's name again.
	DeleteLog(ctx context.Context, log string) error
}
