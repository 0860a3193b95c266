// Package pebblestore is Freshet's embedded durable storage.Backend, built on
// one github.com/cockroachdb/pebble database that holds both the records and
// the metadata, so one write-ahead log gives group commit across every shard.
//
// A single writer goroutine drains the queue of pending writes (appends,
// trims, log deletions, metadata compare-and-sets), assigns offsets in
// commit order, encodes everything into one pebble batch and commits it,
// with fsync under SyncAlways. Only then does it advance each log's
// visibility watermark and wake the callers, so readers, which clamp every
// read to the watermark, never see a half-written or out-of-order log.
//
// Key layout (layout version 2; all integers big-endian unless noted):
//
//	'b' uvarint(len(log)) log lastOffset(8) -> chunk (chunk.go):
//	        format(1)=1 uvarint(count) arrivalMs(8)
//	        count × (uvarint(len(pk)) pk uvarint(len(data)) data)
//	's' log                                 -> 1 next(8) first(8) lastArrivalMs(8)
//	'm' key                                 -> rev(8) value
//	'c'                                     -> last metadata revision (8)
//	'v'                                     -> layout version (1 byte)
//
// Records are stored one key per appended batch, a "chunk", not one key
// per record: a batch becomes one chunk, or several if it holds more than
// 1,000 records or 64 KiB, so that a read of a few records never copies
// much more out of pebble. Every record of a chunk shares the batch's
// arrival time. Far fewer keys leave far less for the memtable, flushes
// and compactions to do per record.
//
// A chunk's key ends in the offset of its last record, not its first:
//
//   - Read seeks to the first key at or above chunkKey(from), which is the
//     chunk holding from, and iterates forward, skipping the records of
//     that chunk below from.
//   - Trim deletes the key range [chunkKey(horizon), chunkKey(before)):
//     exactly the chunks that end below the new horizon, found without a
//     read, even if they belong to the commit being built. A chunk that
//     straddles the horizon stays; readers skip its trimmed records.
//   - SeekTime bisects offsets, each probe a seek that lands on a whole
//     chunk and moves a bound past it.
//
// A chunk is committed whole in the same pebble batch as the log state
// that moves the log's visibility watermark past it, and readers admit
// only chunks whose last offset lies below the watermark, so a chunk is
// either wholly visible or not at all.
//
// A database written with layout version 1, one 'r' key per record, is
// migrated to chunks on Open (migrate.go).
//
// Per-log state keys are written in the same batch as the records they
// describe, so next offsets and trim horizons survive restarts even when
// every record was trimmed, and Open loads them without scanning records.
//
// It imports only internal/storage, the standard library and pebble. It
// never logs record payloads.
package pebblestore
