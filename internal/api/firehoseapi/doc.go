// Package firehoseapi is the Amazon Data Firehose API as Go: the request
// and response types and shape tables generated from botocore's model
// (types_gen.go, shapes_gen.go), the API interface the firehose service
// implements, and Register, which binds each operation to the AWS JSON 1.1
// codec and the dispatcher.
//
// It may import internal/protocol/*. It knows no storage and no domain logic.
package firehoseapi

//go:generate go run ../gen -service firehose/2015-08-04 -pkg firehoseapi -out .
