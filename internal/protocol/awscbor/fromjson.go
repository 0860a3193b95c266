package awscbor

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/freshet/freshet/internal/protocol/shape"
)

// FromJSON appends to dst the CBOR that means what body, an AWS JSON
// response, means, guided by s, the operation's output shape (nil: no
// shape): a string where s has a blob is decoded from base64 into a byte
// string, a number where s has a timestamp (epoch seconds) becomes tag 1
// holding integer epoch milliseconds, other numbers stay integers when
// they are integral and fit, maps and arrays keep their order and get
// definite lengths. An empty body stays empty.
//
// body comes from Freshet's own JSON encoder, so an error here is a server
// bug, not the client's: it is a plain error (InternalFailure on the wire).
func FromJSON(dst, body []byte, s *shape.Shape) ([]byte, error) {
	if len(body) == 0 {
		return dst, nil
	}
	f := fromJSON{data: body, out: dst}
	f.skipSpace()
	if err := f.value(s, 0); err != nil {
		return dst, err
	}
	f.skipSpace()
	if f.pos != len(body) {
		return dst, f.fail("unexpected data after the top-level value")
	}
	return f.out, nil
}

type fromJSON struct {
	data    []byte
	pos     int
	out     []byte
	scratch []byte // unescaped string content
}

func (f *fromJSON) fail(msg string) error {
	return fmt.Errorf("awscbor: invalid json response at offset %d: %s", f.pos, msg)
}

func (f *fromJSON) skipSpace() {
	for f.pos < len(f.data) {
		switch f.data[f.pos] {
		case ' ', '\t', '\n', '\r':
			f.pos++
		default:
			return
		}
	}
}

func (f *fromJSON) value(s *shape.Shape, depth int) error {
	if f.pos >= len(f.data) {
		return f.fail("unexpected end of input")
	}
	switch c := f.data[f.pos]; {
	case c == '{' || c == '[':
		if depth >= MaxDepth {
			return f.fail("nesting too deep")
		}
		return f.container(s, depth+1)
	case c == '"':
		str, err := f.str()
		if err != nil {
			return err
		}
		if s != nil && s.Kind == shape.Blob {
			f.out = appendBase64Blob(f.out, str)
			return nil
		}
		f.out = AppendTextBytes(f.out, str)
		return nil
	case c == 't':
		return f.literal("true", majorSimple<<5|simpleTrue)
	case c == 'f':
		return f.literal("false", majorSimple<<5|simpleFalse)
	case c == 'n':
		return f.literal("null", majorSimple<<5|simpleNull)
	case c == '-' || (c >= '0' && c <= '9'):
		return f.number(s)
	}
	return f.fail("unexpected character " + strconv.QuoteRune(rune(f.data[f.pos])))
}

func (f *fromJSON) literal(lit string, b byte) error {
	if len(f.data)-f.pos < len(lit) || string(f.data[f.pos:f.pos+len(lit)]) != lit {
		return f.fail("invalid literal")
	}
	f.pos += len(lit)
	f.out = append(f.out, b)
	return nil
}

// container transcodes an object or array. Its count is known only at its
// end, so a one-byte head is reserved and widened afterwards if needed.
func (f *fromJSON) container(s *shape.Shape, depth int) error {
	object := f.data[f.pos] == '{'
	closer, major := byte(']'), byte(majorArray)
	var elem *shape.Shape
	if object {
		closer, major = '}', majorMap
	} else if s != nil && s.Kind == shape.List {
		elem = s.Member
	}
	f.pos++
	at := len(f.out)
	f.out = append(f.out, 0)
	n := 0
	f.skipSpace()
	if f.pos < len(f.data) && f.data[f.pos] == closer {
		f.pos++
		f.out = patchHead(f.out, at, major, 0)
		return nil
	}
	for {
		if object {
			if f.pos >= len(f.data) || f.data[f.pos] != '"' {
				return f.fail("expected a member name")
			}
			key, err := f.str()
			if err != nil {
				return err
			}
			f.out = AppendTextBytes(f.out, key)
			elem = memberShape(s, key)
			f.skipSpace()
			if f.pos >= len(f.data) || f.data[f.pos] != ':' {
				return f.fail("expected ':' after a member name")
			}
			f.pos++
			f.skipSpace()
		}
		if err := f.value(elem, depth); err != nil {
			return err
		}
		n++
		f.skipSpace()
		if f.pos >= len(f.data) {
			return f.fail("unexpected end of input")
		}
		c := f.data[f.pos]
		f.pos++
		if c == closer {
			break
		}
		if c != ',' {
			f.pos--
			return f.fail("expected ',' or the end of the container")
		}
		f.skipSpace()
	}
	f.out = patchHead(f.out, at, major, uint64(n))
	return nil
}

// patchHead writes the head of a container of n items at out[at], where one
// byte was reserved, moving the content after it if the head needs more.
func patchHead(out []byte, at int, major byte, n uint64) []byte {
	l := headLen(n)
	if l == 1 {
		out[at] = major<<5 | byte(n)
		return out
	}
	end := len(out)
	out = append(out, make([]byte, l-1)...)
	copy(out[at+l:], out[at+1:end])
	appendHead(out[at:at], major, n)
	return out
}

