package eventstream

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// AppendMessage appends the encoding of m to dst and returns the extended
// slice. It grows dst at most once and allocates nothing else. If m
// cannot be encoded (a header name empty, longer than MaxHeaderNameLen or
// repeated, an invalid or oversized value, headers over MaxHeadersLen, a
// message over MaxMessageLen) it returns dst unchanged and an error.
func AppendMessage(dst []byte, m *Message) ([]byte, error) {
	hlen, err := headersLen(m.Headers)
	if err != nil {
		return dst, err
	}
	if len(m.Payload) > MaxMessageLen-minLen-hlen {
		return dst, fmt.Errorf("eventstream: message of %d bytes exceeds the %d byte limit",
			minLen+hlen+len(m.Payload), MaxMessageLen)
	}
	total := minLen + hlen + len(m.Payload)

	start := len(dst)
	dst = slices.Grow(dst, total)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(hlen))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
	for i := range m.Headers {
		h := &m.Headers[i]
		dst = append(dst, byte(len(h.Name)))
		dst = append(dst, h.Name...)
		dst = h.Value.appendWire(dst)
	}
	dst = append(dst, m.Payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:])), nil
}

// headersLen validates hs and returns their encoded length.
func headersLen(hs []Header) (int, error) {
	n := 0
	for i := range hs {
		h := &hs[i]
		if len(h.Name) == 0 || len(h.Name) > MaxHeaderNameLen {
			return 0, fmt.Errorf("eventstream: header name %.32q has %d bytes, want 1 to %d",
				h.Name, len(h.Name), MaxHeaderNameLen)
		}
		vlen := h.Value.wireLen()
		if vlen < 0 {
			if h.Value.typ == TypeInvalid {
				return 0, fmt.Errorf("eventstream: header %q has no value", h.Name)
			}
			return 0, fmt.Errorf("eventstream: header %q value exceeds %d bytes", h.Name, MaxHeaderValueLen)
		}
		n += 1 + len(h.Name) + vlen
		if n > MaxHeadersLen {
			return 0, fmt.Errorf("eventstream: headers exceed the %d byte limit", MaxHeadersLen)
		}
	}
	if name, ok := duplicate(hs); ok {
		return 0, fmt.Errorf("eventstream: header %q appears more than once", name)
	}
	return n, nil
}

// duplicate returns a header name that appears more than once in hs.
func duplicate(hs []Header) (string, bool) {
	if len(hs) <= 16 {
		for i := 1; i < len(hs); i++ {
			for j := range i {
				if hs[i].Name == hs[j].Name {
					return hs[i].Name, true
				}
			}
		}
		return "", false
	}
	seen := make(map[string]struct{}, len(hs))
	for i := range hs {
		if _, ok := seen[hs[i].Name]; ok {
			return hs[i].Name, true
		}
		seen[hs[i].Name] = struct{}{}
	}
	return "", false
}

// keepBufferCap is the largest buffer an Encoder keeps between messages,
// so that one big message does not pin its buffer for a long stream's
// lifetime.
const keepBufferCap = 1 << 20

// Encoder writes messages to an io.Writer. It is not safe for concurrent
// use.
type Encoder struct {
	w   io.Writer
	buf []byte
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: w}
}

// Encode writes m to the Encoder's writer with a single Write call, so
// that an io.Writer shared under a lock sees whole messages. It reuses
// one buffer and does not allocate in the steady state (messages up to 1
// MiB). It never flushes: if the writer buffers (an http.ResponseWriter,
// a bufio.Writer) the caller flushes when the message must go out.
//
// An error from AppendMessage leaves the stream untouched; an error from
// the writer is returned as is, and the stream is then unusable.
func (e *Encoder) Encode(m *Message) error {
	buf, err := AppendMessage(e.buf[:0], m)
	if err != nil {
		return err
	}
	_, err = e.w.Write(buf)
	if cap(buf) > keepBufferCap {
		buf = nil
	}
	e.buf = buf
	return err
}
