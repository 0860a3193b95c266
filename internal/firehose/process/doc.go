// Package process runs a Firehose delivery stream's record processing:
// the processors of its ProcessingConfiguration (Lambda transform,
// MetadataExtraction with jq, RecordDeAggregation, AppendDelimiterToRecord,
// Decompression, CloudWatchLogProcessing) and the KPL de-aggregation every
// stream fed by a Kinesis stream does.
//
// New validates a configuration (errors are *awserr.Error with code
// InvalidArgumentException) and returns a Pipeline; Pipeline.Process turns
// a batch of source records into the records to deliver, plus the records
// that failed, each with its documented error output line.
// ErrorOutputType tells the engine under which !{firehose:error-output-type}
// a failure goes ("processing-failed" or "partitioning-failed").
//
// # Order
//
// AWS applies the processors in a fixed order whatever their order in the
// configuration (dynamic partitioning docs: "Deaggregation → data
// transformation via Lambda → partitioning keys"; decompression docs:
// decompression and message extraction come before everything else):
//
//  1. KPL de-aggregation, for records that came from a Kinesis stream
//     (Record.Kinesis set): user records carry the parent's sequence number
//     and their index as SubsequenceNumber.
//  2. Decompression (GZIP), then CloudWatchLogProcessing
//     (DataMessageExtraction: one record per logEvents[].message).
//  3. RecordDeAggregation (JSON objects, or DELIMITED), at most 500
//     sub-records per record; a record that does not split cleanly (or
//     holds more) stays whole.
//  4. Lambda: records are sent in invocations of at most 6 MB; results
//     Ok (new data, metadata.partitionKeys → LambdaKeys), Dropped, or
//     failed → "processing-failed".
//  5. MetadataExtraction: the jq query runs on each record's JSON and its
//     object's values become QueryKeys; failures → "partitioning-failed".
//  6. AppendDelimiterToRecord (default "\n") on every delivered record.
//
// Sub-records get IDs derived from the parent ID and their index
// ("<parent>:<i>"), so they stay stable across retries.
//
// It may import the standard library, internal/firehose/dest,
// internal/api/firehoseapi (types only), internal/protocol/awserr,
// internal/kpl, github.com/itchyny/gojq and aws-sdk-go-v2 (service/lambda).
// It never logs record data.
package process
