// Package bench is Freshet's load generator, run as `freshet bench`: in the
// spirit of kafka-producer-perf-test it creates a stream, drives concurrent
// PutRecords producers (optionally paced) while one polling consumer per
// shard measures end-to-end latency, reads everything back from
// TRIM_HORIZON, verifies that every acknowledged record arrived exactly once,
// intact and in order, and reports throughput, latency, errors, and the
// server's CPU time per record and memory.
//
// With --kpl K every Kinesis record is a KPL aggregate of K user records;
// the consumer and the read-back de-aggregate it the way the KCL does, and
// the counts, verification and throughput are of user records (Kinesis
// records per second are reported besides).
//
// By default it starts its own server as a child process (the running
// executable with `serve` and a temporary data directory); with an endpoint
// it measures an existing server, and with that server's PID it also charges
// the server's CPU and reads its RSS from /proc.
//
// It talks to Freshet only over the wire, the way a real client does: it
// imports aws-sdk-go-v2 (service/kinesis, credentials), the standard
// library and internal/kpl (a pure format package, for --kpl), and
// deliberately no other Freshet package. The SDK client has its
// retries disabled so that every error and throttle is counted here, and
// request bodies are wrapped to avoid an aws-sdk-go-v2 race against fast
// loopback servers (see client.go).
//
// Entry points: Main for the command line, Run and Options for Go code
// (tests and `go test -bench`).
package bench
