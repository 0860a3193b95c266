// Package eventstream implements the application/vnd.amazon.eventstream
// framing that AWS uses for streaming responses such as Kinesis
// SubscribeToShard: a sequence of self-delimiting binary messages, each
// with typed headers, an opaque payload and two CRC32 checksums.
//
// The package knows the framing only. It has no Kinesis knowledge; the
// Event, Exception and Error helpers just fill in the AWS convention
// headers (:message-type, :event-type, :exception-type, :content-type,
// :error-code, :error-message).
//
// Wire format (all integers big-endian):
//
//	total length   uint32  whole message, including this field and both CRCs
//	headers length uint32
//	prelude CRC    uint32  CRC32 (IEEE) of the 8 bytes above
//	headers        [headers length]byte
//	payload        [total length - headers length - 16]byte
//	message CRC    uint32  CRC32 (IEEE) of every byte before it
//
// Each header is a name length (1 byte, 1..255), the name, a type byte and
// the value: 0 bool true, 1 bool false (no value bytes), 2 int8, 3 int16,
// 4 int32, 5 int64, 6 byte array and 7 string (uint16 length, at most
// 32767 bytes, then the bytes), 8 timestamp (int64 milliseconds since the
// Unix epoch), 9 UUID (16 bytes).
//
// Encoding and decoding enforce the same rules, so every message Decode
// accepts re-encodes to exactly the bytes it was read from: messages of at
// most MaxMessageLen bytes, headers of at most MaxHeadersLen bytes, header
// names of 1..255 bytes, each name at most once per message. String
// values are not checked for UTF-8 validity.
//
// AppendMessage and Encoder do not allocate once the destination buffer
// is large enough. Encoder writes each message with a single Write and
// never flushes: an HTTP handler streaming events calls
// http.ResponseController.Flush (or http.Flusher) itself after each
// Encode it wants on the wire.
//
// It imports only the standard library.
package eventstream
