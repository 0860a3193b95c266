// Package awserr is the error vocabulary shared by every AWS service Freshet
// serves: an Error carries AWS's __type, message and HTTP status, and the
// helpers build the common ones (validation, serialization, unknown
// operation, internal failure) with AWS's exact wording.
//
// It imports only the standard library. Services return *Error values; the
// wire codecs render them.
package awserr
