// Package streams is the Kinesis Data Streams domain: streams, shards, hash
// key routing, sequence numbers, shard iterators, retention and tags, one
// operation per file (create_stream.go, put_records.go, get_records.go …).
// Service implements kinesisapi.API.
//
// It may import internal/api/kinesisapi (the API's types), internal/storage,
// internal/protocol/awserr and internal/protocol/request. It never imports a
// wire codec or another service.
package streams
