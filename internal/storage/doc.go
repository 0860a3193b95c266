// Package storage defines what every Freshet storage backend provides:
// MetaStore, small documents with revisions for optimistic concurrency, and
// LogStore, append-only shard logs with per-log offsets, trimming and a time
// index. storagetest holds the one conformance suite every backend passes;
// memstore (memory), pebblestore (the embedded durable default) and, later,
// natsstore implement it.
//
// It imports only the standard library.
package storage
