package awsjson

import (
	"math"
	"strconv"
	"time"
	"unsafe"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON types. Invalid is the zero Value (and what a missing member
// looks like to code that does not check for nil).
const (
	Invalid Kind = iota
	Null
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"invalid", "null", "bool", "number", "string", "array", "object"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one node of a parsed JSON document. Objects keep their members
// in document order; strings are unescaped; numbers keep their text.
//
// A Value and the strings it returns alias the parsed body (strings without
// escapes are views of it) and, for Values from a Parser, the Parser's
// arena: copy what must outlive either.
type Value struct {
	s    string  // string content, number text, "true"/"false"
	kids []Value // array elements, object members
	key  string  // member name, for a member of an object
	kind Kind
	esc  bool // s is a fresh copy (the string had escapes)
}

// Kind returns the JSON type of v; a nil v is Invalid.
func (v *Value) Kind() Kind {
	if v == nil {
		return Invalid
	}
	return v.kind
}

// IsNull reports whether v is absent (nil) or JSON null, which AWS treats
// alike.
func (v *Value) IsNull() bool { return v == nil || v.kind == Null || v.kind == Invalid }

// Key is the member name of v when v is a member of an object.
func (v *Value) Key() string { return v.key }

// Str returns the content of a string, or "" for any other kind.
func (v *Value) Str() string {
	if v == nil || v.kind != String {
		return ""
	}
	return v.s
}

// Bytes returns the content of a string as bytes without copying, or nil
// for any other kind. The bytes must not be modified.
func (v *Value) Bytes() []byte {
	if v == nil || v.kind != String || len(v.s) == 0 {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(v.s), len(v.s))
}

// Text returns the literal text of a number ("12", "1.5e3"), "true" or
// "false" for a bool, and the content of a string.
func (v *Value) Text() string {
	if v == nil {
		return ""
	}
	return v.s
}

// Bool returns the value of a JSON boolean; false for any other kind.
func (v *Value) Bool() bool { return v != nil && v.kind == Bool && v.s == "true" }

// Len is the number of elements of an array or members of an object.
func (v *Value) Len() int {
	if v == nil {
		return 0
	}
	return len(v.kids)
}

// Elems returns the elements of an array or the members of an object (each
// with its Key), in document order. The slice must not be modified.
func (v *Value) Elems() []Value {
	if v == nil || (v.kind != Array && v.kind != Object) {
		return nil
	}
	return v.kids
}

// Member returns the member of an object named name (the last one when the
// name repeats, as AWS's parser keeps), or nil when v is not an object or
// has no such member. A member whose value is JSON null is returned as is;
// use IsNull to treat it as absent.
func (v *Value) Member(name string) *Value {
	if v == nil || v.kind != Object {
		return nil
	}
	for i := len(v.kids) - 1; i >= 0; i-- {
		if v.kids[i].key == name {
			return &v.kids[i]
		}
	}
	return nil
}

// Int returns a number as AWS's front end reads it into an integer: a
// fraction is floored and a value beyond int64 saturates. ok is false when
// v is not a number.
func (v *Value) Int() (n int64, ok bool) {
	if v == nil || v.kind != Number {
		return 0, false
	}
	return numberInt(v.s), true
}

// Float returns a number as a float64; ok is false when v is not a number
// or does not fit.
func (v *Value) Float() (f float64, ok bool) {
	if v == nil || v.kind != Number {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// Timestamp returns a number of seconds since the epoch (a fraction is
// allowed) as a UTC time, to the millisecond as AWS keeps it. ok is false
// when v is not a number.
func (v *Value) Timestamp() (t time.Time, ok bool) {
	if v == nil || v.kind != Number {
		return time.Time{}, false
	}
	return time.UnixMilli(numberMillis(v.s)).UTC(), true
}

// numberInt floors the JSON number text s to an integer, saturating at the
// int64 range. s must be valid JSON number text.
func numberInt(s string) int64 {
	if n, ok := plainInt(s); ok {
		return n
	}
	d := decomposeNumber(s)
	return d.floor()
}

// plainInt is the fast path of numberInt: an optional minus and at most 18
// digits.
func plainInt(s string) (int64, bool) {
	neg := false
	i := 0
	if len(s) > 0 && s[0] == '-' {
		neg = true
		i = 1
	}
	if len(s)-i == 0 || len(s)-i > 18 {
		return 0, false
	}
	var n int64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// decimal is a JSON number as sign, significant digits and a power of ten:
// value = ±digits × 10^exp.
type decimal struct {
	neg    bool
	digits string // without leading zeros; "" for zero
	frac   string // digits of the fraction (to test for a remainder)
	exp    int64  // saturated
}

func decomposeNumber(s string) decimal {
	var d decimal
	i := 0
	if i < len(s) && s[i] == '-' {
		d.neg = true
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intPart := s[start:i]
	fracPart := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fracPart = s[fs:i]
	}
	var e int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		for ; i < len(s); i++ {
			if e < 1<<40 {
				e = e*10 + int64(s[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
	}
	// digits = intPart+fracPart with leading zeros dropped, trailing zeros
	// folded into the exponent.
	all := intPart + fracPart
	e -= int64(len(fracPart))
	j := 0
	for j < len(all) && all[j] == '0' {
		j++
	}
	all = all[j:]
	k := len(all)
	for k > 0 && all[k-1] == '0' {
		k--
		e++
	}
	d.digits = all[:k]
	d.exp = e
	return d
}

// floor returns ⌊d⌋ saturated to int64.
func (d decimal) floor() int64 {
	if d.digits == "" {
		return 0
	}
	n := int64(len(d.digits))
	if n+d.exp > 19 {
		return saturate(d.neg)
	}
	if n+d.exp <= 0 { // |d| < 1
		if d.neg {
			return -1
		}
		return 0
	}
	intDigits := d.digits
	remainder := false
	if d.exp < 0 {
		intDigits = d.digits[:n+d.exp]
		remainder = true // digits has no trailing zeros, so the cut part is non-zero
	}
	var u uint64
	for i := 0; i < len(intDigits); i++ {
		u = u*10 + uint64(intDigits[i]-'0')
	}
	for e := d.exp; e > 0; e-- {
		if u > math.MaxUint64/10 {
			return saturate(d.neg)
		}
		u *= 10
	}
	if !d.neg {
		if u > math.MaxInt64 {
			return math.MaxInt64
		}
		return int64(u)
	}
	if remainder {
		u++
	}
	if u > 1<<63 {
		return math.MinInt64
	}
	return -int64(u)
}

func saturate(neg bool) int64 {
	if neg {
		return math.MinInt64
	}
	return math.MaxInt64
}

// numberMillis reads epoch seconds as milliseconds, flooring what is finer.
func numberMillis(s string) int64 {
	if n, ok := plainInt(s); ok {
		if n > math.MaxInt64/1000 || n < math.MinInt64/1000 {
			return saturate(n < 0)
		}
		return n * 1000
	}
	d := decomposeNumber(s)
	d.exp += 3
	return d.floor()
}

// clampInt32 is how an Integer shape sees an integer: Coral reads JSON
// numbers as a truncating big number and saturates at the int range.
func clampInt32(n int64) int64 {
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	if n < math.MinInt32 {
		return math.MinInt32
	}
	return n
}

// utf16Len is the length of s as Java counts it (UTF-16 code units), which
// is what AWS's length constraints measure.
func utf16Len(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if load64(s, i)&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			break
		}
	}
	if i == len(s) {
		return len(s)
	}
	n := i
	for _, r := range s[i:] {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// load64 reads 8 bytes of s at i, little-endian.
func load64(s string, i int) uint64 {
	b := s[i : i+8] // one bounds check, then the compiler merges the loads
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}
