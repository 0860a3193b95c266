// Package shape describes AWS API shapes as data: the structures, lists,
// maps and scalars of a botocore service model, with their constraints
// (required members, length and value ranges, patterns, enums).
//
// Generated tables in internal/api/* fill these types; the wire codecs walk
// them to validate requests with AWS's messages. It imports only the
// standard library.
package shape
