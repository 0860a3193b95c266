package pebblestore

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Key prefixes. See doc.go for the layout.
const (
	prefixChunk    = 'b'
	prefixRecordV1 = 'r' // layout version 1: one key per record; see migrate.go
	prefixState    = 's'
	prefixMeta     = 'm'
	keyMetaRev     = "c"
	keyVersion     = "v"
	layoutVersion  = 2
	stateVersion   = 1
	stateLen       = 1 + 8 + 8 + 8
	metaRevLen     = 8
)

var errCorrupt = errors.New("pebblestore: corrupt value")

// logPrefix returns kind | uvarint(len(log)) | log: the prefix of every
// key of kind (prefixChunk, or prefixRecordV1) of log, and of no other
// log's.
func logPrefix(kind byte, log string) []byte {
	p := make([]byte, 0, 1+binary.MaxVarintLen64+len(log)+8)
	p = append(p, kind)
	p = binary.AppendUvarint(p, uint64(len(log)))
	return append(p, log...)
}

// chunkKey returns the key of the chunk whose last offset is off, in the
// log with chunk prefix p.
func chunkKey(p []byte, off uint64) []byte {
	k := make([]byte, len(p)+8)
	copy(k, p)
	binary.BigEndian.PutUint64(k[len(p):], off)
	return k
}

func stateKey(log string) []byte {
	k := make([]byte, 1+len(log))
	k[0] = prefixState
	copy(k[1:], log)
	return k
}

func encodeState(dst []byte, next, first uint64, lastArrival int64) []byte {
	dst = append(dst, stateVersion)
	dst = binary.BigEndian.AppendUint64(dst, next)
	dst = binary.BigEndian.AppendUint64(dst, first)
	return binary.BigEndian.AppendUint64(dst, uint64(lastArrival))
}

func decodeState(v []byte) (next, first uint64, lastArrival int64, err error) {
	if len(v) != stateLen || v[0] != stateVersion {
		return 0, 0, 0, fmt.Errorf("%w: log state of %d bytes", errCorrupt, len(v))
	}
	next = binary.BigEndian.Uint64(v[1:])
	first = binary.BigEndian.Uint64(v[9:])
	lastArrival = int64(binary.BigEndian.Uint64(v[17:]))
	if first > next {
		return 0, 0, 0, fmt.Errorf("%w: log state horizon %d beyond next %d", errCorrupt, first, next)
	}
	return next, first, lastArrival, nil
}

func metaKey(key string) []byte {
	k := make([]byte, 1+len(key))
	k[0] = prefixMeta
	copy(k[1:], key)
	return k
}

// prefixEnd returns the smallest key above every key starting with p, or
// nil if there is none.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
