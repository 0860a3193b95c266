// Package kinesisapi is the Kinesis Data Streams API as Go: the request and
// response types and shape tables generated from botocore's model
// (types_gen.go, shapes_gen.go), the API interface the streams service
// implements, and Register, which binds each operation to the AWS JSON 1.1
// codec and the dispatcher.
//
// It may import internal/protocol/*. It knows no storage and no domain logic.
package kinesisapi

//go:generate go run ../gen -service kinesis/2013-12-02 -pkg kinesisapi -out .
