package eventstream

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"
)

// ValueType is the type of a header value. It is not the wire type byte:
// both wire types 0 (true) and 1 (false) are TypeBool, and the zero
// ValueType marks the (invalid) zero HeaderValue.
type ValueType uint8

// Header value types.
const (
	TypeInvalid   ValueType = iota // zero HeaderValue; never encoded or decoded
	TypeBool                       // wire types 0 (true) and 1 (false)
	TypeByte                       // wire type 2, int8
	TypeInt16                      // wire type 3
	TypeInt32                      // wire type 4
	TypeInt64                      // wire type 5
	TypeBytes                      // wire type 6, byte array
	TypeString                     // wire type 7
	TypeTimestamp                  // wire type 8, milliseconds since the Unix epoch
	TypeUUID                       // wire type 9, 16 bytes
)

// Wire type bytes.
const (
	wireTrue byte = iota
	wireFalse
	wireByte
	wireInt16
	wireInt32
	wireInt64
	wireBytes
	wireString
	wireTimestamp
	wireUUID
)

// String returns the name of the type as the spec spells it.
func (t ValueType) String() string {
	switch t {
	case TypeBool:
		return "bool"
	case TypeByte:
		return "byte"
	case TypeInt16:
		return "short"
	case TypeInt32:
		return "integer"
	case TypeInt64:
		return "long"
	case TypeBytes:
		return "byte_array"
	case TypeString:
		return "string"
	case TypeTimestamp:
		return "timestamp"
	case TypeUUID:
		return "uuid"
	}
	return "invalid"
}

// HeaderValue is a typed header value. Build one with BoolValue,
// ByteValue, Int16Value, Int32Value, Int64Value, BytesValue, StringValue,
// TimestampValue or UUIDValue; the zero HeaderValue is invalid and
// AppendMessage rejects it. It is a small value type: constructing one
// does not allocate, and BytesValue keeps (does not copy) its slice.
type HeaderValue struct {
	typ ValueType
	num uint64 // bool (0/1), integers (two's complement), timestamp ms, UUID bytes 0..7
	lo  uint64 // UUID bytes 8..15
	str string
	b   []byte
}

// BoolValue returns a boolean header value.
func BoolValue(v bool) HeaderValue {
	if v {
		return HeaderValue{typ: TypeBool, num: 1}
	}
	return HeaderValue{typ: TypeBool}
}

// ByteValue returns a byte (int8) header value.
func ByteValue(v int8) HeaderValue { return HeaderValue{typ: TypeByte, num: uint64(v)} }

// Int16Value returns a short header value.
func Int16Value(v int16) HeaderValue { return HeaderValue{typ: TypeInt16, num: uint64(v)} }

// Int32Value returns an integer header value.
func Int32Value(v int32) HeaderValue { return HeaderValue{typ: TypeInt32, num: uint64(v)} }

// Int64Value returns a long header value.
func Int64Value(v int64) HeaderValue { return HeaderValue{typ: TypeInt64, num: uint64(v)} }

// BytesValue returns a byte array header value. It keeps v, so v must not
// change until the value has been encoded.
func BytesValue(v []byte) HeaderValue { return HeaderValue{typ: TypeBytes, b: v} }

// StringValue returns a string header value.
func StringValue(v string) HeaderValue { return HeaderValue{typ: TypeString, str: v} }

// TimestampValue returns a timestamp header value. The wire carries
// milliseconds since the Unix epoch (t.UnixMilli), so finer precision is
// dropped.
func TimestampValue(t time.Time) HeaderValue {
	return HeaderValue{typ: TypeTimestamp, num: uint64(t.UnixMilli())}
}

// UUIDValue returns a UUID header value from its 16 bytes.
func UUIDValue(u [16]byte) HeaderValue {
	return HeaderValue{typ: TypeUUID, num: binary.BigEndian.Uint64(u[:8]), lo: binary.BigEndian.Uint64(u[8:])}
}

// Type returns the value's type.
func (v HeaderValue) Type() ValueType { return v.typ }

// Bool returns the value of a TypeBool value, false for other types.
func (v HeaderValue) Bool() bool { return v.typ == TypeBool && v.num != 0 }

// Int returns the value of a TypeByte, TypeInt16, TypeInt32 or TypeInt64
// value, sign-extended, or the milliseconds of a TypeTimestamp value; 0
// for other types.
func (v HeaderValue) Int() int64 {
	switch v.typ {
	case TypeByte, TypeInt16, TypeInt32, TypeInt64, TypeTimestamp:
		return int64(v.num)
	}
	return 0
}

