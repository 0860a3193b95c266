// Package s3key names the S3 objects Firehose delivers, exactly as AWS does:
// the evaluated Prefix (or ErrorOutputPrefix) with its !{namespace:value}
// expressions, followed by the fixed suffix
// <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>.
//
// Validate applies AWS's create-time rules to a Prefix/ErrorOutputPrefix
// pair and answers *awserr.Error InvalidArgumentException. Compile turns a
// prefix into a Template; Template.Eval evaluates it for one object (one
// arrival instant, one set of partition keys, one error type). Timestamp
// expressions take a subset of Java's DateTimeFormatter patterns, compiled
// once. ObjectName builds the suffix.
//
// Rules chosen where AWS's documentation is ambiguous are written next to
// the code that applies them (see Compile and CompileErrorPrefix).
//
// The package is pure: it may import the standard library and
// internal/protocol/awserr only.
package s3key