// str parses the string at pos (on its quote) and returns its content: a
// view of the body, or of the scratch buffer when it has escapes.
func (f *fromJSON) str() ([]byte, error) {
	d := f.data
	start := f.pos + 1
	i := start
	for i < len(d) && d[i] != '"' && d[i] != '\\' {
		if d[i] < 0x20 {
			f.pos = i
			return nil, f.fail("control character in a string")
		}
		i++
	}
	if i >= len(d) {
		f.pos = i
		return nil, f.fail("unterminated string")
	}
	if d[i] == '"' {
		f.pos = i + 1
		return d[start:i], nil
	}
	buf := append(f.scratch[:0], d[start:i]...)
	for {
		if i >= len(d) {
			f.pos = i
			return nil, f.fail("unterminated string")
		}
		c := d[i]
		switch {
		case c == '"':
			f.pos = i + 1
			f.scratch = buf
			return buf, nil
		case c < 0x20:
			f.pos = i
			return nil, f.fail("control character in a string")
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			f.pos = i
			return nil, f.fail("unterminated string")
		}
		switch e := d[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(d, i+2)
			if !ok {
				f.pos = i
				return nil, f.fail("invalid \\u escape")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(d, i+2); ok && i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						buf = utf8.AppendRune(buf, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			f.pos = i
			return nil, f.fail("invalid escape")
		}
		i += 2
	}
}

// hex4 reads four hex digits at d[i:].
func hex4(d []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// appendBase64Blob appends the byte string that the base64 text b holds, or
// b as a text string if it is not standard base64 (which Freshet's encoder
// never writes).
func appendBase64Blob(dst, b []byte) []byte {
	n, ok := decodedLen(b)
	if !ok {
		return AppendTextBytes(dst, b)
	}
	at := len(dst)
	dst = appendHead(dst, majorBytes, uint64(n))
	out, err := base64.StdEncoding.AppendDecode(dst, b)
	if err != nil || len(out)-len(dst) != n {
		return AppendTextBytes(dst[:at], b)
	}
	return out
}

// decodedLen is the length standard padded base64 text b decodes to.
func decodedLen(b []byte) (int, bool) {
	if len(b)%4 != 0 {
		return 0, false
	}
	n := len(b) / 4 * 3
	for i := len(b) - 1; i >= 0 && i >= len(b)-2 && b[i] == '='; i-- {
		n--
	}
	return n, true
}

// number transcodes the JSON number at pos.
func (f *fromJSON) number(s *shape.Shape) error {
	d := f.data
	start := f.pos
	i := start
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		f.pos = i
		return f.fail("invalid number")
	}
	integral := true
	if i < len(d) && d[i] == '.' {
		integral = false
		i++
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			f.pos = i
			return f.fail("invalid number: no digits after the decimal point")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		integral = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			f.pos = i
			return f.fail("invalid number: no digits in the exponent")
		}
	}
	f.pos = i
	text := string(d[start:i])
	if s != nil && s.Kind == shape.Timestamp {
		f.out = AppendTimestampMillis(f.out, secondsToMillis(text))
		return nil
	}
	floatShape := s != nil && (s.Kind == shape.Double || s.Kind == shape.Float)
	if integral && !floatShape {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			f.out = AppendInt(f.out, n)
			return nil
		}
		if n, err := strconv.ParseUint(text, 10, 64); err == nil {
			f.out = AppendUint(f.out, n)
			return nil
		}
		if text[0] == '-' { // −2^64 ≤ n < −2^63: major type 1 still holds it
			if n, err := strconv.ParseUint(text[1:], 10, 64); err == nil {
				f.out = appendHead(f.out, majorNeg, n-1)
				return nil
			}
			if text == "-18446744073709551616" {
				f.out = appendHead(f.out, majorNeg, math.MaxUint64)
				return nil
			}
		}
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return f.fail("invalid number")
	}
	f.out = AppendFloat(f.out, v)
	return nil
}

// secondsToMillis reads JSON number text of epoch seconds as whole epoch
// milliseconds, exactly, flooring what is finer and saturating at the
// int64 range.
func secondsToMillis(text string) int64 {
	neg := text[0] == '-'
	if neg {
		text = text[1:]
	}
	// The value in milliseconds is digits × 10^exp: 3, less a place per
	// fraction digit, plus the exponent.
	var digits []byte
	exp := 3
	i := 0
	for i < len(text) && text[i] >= '0' && text[i] <= '9' {
		digits = append(digits, text[i])
		i++
	}
	if i < len(text) && text[i] == '.' {
		i++
		for i < len(text) && text[i] >= '0' && text[i] <= '9' {
			digits = append(digits, text[i])
			exp--
			i++
		}
	}
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		i++
		eneg := false
		if text[i] == '+' || text[i] == '-' {
			eneg = text[i] == '-'
			i++
		}
		e := 0
		for ; i < len(text); i++ {
			if e < 1<<20 {
				e = e*10 + int(text[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	remainder := false
	if exp < 0 {
		cut := len(digits) + exp
		if cut < 0 {
			cut = 0
		}
		for _, c := range digits[cut:] {
			if c != '0' {
				remainder = true
			}
		}
		digits = digits[:cut]
		exp = 0
	}
	var u uint64
	overflow := false
	for _, c := range digits {
		if u > (math.MaxUint64-9)/10 {
			overflow = true
			break
		}
		u = u*10 + uint64(c-'0')
	}
	for ; exp > 0 && !overflow && u != 0; exp-- {
		if u > math.MaxUint64/10 {
			overflow = true
			break
		}
		u *= 10
	}
	if !neg {
		if overflow || u > math.MaxInt64 {
			return math.MaxInt64
		}
		return int64(u)
	}
	if remainder {
		u++
	}
	if overflow || u > 1<<63 {
		return math.MinInt64
	}
	return -int64(u)
}
