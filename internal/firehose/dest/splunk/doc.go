// Package splunk is the Firehose Splunk destination: it posts flushed
// buffers to a Splunk HTTP Event Collector (raw or event endpoint, record
// bytes concatenated as they are), waits for indexer acknowledgement on
// its channel, maps HEC answers to AWS's Splunk.* error codes, retries
// within RetryOptions and reports what it gave up on as "splunk-failed"
// error records.
//
// It may import the standard library, internal/firehose/dest,
// internal/api/firehoseapi (types only), internal/protocol/awserr and
// github.com/google/uuid.
package splunk
