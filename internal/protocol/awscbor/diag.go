package awscbor

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Diagnose renders data, one CBOR item, in diagnostic notation (RFC 8949
// §8): {"Data": h'6869', "Time": 1(1700000000123), "N": -1, "F": 1.5},
// with [_ …], {_ …} and (_ …) for indefinite lengths. Text that is not
// valid UTF-8 shows U+FFFD. Errors are those of Decode.
func Diagnose(data []byte) (string, error) {
	d := diagnoser{r: reader{data: data}}
	if err := d.item(0); err != nil {
		return "", err
	}
	if d.r.pos != len(data) {
		return "", d.r.fail("unexpected data after the top-level item")
	}
	return d.out.String(), nil
}

type diagnoser struct {
	r   reader
	out strings.Builder
}

func (d *diagnoser) item(depth int) error {
	r := &d.r
	start := r.pos
	major, info, arg, err := r.head()
	if err != nil {
		return err
	}
	switch major {
	case majorUint:
		d.out.WriteString(strconv.FormatUint(arg, 10))
		return nil
	case majorNeg:
		d.out.Write(appendNegJSON(nil, arg))
		return nil
	case majorBytes, majorText:
		if info != indefinite {
			b, err := r.str(major, info, arg)
			if err != nil {
				return err
			}
			d.str(major, b)
			return nil
		}
		d.out.WriteString("(_ ")
		for i := 0; ; i++ {
			done, err := r.atBreak()
			if err != nil {
				return err
			}
			if done {
				break
			}
			cs := r.pos
			m, ci, carg, err := r.head()
			if err != nil {
				return err
			}
			if m != major || ci == indefinite {
				r.pos = cs
				return r.fail("bad chunk in an indefinite-length string")
			}
			b, err := r.str(m, ci, carg)
			if err != nil {
				return err
			}
			if i > 0 {
				d.out.WriteString(", ")
			}
			d.str(major, b)
		}
		d.out.WriteByte(')')
		return nil
	case majorArray, majorMap, majorTag:
		if depth >= MaxDepth {
			r.pos = start
			return r.fail("nesting too deep")
		}
		if major == majorTag {
			d.out.WriteString(strconv.FormatUint(arg, 10))
			d.out.WriteByte('(')
			if err := d.item(depth + 1); err != nil {
				return err
			}
			d.out.WriteByte(')')
			return nil
		}
		return d.container(major, info, arg, depth+1)
	}
	switch info {
	case simpleFalse:
		d.out.WriteString("false")
	case simpleTrue:
		d.out.WriteString("true")
	case simpleNull:
		d.out.WriteString("null")
	case simpleUndefined:
		d.out.WriteString("undefined")
	case float16Info, float32Info, float64Info:
		d.out.WriteString(formatFloat(float(info, arg)))
	case indefinite:
		r.pos = start
		return r.fail("unexpected break")
	default:
		d.out.WriteString("simple(" + strconv.FormatUint(arg, 10) + ")")
	}
	return nil
}

func (d *diagnoser) container(major, info byte, arg uint64, depth int) error {
	r := &d.r
	open, closer, per := "[", "]", 1
	if major == majorMap {
		open, closer, per = "{", "}", 2
	}
	d.out.WriteString(open)
	n := -1
	if info == indefinite {
		d.out.WriteString("_ ")
	} else {
		var err error
		if n, err = r.count(arg, per); err != nil {
			return err
		}
	}
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
			d.out.WriteString(", ")
		}
		if major == majorMap {
			if err := d.item(depth); err != nil {
				return err
			}
			d.out.WriteString(": ")
		}
		if err := d.item(depth); err != nil {
			return err
		}
	}
	d.out.WriteString(closer)
	return nil
}

func (d *diagnoser) str(major byte, b []byte) {
	if major == majorBytes {
		d.out.WriteString("h'")
		d.out.WriteString(hex.EncodeToString(b))
		d.out.WriteByte('\'')
		return
	}
	d.out.WriteByte('"')
	for len(b) > 0 {
		c, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case c == '"' || c == '\\':
			d.out.WriteByte('\\')
			d.out.WriteRune(c)
		case c == '\n':
			d.out.WriteString(`\n`)
		case c == '\r':
			d.out.WriteString(`\r`)
		case c == '\t':
			d.out.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&d.out, `\u%04x`, c)
		default:
			d.out.WriteRune(c)
		}
	}
	d.out.WriteByte('"')
}

