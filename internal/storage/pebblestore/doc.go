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
// Key layout (all integers big-endian unless noted):
//
//	'b' uvarint(len(log)) log lastOffset(8) -> a chunk: the records of one
//	                                          appended batch (chunk.go)
//	's' log                              -> 1 next(8) first(8) lastArrivalMs(8)
//	'm' key                              -> rev(8) value
//	'c'                                  -> last metadata revision (8)
//	'v'                                  -> layout version (1 byte)
//
// Records are stored one key per appended batch ("chunk", split above 64
// KiB or 1,000 records), not one per record: far fewer keys for the
// memtable, flushes and compactions to handle. A database written with the
// older one-key-per-record layout ('r' keys) is migrated on Open
// (migrate.go).
//
// Per-log state keys are written in the same batch as the records they
// describe, so next offsets and trim horizons survive restarts even when
// every record was trimmed, and Open loads them without scanning records.
//
// It imports only internal/storage, the standard library and pebble. It
// never logs record payloads.
package pebblestore
