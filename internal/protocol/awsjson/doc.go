// Package awsjson is the AWS JSON 1.1 wire codec: it parses request bodies
// into a compact tree (Parse, Value), checks them against a model's input
// shape with the exact texts AWS's front end (Coral) answers with
// (Validate), binds them into the generated request structs (Bind, Decode),
// and encodes responses and errors (Marshal, ErrorBody, the Append helpers).
//
// Hand-written hot paths (PutRecords, GetRecords) parse and validate with
// this package, then read the tree through Value's allocation-free
// accessors and encode with the Append helpers instead of reflection.
//
// A Value aliases the body it was parsed from: its strings are views of
// that body when they hold no escapes. Bind and Decode copy what they
// store, so bound structs outlive the body; Values and strings read from
// them do not.
//
// Errors are *awserr.Error values, or wrap one (use awserr.As):
// SerializationException for malformed JSON or wrong JSON types,
// ValidationException for constraint violations.
//
// It imports only the standard library and internal/protocol/{awserr,shape}.
package awsjson
