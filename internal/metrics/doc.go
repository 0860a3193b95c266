// Package metrics is Freshet's metric registry: counters and gauges
// recorded under their CloudWatch names (IncomingBytes,
// DeliveryToS3.Success, …) and exposed in the Prometheus text format under
// Prometheus names (freshet_firehose_incoming_bytes_total, …).
//
// It imports the standard library only. Services do not import it: they
// declare the small recorder interface they need and internal/app adapts
// a Registry to it.
package metrics
