// Package kpl reads and writes the aggregated record format of the Kinesis
// Producer Library (KPL), which packs many user records into one Kinesis
// record. Freshet stores such records as opaque data like Kinesis does;
// this package is for the parts that look inside them: the console's data
// viewer, Firehose sources and analytics inputs, which see the user records
// the way the Kinesis Client Library (KCL) does, and tests and tools that
// produce aggregated data.
//
// # Format
//
// From aggregation-format.md and aws/kinesis/protobuf/messages.proto in
// github.com/awslabs/amazon-kinesis-producer:
//
//	magic    4 bytes  F3 89 9A C2
//	message  AggregatedRecord, protobuf (proto2)
//	md5      16 bytes MD5 of message
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;
//	}
//	message Tag {
//	  required string key   = 1;
//	  optional string value = 2;
//	}
//
// The key tables are zero-indexed arrays; a record's keys are the table
// entries its indices name. The protobuf encoding is written by hand (the
// format uses only varints and length-delimited fields).
//
// # De-aggregation as the KCL does it
//
// From software.amazon.kinesis.retrieval.AggregatorUtil in
// github.com/awslabs/amazon-kinesis-client:
//
//   - A record that is shorter than 21 bytes, lacks the magic prefix or
//     whose MD5 trailer does not match is not aggregated and is handed to
//     the application as is. Deaggregate returns ErrNotAggregated for it;
//     IsAggregated applies the same checks.
//   - The user records of an aggregated record all carry the parent's
//     sequence number, and a SubSequenceNumber counting from 0 in message
//     order: the index in the slice Deaggregate returns.
//   - A user record's partition key and explicit hash key (none if the
//     index is absent) come from the tables; its effective hash key is the
//     explicit hash key, or else the MD5 of the partition key as an
//     unsigned 128-bit integer.
//   - When the KCL knows the shard's hash key range, a user record whose
//     effective hash key falls outside it makes the KCL drop the whole
//     aggregated record. See Aggregator.
//   - A message the protobuf parser rejects is handed over as is; a key
//     index outside its table makes the KCL log and drop the record.
//     Deaggregate reports both as errors wrapping ErrMalformed and leaves
//     the choice to the caller; showing or forwarding the raw record is
//     the safe default.
//
// Decoding never panics and follows protobuf parsing rules: fields in any
// order, unknown fields (and known fields with an unexpected wire type)
// skipped, the last value kept when a non-repeated field occurs twice, and
// every length checked against the bytes left. Strings are not checked for
// UTF-8 validity, as proto2 parsers do not.
//
// It imports only the standard library.
package kpl
