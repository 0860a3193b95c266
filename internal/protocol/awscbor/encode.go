package awscbor

import (
	"encoding/binary"
	"math"
	"time"
	"unsafe"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// ContentType is the media type of AWS CBOR bodies.
const ContentType = "application/x-amz-cbor-1.1"

// Major types (RFC 8949 §3.1).
const (
	majorUint   = 0
	majorNeg    = 1
	majorBytes  = 2
	majorText   = 3
	majorArray  = 4
	majorMap    = 5
	majorTag    = 6
	majorSimple = 7
)

// Additional information values of major type 7, and the indefinite-length
// marker shared by types 2 to 5.
const (
	simpleFalse     = 20
	simpleTrue      = 21
	simpleNull      = 22
	simpleUndefined = 23
	simpleByte      = 24 // a simple value in the next byte
	float16Info     = 25
	float32Info     = 26
	float64Info     = 27
	indefinite      = 31
	breakByte       = 0xff
)

// TagEpoch is the tag of an epoch-based date/time; AWS fills it with
// milliseconds.
const TagEpoch = 1

// appendHead appends an item head: the major type and its argument in the
// shortest form (preferred serialization, RFC 8949 §4.1).
func appendHead(dst []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(dst, m|byte(arg))
	case arg <= math.MaxUint8:
		return append(dst, m|24, byte(arg))
	case arg <= math.MaxUint16:
		return append(dst, m|25, byte(arg>>8), byte(arg))
	case arg <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, m|26), uint32(arg))
	default:
		return binary.BigEndian.AppendUint64(append(dst, m|27), arg)
	}
}

// headLen is the length of the head appendHead writes for arg.
func headLen(arg uint64) int {
	switch {
	case arg < 24:
		return 1
	case arg <= math.MaxUint8:
		return 2
	case arg <= math.MaxUint16:
		return 3
	case arg <= math.MaxUint32:
		return 5
	default:
		return 9
	}
}

// AppendMapHeader appends the head of a map of n pairs; the caller appends
// n keys and values after it.
func AppendMapHeader(dst []byte, n int) []byte { return appendHead(dst, majorMap, uint64(n)) }

// AppendArrayHeader appends the head of an array of n items.
func AppendArrayHeader(dst []byte, n int) []byte { return appendHead(dst, majorArray, uint64(n)) }

// AppendText appends s as a text string.
func AppendText(dst []byte, s string) []byte {
	dst = appendHead(dst, majorText, uint64(len(s)))
	return append(dst, s...)
}

// AppendTextBytes is AppendText for text held in a byte slice.
func AppendTextBytes(dst []byte, b []byte) []byte {
	return AppendText(dst, unsafe.String(unsafe.SliceData(b), len(b)))
}

// AppendBytes appends b as a byte string, the wire form of a blob.
func AppendBytes(dst []byte, b []byte) []byte {
	dst = appendHead(dst, majorBytes, uint64(len(b)))
	return append(dst, b...)
}

// AppendUint appends n as an unsigned integer.
func AppendUint(dst []byte, n uint64) []byte { return appendHead(dst, majorUint, n) }

// AppendInt appends n as an integer (major type 0 or 1).
func AppendInt(dst []byte, n int64) []byte {
	if n >= 0 {
		return appendHead(dst, majorUint, uint64(n))
	}
	return appendHead(dst, majorNeg, ^uint64(n)) // -1-n
}

// AppendBool appends true or false.
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, majorSimple<<5|simpleTrue)
	}
	return append(dst, majorSimple<<5|simpleFalse)
}

// AppendNull appends null.
func AppendNull(dst []byte) []byte { return append(dst, majorSimple<<5|simpleNull) }

// AppendTag appends the head of tag number n; the caller appends its
// content.
func AppendTag(dst []byte, n uint64) []byte { return appendHead(dst, majorTag, n) }

// AppendTimestamp appends t as AWS CBOR sends a timestamp: tag 1 holding an
// integer number of epoch milliseconds.
func AppendTimestamp(dst []byte, t time.Time) []byte {
	return AppendTimestampMillis(dst, t.UnixMilli())
}

// AppendTimestampMillis is AppendTimestamp for epoch milliseconds.
func AppendTimestampMillis(dst []byte, ms int64) []byte {
	return AppendInt(append(dst, majorTag<<5|TagEpoch), ms)
}

// AppendFloat appends f in the shortest width that holds it exactly: half,
// single or double precision (preferred serialization). Every NaN is
// written as the canonical half-precision NaN.
func AppendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) {
		return append(dst, majorSimple<<5|float16Info, 0x7e, 0x00)
	}
	if f32 := float32(f); float64(f32) == f {
		if h, ok := float16Bits(f32); ok {
			return append(dst, majorSimple<<5|float16Info, byte(h>>8), byte(h))
		}
		return binary.BigEndian.AppendUint32(append(dst, majorSimple<<5|float32Info), math.Float32bits(f32))
	}
	return binary.BigEndian.AppendUint64(append(dst, majorSimple<<5|float64Info), math.Float64bits(f))
}

// float16Bits returns the IEEE 754 half-precision bits of f when f (not a
// NaN) is exactly representable in half precision.
func float16Bits(f float32) (uint16, bool) {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	exp := int(bits>>23) & 0xff
	mant := bits & 0x7fffff
	switch {
	case exp == 0xff: // ±Inf (NaNs are the caller's)
		return sign | 0x7c00, mant == 0
	case exp == 0 && mant == 0:
		return sign, true
	case exp == 0: // single-precision subnormal: far below half's range
		return 0, false
	}
	e := exp - 127
	switch {
	case e >= -14 && e <= 15: // normal half
		if mant&0x1fff != 0 {
			return 0, false
		}
		return sign | uint16(e+15)<<10 | uint16(mant>>13), true
	case e >= -24 && e < -14: // subnormal half: m × 2^-24
		full := mant | 1<<23
		shift := uint(-e - 1)
		if full&(1<<shift-1) != 0 {
			return 0, false
		}
		return sign | uint16(full>>shift), true
	}
	return 0, false
}

// float16ToFloat64 widens IEEE 754 half-precision bits.
func float16ToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	mant := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(mant, -24)
	case 0x1f:
		if mant != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(mant+1024, exp-25)
}

// ErrorBody renders e as AWS CBOR does: a map {"__type": …, "message": …}
// with e's MessageKey ("message" when unset; the JSON body uses the same
// key) and no message when it is empty. A nil e renders as InternalFailure.
func ErrorBody(e *awserr.Error) []byte {
	if e == nil {
		e = awserr.InternalFailure()
	}
	n := 1
	if e.Message != "" {
		n = 2
	}
	b := make([]byte, 0, 24+len(e.Code)+len(e.Message))
	b = AppendMapHeader(b, n)
	b = AppendText(b, "__type")
	b = AppendText(b, e.Code)
	if e.Message != "" {
		key := e.MessageKey
		if key == "" {
			key = "message"
		}
		b = AppendText(b, key)
		b = AppendText(b, e.Message)
	}
	return b
}
