package awscbor

import (
	"encoding/base64"
	"math"
	"strconv"
	"unsafe"

	"github.com/freshet/freshet/internal/protocol/shape"
)

// ToJSON appends to dst the AWS JSON text that means what body, a CBOR
// request, means, guided by s, the operation's input shape (nil: no shape;
// members a shape does not know are transcoded without one):
//
//   - a byte string where s has a blob (or nothing) becomes a base64
//     string, a blob's wire form in JSON; a text string stays a string, so
//     a blob sent as base64 text, as some clients do, is checked as JSON
//     would check it. A byte string where s has anything else becomes the
//     string its bytes hold: a string member reads that text, other
//     members fail as a string would;
//   - a number where s has a timestamp is epoch milliseconds, tagged or
//     not, integer or float, and becomes epoch seconds ("1700000000.123");
//   - other numbers keep their value, bignums (tags 2, 3) included; other
//     tags, tag 1 elsewhere included, are looked through;
//   - null and undefined become null; maps become objects (keys must be
//     text), arrays arrays, members in the order sent.
//
// Validating and binding the result with the JSON codec then gives exactly
// the errors and values a JSON client gets. An empty body stays empty (the
// JSON path reads it as {}). Malformed CBOR, a float that is not finite and
// a simple value JSON has no word for are SerializationExceptions.
func ToJSON(dst, body []byte, s *shape.Shape) ([]byte, error) {
	if len(body) == 0 {
		return dst, nil
	}
	t := toJSON{r: reader{data: body}, out: dst}
	if err := t.value(s, 0); err != nil {
		return dst, err
	}
	if t.r.pos != len(body) {
		return dst, t.r.fail("unexpected data after the top-level item")
	}
	return t.out, nil
}

type toJSON struct {
	r   reader
	out []byte
}

func isTimestamp(s *shape.Shape) bool { return s != nil && s.Kind == shape.Timestamp }

func (t *toJSON) value(s *shape.Shape, depth int) error {
	r := &t.r
	start := r.pos
	major, info, arg, err := r.head()
	if err != nil {
		return err
	}
	switch major {
	case majorUint:
		if isTimestamp(s) {
			t.out = appendMillisJSON(t.out, false, arg)
			return nil
		}
		t.out = strconv.AppendUint(t.out, arg, 10)
		return nil
	case majorNeg:
		if isTimestamp(s) {
			t.out = appendMillisJSON(t.out, true, arg)
			return nil
		}
		t.out = appendNegJSON(t.out, arg)
		return nil
	case majorBytes:
		b, err := r.str(major, info, arg)
		if err != nil {
			return err
		}
		if s != nil && s.Kind != shape.Blob {
			t.out = appendJSONString(t.out, b) // what the bytes say, checked as a string
			return nil
		}
		t.out = append(t.out, '"')
		t.out = base64.StdEncoding.AppendEncode(t.out, b)
		t.out = append(t.out, '"')
		return nil
	case majorText:
		b, err := r.str(major, info, arg)
		if err != nil {
			return err
		}
		t.out = appendJSONString(t.out, b)
		return nil
	case majorArray, majorMap, majorTag:
		if depth >= MaxDepth {
			r.pos = start
			return r.fail("nesting too deep")
		}
		switch major {
		case majorArray:
			return t.array(s, info, arg, depth+1)
		case majorMap:
			return t.object(s, info, arg, depth+1)
		}
		if arg == 2 || arg == 3 {
			n, err := r.bignum(arg == 3)
			if err != nil {
				return err
			}
			t.out = n.Append(t.out, 10)
			if isTimestamp(s) {
				t.out = append(t.out, "e-3"...)
			}
			return nil
		}
		return t.value(s, depth+1)
	}
	switch info {
	case simpleFalse:
		t.out = append(t.out, "false"...)
	case simpleTrue:
		t.out = append(t.out, "true"...)
	case simpleNull, simpleUndefined:
		t.out = append(t.out, "null"...)
	case float16Info, float32Info, float64Info:
		f := float(info, arg)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			r.pos = start
			return r.fail("a float that is not finite")
		}
		if isTimestamp(s) {
			t.out = strconv.AppendFloat(t.out, f, 'f', -1, 64)
			t.out = append(t.out, "e-3"...)
			return nil
		}
		bits := 64
		if info != float64Info {
			bits = 32
		}
		t.out = appendFloatJSON(t.out, f, bits)
	case indefinite:
		r.pos = start
		return r.fail("unexpected break")
	default:
		r.pos = start
		return r.fail("unsupported simple value")
	}
	return nil
}