// Bytes returns the value of a TypeBytes value, nil for other types. The
// slice is not a copy.
func (v HeaderValue) Bytes() []byte {
	if v.typ != TypeBytes {
		return nil
	}
	return v.b
}

// Time returns the value of a TypeTimestamp value, the zero time for
// other types.
func (v HeaderValue) Time() time.Time {
	if v.typ != TypeTimestamp {
		return time.Time{}
	}
	return time.UnixMilli(int64(v.num)).UTC()
}

// UUID returns the 16 bytes of a TypeUUID value, all zero for other
// types.
func (v HeaderValue) UUID() [16]byte {
	var u [16]byte
	if v.typ != TypeUUID {
		return u
	}
	binary.BigEndian.PutUint64(u[:8], v.num)
	binary.BigEndian.PutUint64(u[8:], v.lo)
	return u
}

// String returns the value of a TypeString value as is, and a readable
// form of the other types: "true", "42", base64 for byte arrays, RFC 3339
// for timestamps, the 8-4-4-4-12 hex form for UUIDs.
func (v HeaderValue) String() string {
	switch v.typ {
	case TypeString:
		return v.str
	case TypeBool:
		return strconv.FormatBool(v.num != 0)
	case TypeByte, TypeInt16, TypeInt32, TypeInt64:
		return strconv.FormatInt(int64(v.num), 10)
	case TypeBytes:
		return base64.StdEncoding.EncodeToString(v.b)
	case TypeTimestamp:
		return v.Time().Format(time.RFC3339Nano)
	case TypeUUID:
		u := v.UUID()
		var s [36]byte
		hex.Encode(s[0:8], u[0:4])
		s[8] = '-'
		hex.Encode(s[9:13], u[4:6])
		s[13] = '-'
		hex.Encode(s[14:18], u[6:8])
		s[18] = '-'
		hex.Encode(s[19:23], u[8:10])
		s[23] = '-'
		hex.Encode(s[24:], u[10:])
		return string(s[:])
	}
	return "<invalid>"
}

// Equal reports whether v and o have the same type and value. A nil and
// an empty byte array are equal.
func (v HeaderValue) Equal(o HeaderValue) bool {
	return v.typ == o.typ && v.num == o.num && v.lo == o.lo && v.str == o.str && bytes.Equal(v.b, o.b)
}

// wireLen returns the encoded size of the value including its type byte,
// or -1 if the value cannot be encoded.
func (v HeaderValue) wireLen() int {
	switch v.typ {
	case TypeBool:
		return 1
	case TypeByte:
		return 2
	case TypeInt16:
		return 3
	case TypeInt32:
		return 5
	case TypeInt64, TypeTimestamp:
		return 9
	case TypeBytes:
		if len(v.b) > MaxHeaderValueLen {
			return -1
		}
		return 3 + len(v.b)
	case TypeString:
		if len(v.str) > MaxHeaderValueLen {
			return -1
		}
		return 3 + len(v.str)
	case TypeUUID:
		return 17
	}
	return -1
}

// appendWire appends the type byte and the value. The value must have
// passed wireLen.
func (v HeaderValue) appendWire(dst []byte) []byte {
	switch v.typ {
	case TypeBool:
		if v.num != 0 {
			return append(dst, wireTrue)
		}
		return append(dst, wireFalse)
	case TypeByte:
		return append(dst, wireByte, byte(v.num))
	case TypeInt16:
		return binary.BigEndian.AppendUint16(append(dst, wireInt16), uint16(v.num))
	case TypeInt32:
		return binary.BigEndian.AppendUint32(append(dst, wireInt32), uint32(v.num))
	case TypeInt64:
		return binary.BigEndian.AppendUint64(append(dst, wireInt64), v.num)
	case TypeTimestamp:
		return binary.BigEndian.AppendUint64(append(dst, wireTimestamp), v.num)
	case TypeBytes:
		dst = binary.BigEndian.AppendUint16(append(dst, wireBytes), uint16(len(v.b)))
		return append(dst, v.b...)
	case TypeString:
		dst = binary.BigEndian.AppendUint16(append(dst, wireString), uint16(len(v.str)))
		return append(dst, v.str...)
	case TypeUUID:
		return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(append(dst, wireUUID), v.num), v.lo)
	}
	return dst
}
