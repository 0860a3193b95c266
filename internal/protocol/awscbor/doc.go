// Package awscbor is the AWS CBOR 1.1 wire codec
// (Content-Type: application/x-amz-cbor-1.1), which the Java SDK v1, the
// KPL and KCL 1.x (and the Java SDK v2 for Kinesis) speak by default.
//
// The protocol mirrors AWS JSON 1.1 (the same targets, the same member
// names in one map per body) with two differences: blobs are CBOR byte
// strings, and timestamps are tag 1 holding an integer number of epoch
// MILLISECONDS, in both directions (AWS's reading of RFC 8949, which says
// seconds; see aws-sdk-java-v2#4661). Errors are a CBOR map
// {"__type": …, "message": …} with the status JSON would have.
//
// Freshet keeps one source of truth for validation and binding, the AWS
// JSON codec, and transcodes around it, guided by the model's shapes:
//
//   - ToJSON turns a CBOR request into the AWS JSON text that means the same
//     (byte strings become base64 where the shape is a blob, timestamps
//     become epoch seconds), so every validation message stays identical.
//   - FromJSON turns a JSON response into CBOR, guided by the output shape
//     (base64 blob members become byte strings, timestamps tag 1 + integer
//     milliseconds).
//   - ErrorBody renders an *awserr.Error; the Append helpers let hot paths
//     encode responses directly.
//
// Decode, Diagnose and FromDiagnostic (RFC 8949 §8 diagnostic notation)
// serve tests, golden transcripts and debugging.
//
// Malformed CBOR is a message-less SerializationException, as malformed
// JSON is (the error wraps it with the offset for logs). The decoder is
// lenient where AWS's is (indefinite lengths, non-preferred heads, any
// float width, unknown tags are looked through) and strict where it must
// be: map keys must be text strings, nesting is bounded by MaxDepth, and a
// length past the end of the input is rejected before anything is
// allocated.
//
// It imports only the standard library and internal/protocol/{awserr,shape}.
package awscbor
