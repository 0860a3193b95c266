package bench

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderSize is the size of the header at the start of every record, and so
// the smallest record size. Layout (big endian):
//
//	[0:8]   put time, unix nanoseconds, stamped before every put attempt
//	[8:12]  producer id
//	[12:16] the producer's sequence number of the record
//
// The rest of the record is filler derived from producer id and sequence
// number, so corruption (and a header pointing at the wrong record) is
// detected.
const HeaderSize = 16

// header is the decoded record header.
type header struct {
	putNanos int64
	producer uint32
	seq      uint32
}

// fillerTableLen is prime so that fillers of different records rarely line
// up.
const fillerTableLen = 65521

// fillerTable is the deterministic pseudo-random byte sequence fillers are
// cut from.
var fillerTable = makeFillerTable()

func makeFillerTable() []byte {
	t := make([]byte, fillerTableLen)
	x := uint64(0x6672657368657421) // "freshet!"
	for i := 0; i < len(t); i += 8 {
		x = splitmix64(x)
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], x)
		copy(t[i:], b[:])
	}
	return t
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	z := x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// fillerOffset is where in fillerTable the filler of a record starts.
func fillerOffset(producer, seq uint32) int {
	return int(splitmix64(uint64(producer)<<32|uint64(seq)) % fillerTableLen)
}

// encodeRecord writes a complete record for (producer, seq) into buf, whose
// length is the record size (at least HeaderSize).
func encodeRecord(buf []byte, producer, seq uint32, putNanos int64) {
	stampRecord(buf, putNanos)
	binary.BigEndian.PutUint32(buf[8:12], producer)
	binary.BigEndian.PutUint32(buf[12:16], seq)
	pos := fillerOffset(producer, seq)
	for dst := buf[HeaderSize:]; len(dst) > 0; pos = 0 {
		n := copy(dst, fillerTable[pos:])
		dst = dst[n:]
	}
}

// stampRecord overwrites the put time of an encoded record.
func stampRecord(buf []byte, putNanos int64) {
	binary.BigEndian.PutUint64(buf[0:8], uint64(putNanos))
}

var errShort = errors.New("record shorter than its header")

// decodeHeader reads the header of a record without checking the filler.
func decodeHeader(data []byte) (header, error) {
	if len(data) < HeaderSize {
		return header{}, fmt.Errorf("%w: %d bytes", errShort, len(data))
	}
	return header{
		putNanos: int64(binary.BigEndian.Uint64(data[0:8])),
		producer: binary.BigEndian.Uint32(data[8:12]),
		seq:      binary.BigEndian.Uint32(data[12:16]),
	}, nil
}

// fillerIntact reports whether the record after its header is exactly the
// filler of (producer, seq) and the record has the expected size.
func fillerIntact(data []byte, size int, h header) bool {
	if len(data) != size {
		return false
	}
	pos := fillerOffset(h.producer, h.seq)
	for src := data[HeaderSize:]; len(src) > 0; pos = 0 {
		n := min(len(src), fillerTableLen-pos)
		if !bytes.Equal(src[:n], fillerTable[pos:pos+n]) {
			return false
		}
		src = src[n:]
	}
	return true
}
