package awsjson

import (
	"fmt"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// MaxDepth bounds the nesting of arrays and objects Parse accepts.
const MaxDepth = 256

// Parse parses body, a JSON text (RFC 8259), into a tree. The result
// aliases body (see Value). Malformed JSON is a SerializationException
// without a message, as AWS answers it; the returned error wraps it with
// the offset for logs.
func Parse(body []byte) (*Value, error) {
	var p Parser
	return p.Parse(body)
}

// Parser parses JSON, reusing its memory from one Parse to the next: a
// tree it returned is valid only until its next Parse. The zero Parser is
// ready to use; a Parser is not safe for concurrent use.
type Parser struct {
	stack []Value // children of the containers being parsed
	arena []Value // finished children, handed out as sub-slices
}

// Parse parses body like the package-level Parse.
func (p *Parser) Parse(body []byte) (*Value, error) {
	p.stack = p.stack[:0]
	p.arena = p.arena[:0]
	if cap(p.arena) == 0 {
		// Roughly one value per 32 bytes of a typical request body.
		p.arena = make([]Value, 0, min(max(len(body)/32, 16), 1<<16))
	}
	st := scanner{data: unsafe.String(unsafe.SliceData(body), len(body)), p: p}
	st.skipSpace()
	root, err := st.value(0)
	if err != nil {
		return nil, err
	}
	st.skipSpace()
	if st.pos != len(st.data) {
		return nil, st.fail("unexpected data after the top-level value")
	}
	p.arena = append(p.arena, root)
	return &p.arena[len(p.arena)-1], nil
}

// alloc returns room for n finished children. Earlier sub-slices stay valid
// when the arena grows: they keep the old backing array.
func (p *Parser) alloc(n int) []Value {
	if len(p.arena)+n > cap(p.arena) {
		p.arena = make([]Value, 0, max(2*cap(p.arena), n, 64))
	}
	start := len(p.arena)
	p.arena = p.arena[:start+n]
	return p.arena[start : start+n : start+n]
}

type scanner struct {
	data string // the body, viewed as a string
	pos  int
	p    *Parser
}

// syntaxError is what a malformed body reports: AWS's message-less
// SerializationException, with the reason and offset for logs.
type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("awsjson: invalid json at offset %d: %s", e.offset, e.msg)
}

func (e *syntaxError) Unwrap() error { return awserr.Serialization("") }

func (s *scanner) fail(msg string) error {
	return &syntaxError{msg: msg, offset: s.pos}
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value parses the value at pos; the caller has skipped space.
func (s *scanner) value(depth int) (Value, error) {
	if s.pos >= len(s.data) {
		return Value{}, s.fail("unexpected end of input")
	}
	switch c := s.data[s.pos]; c {
	case '"':
		str, esc, err := s.str()
		if err != nil {
			return Value{}, err
		}
		return Value{kind: String, s: str, esc: esc}, nil
	case '{':
		return s.object(depth + 1)
	case '[':
		return s.array(depth + 1)
	case 't':
		return s.literal("true", Bool)
	case 'f':
		return s.literal("false", Bool)
	case 'n':
		return s.literal("null", Null)
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return s.number()
		}
		return Value{}, s.fail("unexpected character " + strconv.QuoteRune(rune(c)))
	}
}

func (s *scanner) literal(lit string, k Kind) (Value, error) {
	if len(s.data)-s.pos < len(lit) || s.data[s.pos:s.pos+len(lit)] != lit {
		return Value{}, s.fail("invalid literal")
	}
	s.pos += len(lit)
	return Value{kind: k, s: lit}, nil
}

