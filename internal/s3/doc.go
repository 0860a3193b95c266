// Package s3 is Freshet's built-in S3-compatible endpoint: the subset of the
// S3 REST-XML API that `aws s3`, `aws s3api`, boto3 and aws-sdk-go-v2 need
// for buckets, objects, listings and multipart uploads, so that Firehose can
// deliver to Freshet itself with nothing else running.
//
// Service is an http.Handler. It serves path-style (/bucket/key) and
// virtual-host-style (Host: bucket.<domain>) requests; Match tells the shared
// port's router whether a request is meant for S3 (SigV4 scope service "s3",
// a virtual-host name, or an unsigned request that is neither an AWS JSON nor
// an STS query call).
//
// Storage is durable in Options.Dir: every object is one file named by the
// SHA-256 of its key (so no key can escape the directory), holding the body
// followed by a JSON metadata footer; it is written to a temporary file,
// fsynced and renamed before the request is answered. An in-memory, sorted
// index of every bucket's keys is rebuilt from the files at start. Multipart
// parts are files until CompleteMultipartUpload concatenates them. With an
// empty Dir everything lives in memory.
//
// Request bodies framed as aws-chunked (signed or unsigned, with checksum
// trailers) are decoded; x-amz-checksum-* values (CRC32, CRC32C, CRC64NVME,
// SHA1, SHA256), Content-MD5 and a hex x-amz-content-sha256 are verified.
// Signatures are checked only through Options.Verify.
//
// The package imports the standard library, internal/protocol/sigv4 and
// internal/protocol/awserr; its tests also use aws-sdk-go-v2's S3 client and
// the aws CLI.
package s3
