package awsjson

import (
	"encoding/base64"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s to dst as a JSON string: quoted, with quotes,
// backslashes and control characters escaped and invalid UTF-8 replaced by
// U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// AppendBytesString is AppendString for text held in a byte slice.
func AppendBytesString(dst []byte, b []byte) []byte {
	return AppendString(dst, unsafe.String(unsafe.SliceData(b), len(b)))
}

// appendEscaped appends the content of a JSON string for s.
func appendEscaped(dst []byte, s string) []byte {
	start := 0 // s[start:i] is pending, needs no escaping
	i := 0
	for i < len(s) {
		// Skip 8 plain ASCII bytes at a time.
		for i+8 <= len(s) {
			x := load64(s, i)
			if special(x)|x&msb != 0 {
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			// Valid JSON, but not valid JavaScript; escaped as encoding/json does.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// AppendBase64 appends b to dst as a JSON string of standard base64, the
// wire form of a blob.
func AppendBase64(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// AppendTimestamp appends t to dst as AWS JSON sends a timestamp: epoch
// seconds as a JSON number, to the millisecond ("1700000000.123"; whole
// seconds have no fraction, trailing zeros are dropped: "1700000000.5").
func AppendTimestamp(dst []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	u := uint64(ms)
	if ms < 0 {
		dst = append(dst, '-')
		u = -u
	}
	dst = strconv.AppendUint(dst, u/1000, 10)
	frac := u % 1000
	if frac == 0 {
		return dst
	}
	dst = append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// ErrorBody renders e as AWS JSON 1.1 does: {"__type":"...","message":"..."}
// with e's MessageKey ("message" when unset) and no message when it is
// empty. A nil e renders as InternalFailure.
func ErrorBody(e *awserr.Error) []byte {
	if e == nil {
		e = awserr.InternalFailure()
	}
	b := make([]byte, 0, 32+len(e.Code)+len(e.Message))
	b = append(b, `{"__type":`...)
	b = AppendString(b, e.Code)
	if e.Message != "" {
		key := e.MessageKey
		if key == "" {
			key = "message"
		}
		b = append(b, ',')
		b = AppendString(b, key)
		b = append(b, ':')
		b = AppendString(b, e.Message)
	}
	return append(b, '}')
}

// appendFloat formats f as encoding/json does.
func appendFloat(b []byte, f float64, bitSize int) []byte {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	format := byte('f')
	if abs != 0 {
		if bitSize == 64 && (abs < 1e-6 || abs >= 1e21) || bitSize == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bitSize)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
