package pebblestore

import (
	"encoding/binary"
	"fmt"

	"github.com/freshet/freshet/internal/storage"
)

// A chunk holds consecutive records of one log that arrived in one batch:
// every storage.Batch an Append adds becomes one chunk, or several when it
// exceeds maxChunkRecords or maxChunkBytes. Its key ends in the offset of
// its last record (see doc.go); its value is
//
//	format(1) uvarint(count) arrivalMs(8) count × record
//	record: uvarint(len(pk)) pk uvarint(len(data)) data
//
// A chunk is written in one pebble batch with the log state that makes it
// visible, so a reader that sees a chunk's key below the log's visibility
// watermark sees the whole chunk: chunks are never partially visible.
const (
	chunkFormat    = 1
	chunkHeaderMin = 1 + 1 + 8
)

// Chunk size limits. A batch is split so that reading a few records never
// has to copy megabytes out of pebble, and a chunk's value stays a few
// pebble blocks at most. A single record larger than maxChunkBytes gets a
// chunk of its own.
const (
	maxChunkBytes   = 64 << 10
	maxChunkRecords = 1000
)

// chunk is one decoded chunk header; body aliases the value.
type chunk struct {
	first, last uint64
	arrival     int64
	count       int
	body        []byte // count records
}

// recordLen is the encoded size of a record in a chunk body.
func recordLen(r *storage.Record) int {
	return uvarintLen(uint64(len(r.PartitionKey))) + len(r.PartitionKey) +
		uvarintLen(uint64(len(r.Data))) + len(r.Data)
}

// splitChunk returns how many of recs (at least one, if there are any)
// go into the next chunk, and the size of their encoded records.
func splitChunk(recs []storage.Record) (n, bodyLen int) {
	for n < len(recs) && n < maxChunkRecords {
		l := recordLen(&recs[n])
		if n > 0 && bodyLen+l > maxChunkBytes {
			break
		}
		bodyLen += l
		n++
	}
	return n, bodyLen
}

// chunkValueLen is the size of a chunk value of count records whose
// encoded records take bodyLen bytes.
func chunkValueLen(count, bodyLen int) int {
	return 1 + uvarintLen(uint64(count)) + 8 + bodyLen
}

// encodeChunk fills dst, which is exactly chunkValueLen long, with the
// chunk of recs.
func encodeChunk(dst []byte, arrival int64, recs []storage.Record) {
	dst[0] = chunkFormat
	n := 1 + binary.PutUvarint(dst[1:], uint64(len(recs)))
	binary.BigEndian.PutUint64(dst[n:], uint64(arrival))
	n += 8
	for i := range recs {
		r := &recs[i]
		n += binary.PutUvarint(dst[n:], uint64(len(r.PartitionKey)))
		n += copy(dst[n:], r.PartitionKey)
		n += binary.PutUvarint(dst[n:], uint64(len(r.Data)))
		n += copy(dst[n:], r.Data)
	}
}

// decodeChunk decodes the header of the chunk value v whose key names last
// as its last offset.
func decodeChunk(last uint64, v []byte) (chunk, error) {
	if len(v) < chunkHeaderMin {
		return chunk{}, fmt.Errorf("%w: chunk of %d bytes", errCorrupt, len(v))
	}
	if v[0] != chunkFormat {
		return chunk{}, fmt.Errorf("%w: chunk format %d", errCorrupt, v[0])
	}
	count, n := uvarint(v[1:])
	n++
	// Every record takes at least two bytes.
	if n <= 1 || len(v)-n < 8 || count == 0 || count > uint64(len(v)-n-8)/2 || count-1 > last {
		return chunk{}, fmt.Errorf("%w: chunk header", errCorrupt)
	}
	return chunk{
		first:   last - (count - 1),
		last:    last,
		arrival: int64(binary.BigEndian.Uint64(v[n:])),
		count:   int(count),
		body:    v[n+8:],
	}, nil
}

// nextRecord splits the record at the start of body into its partition
// key and data, which alias body, and returns the record's encoded length.
func nextRecord(body []byte) (pk, data []byte, n int, err error) {
	l, k := uvarint(body)
	if k <= 0 || uint64(len(body)-k) < l {
		return nil, nil, 0, fmt.Errorf("%w: chunk record partition key", errCorrupt)
	}
	n = k + int(l)
	pk = body[k:n:n]
	l, k = uvarint(body[n:])
	if k <= 0 || uint64(len(body)-n-k) < l {
		return nil, nil, 0, fmt.Errorf("%w: chunk record data", errCorrupt)
	}
	start := n + k
	n = start + int(l)
	return pk, body[start:n:n], n, nil
}

// uvarint is binary.Uvarint with a fast path for one-byte values, which
// every partition key length and small records' data lengths are.
func uvarint(b []byte) (uint64, int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	return binary.Uvarint(b)
}
