package kpl

import (
	"errors"
	"fmt"
	"math/bits"
)

// Protocol buffer wire types
// (https://protobuf.dev/programming-guides/encoding/#structure).
const (
	wireVarint     = 0
	wireFixed64    = 1
	wireBytes      = 2
	wireStartGroup = 3
	wireEndGroup   = 4
	wireFixed32    = 5
)

// Field numbers of the KPL messages (aws/kinesis/protobuf/messages.proto in
// awslabs/amazon-kinesis-producer).
const (
	// AggregatedRecord
	fieldPartitionKeyTable    = 1 // repeated string
	fieldExplicitHashKeyTable = 2 // repeated string
	fieldRecords              = 3 // repeated Record

	// Record
	fieldPartitionKeyIndex    = 1 // required uint64
	fieldExplicitHashKeyIndex = 2 // optional uint64
	fieldData                 = 3 // required bytes
	fieldTags                 = 4 // repeated Tag

	// Tag
	fieldTagKey   = 1 // required string
	fieldTagValue = 2 // optional string
)

const (
	// maxFieldNumber is the largest field number protobuf allows (2^29-1).
	maxFieldNumber = 1<<29 - 1
	// maxGroupDepth bounds the nesting of unknown groups that are skipped,
	// like the default recursion limit of the Java protobuf runtime.
	maxGroupDepth = 100
)

// sizeVarint is the number of bytes appendVarint uses for v.
func sizeVarint(v uint64) int {
	return (bits.Len64(v|1) + 6) / 7
}

// appendVarint appends the base-128 varint encoding of v.
func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendKey appends a field key. Every field this package writes has a
// number below 16, so the key is always one byte.
func appendKey(b []byte, num, wire int) []byte {
	return append(b, byte(num<<3|wire))
}

// appendStringField appends a length-delimited field holding s.
func appendStringField(b []byte, num int, s string) []byte {
	b = appendKey(b, num, wireBytes)
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...)
}

// sizeBytesField is the encoded size of a length-delimited field whose
// payload is n bytes long (one key byte, the length, the payload).
func sizeBytesField(n int) int {
	return 1 + sizeVarint(uint64(n)) + n
}

// The decoding functions return errors without the "kpl: " prefix;
// Deaggregate wraps them in ErrMalformed.

// consumeVarint decodes a varint at the start of b and returns it with the
// number of bytes it used.
func consumeVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, 0, errors.New("varint overflows 64 bits")
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1, nil
		}
	}
	// The tenth byte either ended the varint or failed the overflow check,
	// so only running out of input gets here.
	return 0, 0, errors.New("truncated varint")
}

// field is one decoded protobuf field. Only the member matching wire is set:
// v for varints, b for length-delimited fields. Fixed-width fields and
// groups are validated and skipped; their contents are not kept.
type field struct {
	num  uint64
	wire int
	v    uint64
	b    []byte
}

// nextField decodes the field at the start of b and returns it with the
// rest of b. The returned b of a length-delimited field aliases the input.
func nextField(b []byte) (field, []byte, error) {
	num, wire, n, err := consumeKey(b)
	if err != nil {
		return field{}, nil, err
	}
	b = b[n:]
	f := field{num: num, wire: wire}
	switch wire {
	case wireVarint:
		v, n, err := consumeVarint(b)
		if err != nil {
			return field{}, nil, err
		}
		f.v = v
		return f, b[n:], nil
	case wireBytes:
		v, n, err := consumeBytes(b)
		if err != nil {
			return field{}, nil, err
		}
		f.b = v
		return f, b[n:], nil
	case wireEndGroup:
		return field{}, nil, fmt.Errorf("end-group for field %d without a start-group", num)
	default:
		n, err := skipValue(b, num, wire, 0)
		if err != nil {
			return field{}, nil, err
		}
		return f, b[n:], nil
	}
}

// consumeKey decodes a field key (field number and wire type).
func consumeKey(b []byte) (num uint64, wire int, n int, err error) {
	v, n, err := consumeVarint(b)
	if err != nil {
		return 0, 0, 0, err
	}
	num, wire = v>>3, int(v&7)
	if num == 0 || num > maxFieldNumber {
		return 0, 0, 0, fmt.Errorf("invalid field number %d", num)
	}
	if wire > wireFixed32 {
		return 0, 0, 0, fmt.Errorf("invalid wire type %d for field %d", wire, num)
	}
	return num, wire, n, nil
}

// consumeBytes decodes a length prefix and returns the payload that follows
// it (aliasing b, capacity capped to its length) and the bytes used.
func consumeBytes(b []byte) ([]byte, int, error) {
	l, n, err := consumeVarint(b)
	if err != nil {
		return nil, 0, err
	}
	if l > uint64(len(b)-n) {
		return nil, 0, fmt.Errorf("length %d exceeds the %d bytes left", l, len(b)-n)
	}
	end := n + int(l)
	return b[n:end:end], end, nil
}

// skipValue returns the size of the value of a field with the given number
// and wire type at the start of b (the key is already consumed). Groups are
// skipped up to their matching end-group key, nested up to maxGroupDepth.
func skipValue(b []byte, num uint64, wire int, depth int) (int, error) {
	switch wire {
	case wireVarint:
		_, n, err := consumeVarint(b)
		return n, err
	case wireFixed64:
		if len(b) < 8 {
			return 0, fmt.Errorf("truncated fixed64 field %d", num)
		}
		return 8, nil
	case wireFixed32:
		if len(b) < 4 {
			return 0, fmt.Errorf("truncated fixed32 field %d", num)
		}
		return 4, nil
	case wireBytes:
		_, n, err := consumeBytes(b)
		return n, err
	case wireStartGroup:
		return skipGroup(b, num, depth+1)
	}
	return 0, fmt.Errorf("unexpected wire type %d for field %d", wire, num)
}

// skipGroup returns the size of a group body plus its end-group key.
func skipGroup(b []byte, num uint64, depth int) (int, error) {
	if depth > maxGroupDepth {
		return 0, fmt.Errorf("groups nested deeper than %d", maxGroupDepth)
	}
	off := 0
	for {
		if off >= len(b) {
			return 0, fmt.Errorf("group %d has no end-group", num)
		}
		inner, wire, n, err := consumeKey(b[off:])
		if err != nil {
			return 0, err
		}
		off += n
		if wire == wireEndGroup {
			if inner != num {
				return 0, fmt.Errorf("end-group %d closes group %d", inner, num)
			}
			return off, nil
		}
		n, err = skipValue(b[off:], inner, wire, depth)
		if err != nil {
			return 0, err
		}
		off += n
	}
}
