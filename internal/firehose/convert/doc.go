// Package convert is Firehose's record format conversion: JSON records in,
// one Apache Parquet file per flushed batch out, shaped by the Glue table's
// columns and the stream's DataFormatConversionConfiguration.
//
// Input follows the two deserializers Firehose offers. OpenX JSON SerDe:
// keys matched case-insensitively by default, optional dots-to-underscores,
// ColumnToJsonKeyMappings, numbers given as strings, timestamps as ISO-8601
// (T and Z, up to 9 fraction digits), "yyyy-M-d HH:mm:ss[.f]", epoch seconds,
// epoch milliseconds (an integer of more than 10 digits) and fractional epoch
// seconds. Hive JSON SerDe: TimestampFormats (Joda-style patterns and
// "millis"; java.sql.Timestamp.valueOf's "yyyy-M-d H:m:s[.f]" when none),
// numeric columns refuse strings, objects are never stringified.
//
// Output is written like Hive's ParquetHiveSerDe, which Firehose uses: every
// column OPTIONAL and in Glue order; string, char and varchar as BINARY (UTF8);
// tinyint/smallint as INT32 (INT_8/INT_16); int INT32; bigint INT64; float
// FLOAT; double DOUBLE; decimal(p,s) as FIXED_LEN_BYTE_ARRAY of the fewest
// bytes that hold p digits (DECIMAL); date INT32 (DATE); timestamp INT96
// (nanoseconds of the day and Julian day, UTC), as Hive writes it and Athena
// reads it; binary BINARY; array as a standard 3-level LIST; map as a MAP of
// key_value groups; struct as a group with its fields in declared order.
//
// A record that cannot be converted never poisons the batch: it comes back as
// a dest.Failure carrying the documented format-conversion-failed line.
//
// It may import the standard library, internal/api/firehoseapi (types only),
// internal/protocol/awserr, internal/firehose/dest and parquet-go.
package convert