// formatFloat writes a float so that it reads back as one: "1.0", "1.5",
// "1.0e+300", "NaN", "-Infinity".
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	i := strings.IndexByte(s, 'e')
	if exp, _ := strconv.Atoi(s[i+1:]); exp >= -4 && exp < 21 {
		s = strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	if !strings.Contains(s[:i], ".") {
		return s[:i] + ".0" + s[i:]
	}
	return s
}

// FromDiagnostic encodes diagnostic notation, as Diagnose writes it, into
// CBOR with preferred serialization: shortest heads, floats in the
// shortest width that holds them, definite lengths unless written with _.
// Map keys may be any item, so tests can build what Decode rejects.
// Comments and encoding indicators other than _ are not supported.
func FromDiagnostic(s string) ([]byte, error) {
	p := diagParser{s: s}
	p.space()
	out, err := p.item(nil, 0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, p.fail("unexpected text after the item")
	}
	return out, nil
}

type diagParser struct {
	s   string
	pos int
}

func (p *diagParser) fail(msg string) error {
	return fmt.Errorf("awscbor: diagnostic notation at offset %d: %s", p.pos, msg)
}

func (p *diagParser) space() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *diagParser) peek(prefix string) bool { return strings.HasPrefix(p.s[p.pos:], prefix) }

func (p *diagParser) expect(tok string) error {
	p.space()
	if !p.peek(tok) {
		return p.fail("expected " + strconv.Quote(tok))
	}
	p.pos += len(tok)
	p.space()
	return nil
}

func (p *diagParser) item(out []byte, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return nil, p.fail("nesting too deep")
	}
	if p.pos >= len(p.s) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.s[p.pos]; {
	case c == '[' || c == '{':
		return p.container(out, depth)
	case c == '(':
		return p.chunks(out)
	case c == '"':
		t, err := p.text()
		if err != nil {
			return nil, err
		}
		return AppendText(out, t), nil
	case c == 'h' && p.peek("h'"):
		b, err := p.hexBytes()
		if err != nil {
			return nil, err
		}
		return AppendBytes(out, b), nil
	}
	for _, w := range []struct {
		word string
		b    byte
	}{{"false", simpleFalse}, {"true", simpleTrue}, {"null", simpleNull}, {"undefined", simpleUndefined}} {
		if p.peek(w.word) {
			p.pos += len(w.word)
			return append(out, majorSimple<<5|w.b), nil
		}
	}
	if p.peek("simple(") {
		p.pos += len("simple(")
		n, err := p.uint()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		if n > 255 || (n >= 24 && n < 32) {
			return nil, p.fail("bad simple value")
		}
		if n < 24 {
			return append(out, majorSimple<<5|byte(n)), nil
		}
		return append(out, majorSimple<<5|simpleByte, byte(n)), nil
	}
	return p.number(out, depth)
}

func (p *diagParser) container(out []byte, depth int) ([]byte, error) {
	object := p.s[p.pos] == '{'
	closer, major := "]", byte(majorArray)
	if object {
		closer, major = "}", majorMap
	}
	p.pos++
	p.space()
	indef := false
	if p.peek("_") {
		indef = true
		p.pos++
		p.space()
	}
	var body []byte
	n := 0
	for !p.peek(closer) {
		if n > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		var err error
		if body, err = p.item(body, depth+1); err != nil {
			return nil, err
		}
		if object {
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			if body, err = p.item(body, depth+1); err != nil {
				return nil, err
			}
		}
		n++
		p.space()
		if p.pos >= len(p.s) {
			return nil, p.fail("unterminated container")
		}
	}
	p.pos += len(closer)
	if indef {
		out = append(out, major<<5|indefinite)
		out = append(out, body...)
		return append(out, breakByte), nil
	}
	out = appendHead(out, major, uint64(n))
	return append(out, body...), nil
}

