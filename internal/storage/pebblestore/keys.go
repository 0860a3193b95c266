package pebblestore

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Key prefixes. See doc.go for the layout.
const (
	prefixRecord  = 'r'
	prefixState   = 's'
	prefixMeta    = 'm'
	keyMetaRev    = "c"
	keyVersion    = "v"
	layoutVersion = 1
	stateVersion  = 1
	stateLen      = 1 + 8 + 8 + 8
	metaRevLen    = 8
)

var errCorrupt = errors.New("pebblestore: corrupt value")

// recordPrefix returns 'r' | uvarint(len(log)) | log: the prefix of every
// record key of log, and of no other log's.
func recordPrefix(log string) []byte {
	p := make([]byte, 0, 1+binary.MaxVarintLen64+len(log)+8)
	p = append(p, prefixRecord)
	p = binary.AppendUvarint(p, uint64(len(log)))
	return append(p, log...)
}

// recordKey returns the key of offset off in the log with prefix p.
func recordKey(p []byte, off uint64) []byte {
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

// recordValueLen is the encoded size of a record's value.
func recordValueLen(pk, data []byte) int {
	return 8 + uvarintLen(uint64(len(pk))) + len(pk) + len(data)
}

// encodeRecordValue fills dst, which is exactly recordValueLen long.
func encodeRecordValue(dst []byte, arrival int64, pk, data []byte) {
	binary.BigEndian.PutUint64(dst, uint64(arrival))
	n := 8 + binary.PutUvarint(dst[8:], uint64(len(pk)))
	n += copy(dst[n:], pk)
	copy(dst[n:], data)
}

// decodeRecordValue splits a record value; pk and data alias v.
func decodeRecordValue(v []byte) (arrival int64, pk, data []byte, err error) {
	if len(v) < 9 {
		return 0, nil, nil, fmt.Errorf("%w: record of %d bytes", errCorrupt, len(v))
	}
	arrival = int64(binary.BigEndian.Uint64(v))
	l, n := binary.Uvarint(v[8:])
	if n <= 0 || uint64(len(v)-8-n) < l {
		return 0, nil, nil, fmt.Errorf("%w: record partition key", errCorrupt)
	}
	start := 8 + n
	return arrival, v[start : start+int(l)], v[start+int(l):], nil
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