func (s *scanner) number() (Value, error) {
	d := s.data
	start := s.pos
	i := s.pos
	if d[i] == '-' {
		i++
	}
	switch {
	case i >= len(d):
		s.pos = i
		return Value{}, s.fail("invalid number")
	case d[i] == '0':
		i++
	case d[i] >= '1' && d[i] <= '9':
		for i++; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
	default:
		s.pos = i
		return Value{}, s.fail("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
		if i == j {
			s.pos = i
			return Value{}, s.fail("invalid number: no digits after the decimal point")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
		if i == j {
			s.pos = i
			return Value{}, s.fail("invalid number: no digits in the exponent")
		}
	}
	s.pos = i
	return Value{kind: Number, s: d[start:i]}, nil
}

func (s *scanner) object(depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, s.fail("nesting too deep")
	}
	s.pos++ // {
	p := s.p
	base := len(p.stack)
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return Value{kind: Object}, nil
	}
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return Value{}, s.fail("expected a member name")
		}
		key, _, err := s.str()
		if err != nil {
			return Value{}, err
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return Value{}, s.fail("expected ':' after a member name")
		}
		s.pos++
		s.skipSpace()
		m, err := s.value(depth) // nested containers leave the stack as they found it
		if err != nil {
			return Value{}, err
		}
		m.key = key
		p.stack = append(p.stack, m)
		s.skipSpace()
		if s.pos >= len(s.data) {
			return Value{}, s.fail("unexpected end of input in an object")
		}
		c := s.data[s.pos]
		s.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			s.pos--
			return Value{}, s.fail("expected ',' or '}' in an object")
		}
		s.skipSpace()
	}
	kids := p.alloc(len(p.stack) - base)
	copy(kids, p.stack[base:])
	clear(p.stack[base:])
	p.stack = p.stack[:base]
	return Value{kind: Object, kids: kids}, nil
}

func (s *scanner) array(depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, s.fail("nesting too deep")
	}
	s.pos++ // [
	p := s.p
	base := len(p.stack)
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return Value{kind: Array}, nil
	}
	for {
		e, err := s.value(depth)
		if err != nil {
			return Value{}, err
		}
		p.stack = append(p.stack, e)
		s.skipSpace()
		if s.pos >= len(s.data) {
			return Value{}, s.fail("unexpected end of input in an array")
		}
		c := s.data[s.pos]
		s.pos++
		if c == ']' {
			break
		}
		if c != ',' {
			s.pos--
			return Value{}, s.fail("expected ',' or ']' in an array")
		}
		s.skipSpace()
	}
	kids := p.alloc(len(p.stack) - base)
	copy(kids, p.stack[base:])
	clear(p.stack[base:])
	p.stack = p.stack[:base]
	return Value{kind: Array, kids: kids}, nil
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special flags, per byte of x, a quote, a backslash or a control
// character. The lowest flagged byte is exact (higher ones may be false
// positives), which is all str needs.
func special(x uint64) uint64 {
	q := x ^ (lsb * '"')
	b := x ^ (lsb * '\\')
	return ((x - lsb*0x20) | (q - lsb) | (b - lsb)) &^ x & msb
}

// str parses the string at pos (on its opening quote). Without escapes the
// result is a view of the body; with them, a fresh copy.
func (s *scanner) str() (string, bool, error) {
	d := s.data
	start := s.pos + 1
	i := start
	for i+8 <= len(d) {
		if m := special(load64(d, i)); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			goto found
		}
		i += 8
	}
	for i < len(d) && d[i] != '"' && d[i] != '\\' && d[i] >= 0x20 {
		i++
	}
found:
	if i >= len(d) {
		s.pos = i
		return "", false, s.fail("unterminated string")
	}
	switch c := d[i]; {
	case c == '"':
		s.pos = i + 1
		return d[start:i], false, nil
	case c == '\\':
		return s.unescape(start, i)
	default:
		s.pos = i
		return "", false, s.fail("control character in a string")
	}
}

// unescape finishes a string with escapes; d[start:i] has none, d[i] is the
// first backslash.
func (s *scanner) unescape(start, i int) (string, bool, error) {
	d := s.data
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, d[start:i]...)
	for {
		if i >= len(d) {
			s.pos = i
			return "", false, s.fail("unterminated string")
		}
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return unsafe.String(unsafe.SliceData(buf), len(buf)), true, nil
		case c < 0x20:
			s.pos = i
			return "", false, s.fail("control character in a string")
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			s.pos = i
			return "", false, s.fail("unterminated string")
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
				s.pos = i
				return "", false, s.fail("invalid \\u escape")
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
				r = utf8.RuneError // a lone surrogate, as Java would keep it, has no UTF-8 form
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			s.pos = i
			return "", false, s.fail("invalid escape")
		}
		i += 2
	}
}

// hex4 reads four hex digits at d[i:].
func hex4(d string, i int) (rune, bool) {
	if i < 0 || i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(d[i : i+4]) {
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