// chunks parses (_ "a", "b") or (_ h'01', h'02').
func (p *diagParser) chunks(out []byte) ([]byte, error) {
	p.pos++
	p.space()
	if !p.peek("_") {
		return nil, p.fail("expected _ after (")
	}
	p.pos++
	p.space()
	major := byte(0)
	var body []byte
	for i := 0; !p.peek(")"); i++ {
		if i > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		switch {
		case p.peek("\"") && major != majorBytes:
			major = majorText
			t, err := p.text()
			if err != nil {
				return nil, err
			}
			body = AppendText(body, t)
		case p.peek("h'") && major != majorText:
			major = majorBytes
			b, err := p.hexBytes()
			if err != nil {
				return nil, err
			}
			body = AppendBytes(body, b)
		default:
			return nil, p.fail("expected a chunk of the same string type")
		}
		p.space()
	}
	p.pos++
	if major == 0 {
		major = majorBytes
	}
	out = append(out, major<<5|indefinite)
	out = append(out, body...)
	return append(out, breakByte), nil
}

func (p *diagParser) text() (string, error) {
	start := p.pos
	i := p.pos + 1
	for i < len(p.s) && p.s[i] != '"' {
		if p.s[i] == '\\' {
			i++
		}
		i++
	}
	if i >= len(p.s) {
		return "", p.fail("unterminated string")
	}
	p.pos = i + 1
	t, err := strconv.Unquote(p.s[start:p.pos])
	if err != nil {
		p.pos = start
		return "", p.fail("bad string")
	}
	return t, nil
}

func (p *diagParser) hexBytes() ([]byte, error) {
	p.pos += 2
	end := strings.IndexByte(p.s[p.pos:], '\'')
	if end < 0 {
		return nil, p.fail("unterminated byte string")
	}
	b, err := hex.DecodeString(p.s[p.pos : p.pos+end])
	if err != nil {
		return nil, p.fail("bad hex")
	}
	p.pos += end + 1
	return b, nil
}

func (p *diagParser) uint() (uint64, error) {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.ParseUint(p.s[start:p.pos], 10, 64)
	if err != nil {
		p.pos = start
		return 0, p.fail("bad unsigned integer")
	}
	return n, nil
}

// number parses an integer, a float or a tag N(item).
func (p *diagParser) number(out []byte, depth int) ([]byte, error) {
	for _, w := range []struct {
		word string
		f    float64
	}{{"NaN", math.NaN()}, {"Infinity", math.Inf(1)}, {"-Infinity", math.Inf(-1)}} {
		if p.peek(w.word) {
			p.pos += len(w.word)
			return AppendFloat(out, w.f), nil
		}
	}
	start := p.pos
	if p.peek("-") {
		p.pos++
	}
	for p.pos < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[p.pos]) >= 0 {
		if (p.s[p.pos] == '+' || p.s[p.pos] == '-') && p.s[p.pos-1] != 'e' && p.s[p.pos-1] != 'E' {
			break
		}
		p.pos++
	}
	text := p.s[start:p.pos]
	if text == "" || text == "-" {
		p.pos = start
		return nil, p.fail("unexpected character")
	}
	if strings.ContainsAny(text, ".eE") {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			p.pos = start
			return nil, p.fail("bad float")
		}
		return AppendFloat(out, f), nil
	}
	if text[0] == '-' {
		if text == "-18446744073709551616" {
			return appendHead(out, majorNeg, math.MaxUint64), nil
		}
		n, err := strconv.ParseUint(text[1:], 10, 64)
		if err != nil || n == 0 {
			p.pos = start
			return nil, p.fail("bad negative integer")
		}
		return appendHead(out, majorNeg, n-1), nil
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		p.pos = start
		return nil, p.fail("bad integer")
	}
	if p.peek("(") {
		p.pos++
		p.space()
		out = AppendTag(out, n)
		if out, err = p.item(out, depth+1); err != nil {
			return nil, err
		}
		p.space()
		if !p.peek(")") {
			return nil, p.fail("expected \")\" after a tag's content")
		}
		p.pos++
		return out, nil
	}
	return appendHead(out, majorUint, n), nil
}
