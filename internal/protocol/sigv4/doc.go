// Package sigv4 reads and checks AWS Signature Version 4 on the requests
// Freshet serves, so that the aws CLI, boto3 and the AWS SDKs talk to it
// unchanged.
//
// Parse extracts the signature from a request, either from the
// Authorization header ("AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…") or from a presigned URL's X-Amz-* query parameters. It is on
// every request's hot path, so it uses no regular expressions and, for a
// header-signed request, allocates only the Auth it returns (Verify then
// allocates nothing when the signature is good). A request that carries no
// signature at all parses
// to (nil, nil); one whose signature is malformed gets the error AWS's front
// end gives (IncompleteSignatureException and friends, with AWS's wording).
//
// Verifier, used by "--auth strict", recomputes the canonical request and
// string to sign exactly as SigV4 specifies, derives the signing key from the
// secret the Lookup function returns (caching keys per secret, date, region
// and service) and compares signatures in constant time. Its errors carry
// AWS's codes, messages and HTTP statuses: InvalidSignatureException for a
// wrong or expired signature, UnrecognizedClientException for an unknown
// access key, MissingAuthenticationTokenException for an unsigned request.
// Like AWS, a signature mismatch reports the canonical request and string to
// sign the server expected; unlike AWS, a session token's value is redacted
// from that report.
//
// LoadCredentials reads the access keys Freshet accepts from an AWS
// shared-credentials (INI) file or a small JSON file, and FromEnv reads one
// key pair from FRESHET_ACCESS_KEY_ID and FRESHET_SECRET_ACCESS_KEY. Secrets
// and session tokens never appear in errors.
//
// The package imports only the standard library and
// internal/protocol/awserr; its tests also use aws-sdk-go-v2's signer to sign
// requests the way real clients do.
package sigv4
