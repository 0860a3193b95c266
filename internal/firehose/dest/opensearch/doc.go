// Package opensearch is the Firehose Amazon OpenSearch Service and
// Elasticsearch destination (two model types, one behaviour): it indexes
// flushed buffers with the _bulk API (NDJSON, explicit _index per action,
// index rotation on the records' UTC arrival time, FIREHOSE_DEFAULT
// document IDs stable across retries), retries the items OpenSearch
// answers with 429 or 5xx within RetryOptions, and reports the rest as
// "AmazonOpenSearchService-failed" error records.
//
// It may import the standard library, internal/firehose/dest,
// internal/api/firehoseapi (types only) and internal/protocol/awserr.
package opensearch
