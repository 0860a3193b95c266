package convert

import (
	"fmt"
	"strconv"
	"strings"
)

// Column is one column of the Glue table: its name and Hive type string
// ("bigint", "decimal(10,2)", "array<struct<a:int,b:string>>"...).
type Column struct {
	Name, Type string
}

type kind int

const (
	kString kind = iota
	kChar
	kVarchar
	kBoolean
	kTinyint
	kSmallint
	kInt
	kBigint
	kFloat
	kDouble
	kDecimal
	kDate
	kTimestamp
	kBinary
	kArray
	kMap
	kStruct
)

// hiveType is a parsed Hive type.
type hiveType struct {
	kind kind
	// length of char(n)/varchar(n); precision and scale of decimal(p,s).
	length, precision, scale int
	elem, key, value         *hiveType
	fields                   []field
}

type field struct {
	name string
	typ  *hiveType
}

func (t *hiveType) primitive() bool { return t.kind < kArray }

var primitives = map[string]kind{
	"string": kString, "boolean": kBoolean, "tinyint": kTinyint, "smallint": kSmallint,
	"int": kInt, "integer": kInt, "bigint": kBigint, "float": kFloat, "double": kDouble,
	"date": kDate, "timestamp": kTimestamp, "binary": kBinary,
}

// parseType parses a Hive type string, case-insensitively.
func parseType(s string) (*hiveType, error) {
	p := &typeParser{s: s}
	t, err := p.parse()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at offset %d in type %q", p.s[p.i:], p.i, s)
	}
	return t, nil
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

// word reads an identifier (letters, digits, underscore).
func (p *typeParser) word() string {
	p.space()
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *typeParser) expect(c byte) error {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return fmt.Errorf("expected %q at offset %d in type %q", c, p.i, p.s)
	}
	p.i++
	return nil
}

func (p *typeParser) peek(c byte) bool {
	p.space()
	return p.i < len(p.s) && p.s[p.i] == c
}

func (p *typeParser) number() (int, error) {
	w := p.word()
	n, err := strconv.Atoi(w)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("expected a number at offset %d in type %q", p.i, p.s)
	}
	return n, nil
}

func (p *typeParser) parse() (*hiveType, error) {
	name := strings.ToLower(p.word())
	if k, ok := primitives[name]; ok {
		return &hiveType{kind: k}, nil
	}
	switch name {
	case "char", "varchar":
		return p.parseLength(name)
	case "decimal", "numeric":
		return p.parseDecimal()
	case "array":
		return p.parseArray()
	case "map":
		return p.parseMap()
	case "struct":
		return p.parseStruct()
	case "":
		return nil, fmt.Errorf("expected a type at offset %d in %q", p.i, p.s)
	}
	return nil, fmt.Errorf("unsupported type %q", name)
}

func (p *typeParser) parseLength(name string) (*hiveType, error) {
	t := &hiveType{kind: kChar}
	if name == "varchar" {
		t.kind = kVarchar
	}
	if err := p.expect('('); err != nil {
		return nil, err
	}
	n, err := p.number()
	if err != nil {
		return nil, err
	}
	if n < 1 || (t.kind == kChar && n > 255) || n > 65535 {
		return nil, fmt.Errorf("%s length %d out of range", name, n)
	}
	t.length = n
	return t, p.expect(')')
}

func (p *typeParser) parseDecimal() (*hiveType, error) {
	// Hive's bare "decimal" is decimal(10,0).
	t := &hiveType{kind: kDecimal, precision: 10}
	if !p.peek('(') {
		return t, nil
	}
	p.i++
	n, err := p.number()
	if err != nil {
		return nil, err
	}
	t.precision = n
	if p.peek(',') {
		p.i++
		if t.scale, err = p.number(); err != nil {
			return nil, err
		}
	}
	if t.precision < 1 || t.precision > 38 || t.scale > t.precision {
		return nil, fmt.Errorf("decimal(%d,%d) out of range: precision 1-38, scale <= precision", t.precision, t.scale)
	}
	return t, p.expect(')')
}

func (p *typeParser) parseArray() (*hiveType, error) {
	if err := p.expect('<'); err != nil {
		return nil, err
	}
	elem, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &hiveType{kind: kArray, elem: elem}, p.expect('>')
}

func (p *typeParser) parseMap() (*hiveType, error) {
	if err := p.expect('<'); err != nil {
		return nil, err
	}
	key, err := p.parse()
	if err != nil {
		return nil, err
	}
	if !key.primitive() {
		return nil, fmt.Errorf("map keys must be a primitive type in %q", p.s)
	}
	if err := p.expect(','); err != nil {
		return nil, err
	}
	value, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &hiveType{kind: kMap, key: key, value: value}, p.expect('>')
}

func (p *typeParser) parseStruct() (*hiveType, error) {
	if err := p.expect('<'); err != nil {
		return nil, err
	}
	t := &hiveType{kind: kStruct}
	seen := map[string]bool{}
	for {
		name := p.word()
		if name == "" {
			return nil, fmt.Errorf("expected a field name at offset %d in type %q", p.i, p.s)
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		ft, err := p.parse()
		if err != nil {
			return nil, err
		}
		if seen[strings.ToLower(name)] {
			return nil, fmt.Errorf("duplicate struct field %q in type %q", name, p.s)
		}
		seen[strings.ToLower(name)] = true
		t.fields = append(t.fields, field{name: name, typ: ft})
		if p.peek(',') {
			p.i++
			continue
		}
		return t, p.expect('>')
	}
}
