// Package httpendpoint is the Firehose HTTP endpoint destination: it
// delivers flushed buffers with AWS's documented request/response
// contract (X-Amz-Firehose-* headers, {"requestId","timestamp","records"}
// bodies, 200 + matching requestId as the only success, 413 permanent,
// jittered backoff within RetryOptions) and reports what it gave up on as
// "http-endpoint-failed" error records.
//
// It may import the standard library, internal/firehose/dest,
// internal/api/firehoseapi (types only), internal/protocol/awserr and
// github.com/google/uuid.
package httpendpoint
