package eventstream

import "errors"

// ContentType is the media type of an event stream body.
const ContentType = "application/vnd.amazon.eventstream"

// Limits, enforced by both AppendMessage and Decode.
//
// MaxMessageLen bounds a whole message, prelude and CRCs included. It is
// the limit of AWS's C and Kotlin event stream runtimes; the Smithy spec
// allows payloads up to 24 MiB, but no Kinesis event comes near either.
// The spec caps string and byte array header values at 2^15-1 bytes even
// though their length field is a uint16.
const (
	MaxMessageLen     = 16 << 20
	MaxHeadersLen     = 128 << 10
	MaxHeaderNameLen  = 255
	MaxHeaderValueLen = 1<<15 - 1
)

// Fixed sizes: prelude (two lengths and their CRC) and trailing CRC.
const (
	preludeLen = 12
	crcLen     = 4
	minLen     = preludeLen + crcLen
)

// ErrMalformed is wrapped by every error Decode returns for bytes that
// are not a valid message: bad checksums, impossible or oversized
// lengths, bad headers. The stream cannot be resynchronised after one.
// Truncation wraps io.ErrUnexpectedEOF instead.
var ErrMalformed = errors.New("eventstream: malformed message")

// Header is one message header. Names are case-sensitive; a name may
// appear at most once per message.
type Header struct {
	Name  string
	Value HeaderValue
}

// Message is one event stream message. A decoded Message owns its memory:
// Payload and byte array header values are views of one buffer allocated
// for that message alone.
type Message struct {
	Headers []Header
	Payload []byte
}

// Get returns the value of the header called name, and whether there is
// one.
func (m *Message) Get(name string) (HeaderValue, bool) {
	for i := range m.Headers {
		if m.Headers[i].Name == name {
			return m.Headers[i].Value, true
		}
	}
	return HeaderValue{}, false
}

// AWS convention header names and :message-type values.
const (
	hdrMessageType   = ":message-type"
	hdrEventType     = ":event-type"
	hdrExceptionType = ":exception-type"
	hdrContentType   = ":content-type"
	hdrErrorCode     = ":error-code"
	hdrErrorMessage  = ":error-message"
)

// threeHeaders lets the helpers allocate a message and its headers at
// once.
type threeHeaders struct {
	m Message
	h [3]Header
}

func newMessage(messageType, typeHeader, typ, contentType string, payload []byte) *Message {
	x := &threeHeaders{h: [3]Header{
		{Name: hdrMessageType, Value: StringValue(messageType)},
		{Name: typeHeader, Value: StringValue(typ)},
		{Name: hdrContentType, Value: StringValue(contentType)},
	}}
	x.m.Headers = x.h[:]
	if contentType == "" {
		x.m.Headers = x.h[:2]
	}
	x.m.Payload = payload
	return &x.m
}

// Event returns an event message: :message-type "event", :event-type
// eventType and, unless contentType is empty, :content-type. The message
// keeps payload.
func Event(eventType, contentType string, payload []byte) *Message {
	return newMessage("event", hdrEventType, eventType, contentType, payload)
}

// Exception returns a modeled error message: :message-type "exception",
// :exception-type exceptionType and, unless contentType is empty,
// :content-type. The message keeps payload.
func Exception(exceptionType, contentType string, payload []byte) *Message {
	return newMessage("exception", hdrExceptionType, exceptionType, contentType, payload)
}

// Error returns an unmodeled error message: :message-type "error",
// :error-code code and :error-message message, with no payload.
func Error(code, message string) *Message {
	x := &threeHeaders{h: [3]Header{
		{Name: hdrMessageType, Value: StringValue("error")},
		{Name: hdrErrorCode, Value: StringValue(code)},
		{Name: hdrErrorMessage, Value: StringValue(message)},
	}}
	x.m.Headers = x.h[:]
	return &x.m
}
