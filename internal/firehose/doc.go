// Package firehose is the Data Firehose domain: delivery streams, their
// control plane (one operation per file), the durable spool that Direct PUT
// records land in, and the delivery engine that buffers, processes,
// converts, compresses and delivers them.
//
//   - service.go, model.go: the Service and its stored documents
//   - create_delivery_stream.go … encryption.go: the API operations
//   - validate.go: the rules the model cannot express
//   - engine.go, buffer.go, tracker.go: one delivery pipeline per stream
//   - source_spool.go, source_kinesis.go: where records come from
//   - sink.go: S3 objects, error output and backups
//
// Destinations are plugins under dest/ (dest.Destination); processing,
// S3 key naming, compression and format conversion are the sub-packages
// process, s3key, compress and convert.
//
// It may import internal/api/firehoseapi (types only), internal/storage,
// internal/protocol/{awserr,request}, its own sub-packages and client
// libraries (aws-sdk-go-v2's S3 and Glue clients). It never imports another
// service: a Kinesis stream source is reached through the KinesisSource
// interface, which internal/app implements.
package firehose
