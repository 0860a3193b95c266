// Package redshift is Firehose's Amazon Redshift destination, delivered to
// PostgreSQL. AWS writes each flushed buffer to the intermediate S3
// location and issues
//
//	COPY <DataTableName> (<DataTableColumns>) FROM 's3://…manifest' … <CopyOptions>
//
// The engine writes the intermediate object; this package then loads the
// same bytes into PostgreSQL with one COPY … FROM STDIN statement per
// batch (all rows or none), reading them as Redshift's COPY would: JSON
// 'auto' / 'auto ignorecase', CSV [QUOTE AS], delimited text (pipe by
// default), IGNOREHEADER, NULL AS, EMPTYASNULL, BLANKSASNULL, TRIMBLANKS,
// TRUNCATECOLUMNS, ACCEPTINVCHARS, FILLRECORD, REMOVEQUOTES, ESCAPE,
// TIMEFORMAT/DATEFORMAT ('auto', 'epochsecs', 'epochmillisecs') and
// MAXERROR. Formats PostgreSQL cannot stand in for (JSONPaths files,
// FIXEDWIDTH, AVRO, PARQUET, ORC, SHAPEFILE) are refused by Validate.
//
// ClusterJDBCURL may be jdbc:redshift://host:port/db (as on AWS) or, for
// self-hosting, jdbc:postgresql://host:port/db.
//
// Failures. A load that fails for a reason that may pass (connection,
// authentication, missing table or column...) is retried with dest.Backoff
// within RetryOptions.DurationInSeconds. Rows that cannot be read count
// against MAXERROR: within it, their records are reported as failed and
// the other rows load; beyond it, the whole batch fails at once (a parse
// error does not heal). AWS writes a manifest of the skipped S3 objects
// under "errors/"; Freshet has no per-batch manifest to hand over, so it
// reports each given-up record as a JSON line {"attemptsMade",
// "arrivalTimestamp", "errorCode", "errorMessage",
// "attemptEndingTimestamp", "rawData"} with error output type "errors"
// (a documented deviation). A record some of whose rows loaded and some
// not is reported failed too.
//
// It may import the standard library, internal/firehose/dest,
// internal/api/firehoseapi (types only), internal/protocol/awserr and
// github.com/jackc/pgx/v5.
package redshift
