package convert

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
)

// mismatch is a value that does not fit its column: the record fails with
// DataFormatConversion.MalformedData.
type mismatch struct{ msg string }

func (m *mismatch) Error() string { return m.msg }

func mismatchf(format string, args ...any) error {
	return &mismatch{msg: fmt.Sprintf(format, args...)}
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// primitive converts a JSON value to the Parquet value of a primitive
// column. A nil value and a zero parquet.Value mean null.
func (c *Converter) primitive(n *node, v any) (parquet.Value, error) {
	t := n.typ
	switch t.kind {
	case kString, kChar, kVarchar:
		s, err := c.text(n, v)
		if err != nil {
			return parquet.Value{}, err
		}
		return parquet.ByteArrayValue([]byte(fitLength(t, s))), nil
	case kBoolean:
		return c.boolean(n, v)
	case kTinyint, kSmallint, kInt, kBigint:
		return c.integer(n, v)
	case kFloat, kDouble:
		return c.float(n, v)
	case kDecimal:
		return c.decimal(n, v)
	case kDate:
		s, ok := v.(string)
		if !ok {
			return parquet.Value{}, mismatchf("column %q (date) cannot take a JSON %s", n.name, jsonKind(v))
		}
		date, _, _ := strings.Cut(strings.TrimSpace(s), " ")
		date, _, _ = strings.Cut(date, "T")
		y, m, d, err := ymd(date)
		if err != nil {
			return parquet.Value{}, mismatchf("column %q (date) cannot parse the value as yyyy-MM-dd", n.name)
		}
		days := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
		return parquet.Int32Value(int32(days)), nil
	case kTimestamp:
		ts, err := c.timestamp(v)
		if err != nil {
			return parquet.Value{}, mismatchf("column %q (timestamp) cannot parse the JSON %s as a timestamp", n.name, jsonKind(v))
		}
		return int96(ts), nil
	case kBinary:
		s, ok := v.(string)
		if !ok {
			return parquet.Value{}, mismatchf("column %q (binary) cannot take a JSON %s", n.name, jsonKind(v))
		}
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			return parquet.ByteArrayValue(b), nil
		}
		return parquet.ByteArrayValue([]byte(s)), nil
	}
	return parquet.Value{}, mismatchf("column %q has an unsupported type", n.name)
}

// text is a string column's value: strings as they are; numbers and
// booleans as their JSON text; objects and arrays as JSON under OpenX.
func (c *Converter) text(n *node, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return string(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	if !c.openX {
		return "", mismatchf("column %q (string) cannot take a JSON %s", n.name, jsonKind(v))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", mismatchf("column %q (string) cannot take the JSON %s", n.name, jsonKind(v))
	}
	return string(b), nil
}

// fitLength truncates varchar(n) and char(n) values to n characters; char
// values lose their trailing spaces, as Hive stores them.
func fitLength(t *hiveType, s string) string {
	if t.kind == kString {
		return s
	}
	if utf8.RuneCountInString(s) > t.length {
		i, count := 0, 0
		for i = range s {
			if count == t.length {
				break
			}
			count++
		}
		s = s[:i]
	}
	if t.kind == kChar {
		s = strings.TrimRight(s, " ")
	}
	return s
}

func (c *Converter) boolean(n *node, v any) (parquet.Value, error) {
	switch x := v.(type) {
	case bool:
		return parquet.BooleanValue(x), nil
	case string:
		if c.openX {
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true":
				return parquet.BooleanValue(true), nil
			case "false":
				return parquet.BooleanValue(false), nil
			}
		}
	}
	return parquet.Value{}, mismatchf("column %q (boolean) cannot take a JSON %s", n.name, jsonKind(v))
}

// numberText is the text of a numeric JSON value: a number, or under OpenX
// a string holding one.
func (c *Converter) numberText(n *node, v any) (string, error) {
	switch x := v.(type) {
	case json.Number:
		return string(x), nil
	case string:
		if c.openX {
			return strings.TrimSpace(x), nil
		}
	}
	return "", mismatchf("column %q (%s) cannot take a JSON %s", n.name, kindName(n.typ), jsonKind(v))
}

