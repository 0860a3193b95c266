package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Decoder reads messages from an io.Reader. It reads exactly the bytes of
// the messages it returns (two Read calls or more per message, no
// read-ahead), so wrap a slow or unbuffered reader in a bufio.Reader if
// that matters. It is not safe for concurrent use.
type Decoder struct {
	r   io.Reader
	pre [preludeLen]byte
	err error
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r}
}

// Decode reads the next message. It checks the prelude checksum and the
// limits before allocating anything for the message, then reads the
// whole message and checks its checksum before parsing the headers.
//
// At a clean end of stream (no byte of a next message) it returns io.EOF.
// A stream that ends inside a message gives an error wrapping
// io.ErrUnexpectedEOF; invalid bytes give one wrapping ErrMalformed; an
// error from the reader is wrapped. Errors are sticky: the stream cannot
// be resynchronised, so every later call returns the same error.
//
// The returned Message owns its memory; later calls do not touch it.
func (d *Decoder) Decode() (*Message, error) {
	if d.err != nil {
		return nil, d.err
	}
	m, err := d.decode()
	if err != nil {
		d.err = err
		return nil, err
	}
	return m, nil
}

func (d *Decoder) decode() (*Message, error) {
	n, err := io.ReadFull(d.r, d.pre[:])
	if err != nil {
		if n == 0 && err == io.EOF {
			return nil, io.EOF
		}
		return nil, readError(err, n, preludeLen)
	}
	total, hlen, err := parsePrelude(&d.pre)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, total)
	copy(buf, d.pre[:])
	if n, err := io.ReadFull(d.r, buf[preludeLen:]); err != nil {
		return nil, readError(err, preludeLen+n, total)
	}
	return parseMessage(buf, hlen)
}

// readError describes a failed read, got bytes into a want byte item.
func readError(err error, got, want int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("eventstream: truncated message: stream ended after %d of %d bytes: %w",
			got, want, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("eventstream: reading message: %w", err)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// parsePrelude checks the prelude and returns the message and headers
// lengths.
func parsePrelude(p *[preludeLen]byte) (total, hlen int, err error) {
	t := binary.BigEndian.Uint32(p[0:4])
	h := binary.BigEndian.Uint32(p[4:8])
	want := binary.BigEndian.Uint32(p[8:12])
	if got := crc32.ChecksumIEEE(p[:8]); got != want {
		return 0, 0, malformed("prelude checksum is %#08x, computed %#08x", want, got)
	}
	switch {
	case t < minLen:
		return 0, 0, malformed("message length %d is below the %d byte minimum", t, minLen)
	case t > MaxMessageLen:
		return 0, 0, malformed("message length %d exceeds the %d byte limit", t, MaxMessageLen)
	case h > MaxHeadersLen:
		return 0, 0, malformed("headers length %d exceeds the %d byte limit", h, MaxHeadersLen)
	case h > t-minLen:
		return 0, 0, malformed("headers length %d does not fit in message length %d", h, t)
	}
	return int(t), int(h), nil
}

// parseMessage parses one whole message, prelude already checked. The
// message keeps buf.
func parseMessage(buf []byte, hlen int) (*Message, error) {
	end := len(buf) - crcLen
	want := binary.BigEndian.Uint32(buf[end:])
	if got := crc32.ChecksumIEEE(buf[:end]); got != want {
		return nil, malformed("message checksum is %#08x, computed %#08x", want, got)
	}
	m := &Message{}
	if hlen > 0 {
		hs, err := parseHeaders(buf[preludeLen : preludeLen+hlen])
		if err != nil {
			return nil, err
		}
		m.Headers = hs
	}
	if p := preludeLen + hlen; p < end {
		m.Payload = buf[p:end:end]
	}
	return m, nil
}

// parseHeaders parses a non-empty headers section. Names and string
// values are substrings of one copy of b; byte arrays are views of b.
func parseHeaders(b []byte) ([]Header, error) {
	s := string(b)
	hs := make([]Header, 0, 4)
	for i := 0; i < len(b); {
		nl := int(b[i])
		i++
		if nl == 0 {
			return nil, malformed("empty header name at offset %d", i-1)
		}
		if nl > len(b)-i {
			return nil, malformed("header name of %d bytes overruns the headers", nl)
		}
		name := s[i : i+nl]
		i += nl
		if i == len(b) {
			return nil, malformed("header %q has no value type", name)
		}
		t := b[i]
		i++
		var v HeaderValue
		var need int
		switch t {
		case wireTrue, wireFalse:
		case wireByte:
			need = 1
		case wireInt16:
			need = 2
		case wireInt32:
			need = 4
		case wireInt64, wireTimestamp:
			need = 8
		case wireBytes, wireString:
			need = 2
		case wireUUID:
			need = 16
		default:
			return nil, malformed("header %q has unknown value type %d", name, t)
		}
		if need > len(b)-i {
			return nil, malformed("header %q value overruns the headers", name)
		}
		switch t {
		case wireTrue:
			v = HeaderValue{typ: TypeBool, num: 1}
		case wireFalse:
			v = HeaderValue{typ: TypeBool}
		case wireByte:
			v = HeaderValue{typ: TypeByte, num: uint64(int8(b[i]))}
		case wireInt16:
			v = HeaderValue{typ: TypeInt16, num: uint64(int16(binary.BigEndian.Uint16(b[i:])))}
		case wireInt32:
			v = HeaderValue{typ: TypeInt32, num: uint64(int32(binary.BigEndian.Uint32(b[i:])))}
		case wireInt64:
			v = HeaderValue{typ: TypeInt64, num: binary.BigEndian.Uint64(b[i:])}
		case wireTimestamp:
			v = HeaderValue{typ: TypeTimestamp, num: binary.BigEndian.Uint64(b[i:])}
		case wireUUID:
			v = HeaderValue{typ: TypeUUID, num: binary.BigEndian.Uint64(b[i:]), lo: binary.BigEndian.Uint64(b[i+8:])}
		case wireBytes, wireString:
			l := int(binary.BigEndian.Uint16(b[i:]))
			if l > MaxHeaderValueLen {
				return nil, malformed("header %q value of %d bytes exceeds the %d byte limit", name, l, MaxHeaderValueLen)
			}
			i += 2
			if l > len(b)-i {
				return nil, malformed("header %q value overruns the headers", name)
			}
			if t == wireString {
				v = HeaderValue{typ: TypeString, str: s[i : i+l]}
			} else {
				v = HeaderValue{typ: TypeBytes, b: b[i : i+l : i+l]}
			}
			need = l
		}
		i += need
		hs = append(hs, Header{Name: name, Value: v})
	}
	if name, ok := duplicate(hs); ok {
		return nil, malformed("header %q appears more than once", name)
	}
	return hs, nil
}
