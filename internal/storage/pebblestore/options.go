package pebblestore

import (
	"fmt"
	"log/slog"
	"time"
)

// SyncMode says when appended data reaches stable storage.
type SyncMode int

const (
	// SyncAlways fsyncs the write-ahead log before Append returns. The zero
	// value, and the default.
	SyncAlways SyncMode = iota
	// SyncInterval lets Append return once the commit is written to the
	// operating system and fsyncs the log every Options.Interval: a crash
	// of the machine loses at most that much.
	SyncInterval
	// SyncNever leaves syncing to the operating system and to pebble's own
	// memtable flushes.
	SyncNever
)

// DefaultInterval is the fsync period of SyncInterval when Options.Interval
// is zero.
const DefaultInterval = 100 * time.Millisecond

// String returns the mode's name as ParseSyncMode accepts it.
func (m SyncMode) String() string {
	switch m {
	case SyncAlways:
		return "always"
	case SyncInterval:
		return "interval"
	case SyncNever:
		return "never"
	}
	return fmt.Sprintf("SyncMode(%d)", int(m))
}

// ParseSyncMode parses "always", "interval" or "never".
func ParseSyncMode(s string) (SyncMode, error) {
	switch s {
	case "always":
		return SyncAlways, nil
	case "interval":
		return SyncInterval, nil
	case "never":
		return SyncNever, nil
	}
	return 0, fmt.Errorf("pebblestore: unknown sync mode %q (want always, interval or never)", s)
}

// Options configures Open.
type Options struct {
	// Dir is the database directory; Open creates it if needed.
	Dir string
	// Sync is the durability policy of Append and of metadata writes.
	Sync SyncMode
	// Interval is the fsync period of SyncInterval; DefaultInterval if zero.
	Interval time.Duration
	// Logger receives the store's own messages, and pebble's when it is
	// enabled at debug level. Nil discards them. Payloads are never logged.
	Logger *slog.Logger
}

// Memory and batching limits. Pebble charges memtables against the block
// cache, so the cache is sized to hold the blocks plus two memtables (the
// live one and the one pebble keeps for recycling).
const (
	blockCacheSize = 4 << 20 // pebble block cache, beyond the memtables
	memTableSize   = 8 << 20 // largest memtable; pebble starts small and doubles
	cacheSize      = blockCacheSize + 2*memTableSize
	maxCommitBytes = 1 << 20 // split a drained queue into commits of about this size
)