func kindName(t *hiveType) string {
	switch t.kind {
	case kTinyint:
		return "tinyint"
	case kSmallint:
		return "smallint"
	case kInt:
		return "int"
	case kBigint:
		return "bigint"
	case kFloat:
		return "float"
	case kDouble:
		return "double"
	case kDecimal:
		return fmt.Sprintf("decimal(%d,%d)", t.precision, t.scale)
	}
	return "value"
}

func (c *Converter) integer(n *node, v any) (parquet.Value, error) {
	s, err := c.numberText(n, v)
	if err != nil {
		return parquet.Value{}, err
	}
	bits := map[kind]int{kTinyint: 8, kSmallint: 16, kInt: 32, kBigint: 64}[n.typ.kind]
	i, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return parquet.Value{}, mismatchf("column %q (%s): For input string: %q", n.name, kindName(n.typ), s)
	}
	if n.typ.kind == kBigint {
		return parquet.Int64Value(i), nil
	}
	return parquet.Int32Value(int32(i)), nil
}

func (c *Converter) float(n *node, v any) (parquet.Value, error) {
	s, err := c.numberText(n, v)
	if err != nil {
		return parquet.Value{}, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return parquet.Value{}, mismatchf("column %q (%s): For input string: %q", n.name, kindName(n.typ), s)
	}
	if n.typ.kind == kFloat {
		return parquet.FloatValue(float32(f)), nil
	}
	return parquet.DoubleValue(f), nil
}

var bigTen = big.NewInt(10)

// decimal rounds the value half-up to the column's scale and stores the
// unscaled integer big-endian in the column's fixed length. A value with more
// digits than the precision becomes null, as Hive's enforcePrecisionScale does.
func (c *Converter) decimal(n *node, v any) (parquet.Value, error) {
	s, err := c.numberText(n, v)
	if err != nil {
		return parquet.Value{}, err
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return parquet.Value{}, mismatchf("column %q (%s): For input string: %q", n.name, kindName(n.typ), s)
	}
	scale := new(big.Int).Exp(bigTen, big.NewInt(int64(n.typ.scale)), nil)
	r.Mul(r, new(big.Rat).SetInt(scale))
	// Round half away from zero.
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	m.Abs(m).Lsh(m, 1)
	if m.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	limit := new(big.Int).Exp(bigTen, big.NewInt(int64(n.typ.precision)), nil)
	if new(big.Int).Abs(q).Cmp(limit) >= 0 {
		return parquet.Value{}, nil
	}
	return parquet.FixedLenByteArrayValue(twosComplement(q, decimalBytes(n.typ.precision))), nil
}

// twosComplement writes x big-endian in exactly size bytes.
func twosComplement(x *big.Int, size int) []byte {
	out := make([]byte, size)
	if x.Sign() >= 0 {
		x.FillBytes(out)
		return out
	}
	// -x = ^(x-1): write |x|-1 and invert.
	y := new(big.Int).Neg(x)
	y.Sub(y, big.NewInt(1))
	y.FillBytes(out)
	for i := range out {
		out[i] = ^out[i]
	}
	return out
}

func (c *Converter) timestamp(v any) (time.Time, error) {
	if c.openX {
		return openXTimestamp(v)
	}
	for _, f := range c.hiveFormats {
		if t, err := f.parse(v); err == nil {
			return t, nil
		}
	}
	if s, ok := v.(string); ok {
		return sqlTimestamp(strings.TrimSpace(s))
	}
	return time.Time{}, errTimestamp
}

// julianEpoch is the Julian day number of 1970-01-01.
const julianEpoch = 2440588

// int96 encodes a timestamp the way Hive and Impala do: nanoseconds of the
// day in the first 8 bytes and the Julian day in the last 4, little-endian.
func int96(t time.Time) parquet.Value {
	t = t.UTC()
	sec := t.Unix()
	days := sec / 86400
	rem := sec % 86400
	if rem < 0 {
		days--
		rem += 86400
	}
	nanos := uint64(rem)*1e9 + uint64(t.Nanosecond())
	return parquet.Int96Value(deprecated.Int96{
		uint32(nanos & math.MaxUint32),
		uint32(nanos >> 32),
		uint32(days + julianEpoch),
	})
}
