// Package dest is the contract between the Firehose delivery engine
// (internal/firehose) and its destinations. Each destination is one
// sub-package (s3, httpendpoint, splunk, opensearch, redshift) that
// describes itself with a Spec and delivers flushed buffers through the
// Destination interface.
//
// It may import the standard library only; destination packages may import
// this package, internal/api/firehoseapi (types only) and their client
// libraries, never another service or a wire codec.
package dest

import (
	"context"
	"time"
)

// Range is an inclusive range of a buffering hint with its default.
type Range struct {
	Min, Max, Default int
}

// Spec is what a destination declares about itself: the engine validates
// configurations and buffers records with it.
type Spec struct {
	// Name is the destination's name in the model ("HttpEndpoint",
	// "Splunk", "AmazonopensearchserviceDestination"...); it is also used
	// in metric names (DeliveryTo<MetricName>.*).
	Name       string
	MetricName string
	// SizeInMBs and IntervalInSeconds are the buffering hints' ranges and
	// defaults.
	SizeInMBs         Range
	IntervalInSeconds Range
	// RetrySeconds is the default RetryOptions.DurationInSeconds.
	RetrySeconds int
	// BackupModes are the accepted S3BackupMode values; the first is the
	// default.
	BackupModes []string
	// ErrorOutputType is the !{firehose:error-output-type} value of the
	// records this destination gives up on ("http-endpoint-failed",
	// "splunk-failed", "AmazonOpenSearchService-failed"...).
	ErrorOutputType string
}

// Record is one record ready for delivery, after any processing.
type Record struct {
	// ID is stable across retries and restarts (the engine derives it from
	// the record's position in its source). OpenSearch's FIREHOSE_DEFAULT
	// document IDs and error output's dataId/EventId are built from it.
	ID string
	// Data is the record's bytes as delivered.
	Data []byte
	// ArrivalMs is the approximate arrival time, milliseconds since epoch.
	ArrivalMs int64
}

// Batch is one flushed buffer.
type Batch struct {
	// ID is stable across retries and restarts: HTTP endpoint deliveries
	// send it as X-Amz-Firehose-Request-Id; it is a UUID string.
	ID string
	// Stream and StreamARN name the delivery stream.
	Stream    string
	StreamARN string
	// Records are delivered in order.
	Records []Record
	// Now is the time the batch was flushed (used for index rotation).
	Now time.Time
}

// Failure is a record the destination gave up on after its retry window:
// the engine writes Line (one JSON object, no newline) to S3 under the
// ErrorOutputPrefix with the Spec's ErrorOutputType.
type Failure struct {
	Record Record
	// Line is the error record in the destination's documented format,
	// e.g. {"attemptsMade":…,"arrivalTimestamp":…,"errorCode":…,
	// "errorMessage":…,"attemptEndingTimestamp":…,"rawData":…}.
	Line []byte
}

// Result says how a batch went. A record that is in neither Failed nor
// Dropped was delivered.
type Result struct {
	Failed []Failure
	// Dropped counts records refused permanently and not to be backed up
	// (an HTTP endpoint's 413).
	Dropped int
}

// Destination delivers batches. Deliver retries on its own, within the
// configured RetryOptions window, and returns once every record was
// delivered or given up on. It returns an error only when ctx ended first:
// then nothing is known about the batch and the engine delivers it again
// later (at least once).
type Destination interface {
	Deliver(ctx context.Context, b Batch) (Result, error)
	Close() error
}

// Backoff is AWS's documented retry delay for attempt n (0-based): 1 s ×
// 2^n, capped at 120 s, before jitter. Destinations add ±15 % jitter.
func Backoff(n int) time.Duration {
	if n > 7 {
		return 120 * time.Second
	}
	return min(time.Second<<n, 120*time.Second)
}
