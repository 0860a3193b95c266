// Package compress writes Firehose's S3 CompressionFormats as streams:
// UNCOMPRESSED, GZIP, ZIP (one deflated entry), Snappy (the xerial
// snappy-java stream format AWS writes, Content-Encoding snappy-java) and
// HADOOP_SNAPPY (Hadoop's block framing, Content-Encoding hadoop-snappy).
// Lookup maps the API's CompressionFormat value to a Format with its key
// extension and Content-Encoding; Format.NewWriter wraps an io.Writer.
//
// It may import the standard library, github.com/klauspost/compress
// (gzip, zip), github.com/golang/snappy (block encoder) and
// github.com/google/uuid. It knows nothing of S3 or streams.
package compress