func (t *toJSON) array(s *shape.Shape, info byte, arg uint64, depth int) error {
	var elem *shape.Shape
	if s != nil && s.Kind == shape.List {
		elem = s.Member
	}
	r := &t.r
	n := -1
	if info != indefinite {
		var err error
		if n, err = r.count(arg, 1); err != nil {
			return err
		}
	}
	t.out = append(t.out, '[')
	for i := 0; n < 0 || i < n; i++ {
		if n < 0 {
			done, err := r.atBreak()
			if err != nil {
				return err
			}
			if done {
				break
			}
		}
		if i > 0 {
			t.out = append(t.out, ',')
		}
		if err := t.value(elem, depth); err != nil {
			return err
		}
	}
	t.out = append(t.out, ']')
	return nil
}

func (t *toJSON) object(s *shape.Shape, info byte, arg uint64, depth int) error {
	r := &t.r
	n := -1
	if info != indefinite {
		var err error
		if n, err = r.count(arg, 2); err != nil {
			return err
		}
	}
	t.out = append(t.out, '{')
	for i := 0; n < 0 || i < n; i++ {
		if n < 0 {
			done, err := r.atBreak()
			if err != nil {
				return err
			}
			if done {
				break
			}
		}
		key, err := r.key()
		if err != nil {
			return err
		}
		if i > 0 {
			t.out = append(t.out, ',')
		}
		t.out = appendJSONString(t.out, key)
		t.out = append(t.out, ':')
		if err := t.value(memberShape(s, key), depth); err != nil {
			return err
		}
	}
	t.out = append(t.out, '}')
	return nil
}

// memberShape is the shape of the value under key in a map or structure
// of shape s, or nil.
func memberShape(s *shape.Shape, key []byte) *shape.Shape {
	if s == nil {
		return nil
	}
	switch s.Kind {
	case shape.Map:
		return s.Value
	case shape.Structure:
		if m, ok := s.Lookup(unsafe.String(unsafe.SliceData(key), len(key))); ok {
			return m.Shape
		}
	}
	return nil
}

// appendMillisJSON appends epoch milliseconds (−1−n when neg) as the JSON
// number of epoch seconds, exactly: "1700000000", "1700000000.5",
// "-0.001".
func appendMillisJSON(dst []byte, neg bool, n uint64) []byte {
	if neg {
		if n == math.MaxUint64 {
			return append(dst, "-18446744073709551616e-3"...)
		}
		n++
		dst = append(dst, '-')
	}
	dst = strconv.AppendUint(dst, n/1000, 10)
	frac := n % 1000
	if frac == 0 {
		return dst
	}
	dst = append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// appendNegJSON appends −1−n.
func appendNegJSON(dst []byte, n uint64) []byte {
	if n == math.MaxUint64 {
		return append(dst, "-18446744073709551616"...)
	}
	dst = append(dst, '-')
	return strconv.AppendUint(dst, n+1, 10)
}

// appendFloatJSON formats a finite f as encoding/json does: plain decimals
// between 1e-6 and 1e21, exponent notation outside.
func appendFloatJSON(dst []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, bits)
}

// jsonEscape flags the bytes a JSON string must escape.
var jsonEscape = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString appends b as a JSON string, escaping only what JSON
// requires: every other byte (invalid UTF-8 included) passes through, so
// the JSON parser reads back exactly b.
func appendJSONString(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i, c := range b {
		if !jsonEscape[c] {
			continue
		}
		dst = append(dst, b[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, b[start:]...)
	return append(dst, '"')
}
