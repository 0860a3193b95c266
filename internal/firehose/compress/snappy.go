package compress

import (
	"encoding/binary"
	"io"

	"github.com/golang/snappy"
)

// SnappyBlockSize is the uncompressed size of one block in both Snappy
// formats: snappy-java's default (SnappyOutputStream and
// SnappyHadoopCompatibleOutputStream, whose output reproduced AWS's
// objects byte for byte, floci-io/floci#2328).
//
// HADOOP_SNAPPY deliberately does not use Hadoop's 256 KiB
// io.compression.codec.snappy.buffersize as the block size: a Hadoop reader
// decompresses one compressed chunk in a buffer of that size, and a 256 KiB
// block of incompressible data compresses to slightly more than 256 KiB,
// which that reader cannot take. Hadoop's own writer keeps its chunks below
// the buffer for the same reason; 32 KiB blocks are safe for every reader.
const SnappyBlockSize = 32 * 1024

// xerialHeader starts a snappy-java stream: the magic 0x82 "SNAPPY" 0x00,
// then version 1 and minimum compatible version 1 as big-endian int32s.
var xerialHeader = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}

// snappyWriter cuts its input into SnappyBlockSize blocks and writes each
// as one raw Snappy block with a framing prefix:
//
//	xerial (Snappy):        [u32 BE compressed len][block]; the stream starts
//	                        with xerialHeader, even when empty.
//	Hadoop (HADOOP_SNAPPY): [u32 BE raw len][u32 BE compressed len][block];
//	                        an empty stream is empty.
type snappyWriter struct {
	w      io.Writer
	hadoop bool
	header bool // xerial header written
	buf    []byte
	out    []byte
	err    error
	closed bool
}

func newXerial(w io.Writer, _ *options) io.WriteCloser { return newSnappyWriter(w, false) }

func newHadoop(w io.Writer, _ *options) io.WriteCloser { return newSnappyWriter(w, true) }

func newSnappyWriter(w io.Writer, hadoop bool) *snappyWriter {
	return &snappyWriter{
		w:      w,
		hadoop: hadoop,
		buf:    make([]byte, 0, SnappyBlockSize),
		out:    make([]byte, 8+snappy.MaxEncodedLen(SnappyBlockSize)),
	}
}

func (s *snappyWriter) Write(p []byte) (int, error) {
	if s.closed {
		return 0, ErrClosed
	}
	if s.err != nil {
		return 0, s.err
	}
	n := len(p)
	for len(p) > 0 {
		// Whole blocks straight from p when nothing is buffered.
		if len(s.buf) == 0 && len(p) >= SnappyBlockSize {
			if err := s.block(p[:SnappyBlockSize]); err != nil {
				return n - len(p), err
			}
			p = p[SnappyBlockSize:]
			continue
		}
		k := copy(s.buf[len(s.buf):SnappyBlockSize], p)
		s.buf = s.buf[:len(s.buf)+k]
		p = p[k:]
		if len(s.buf) == SnappyBlockSize {
			if err := s.block(s.buf); err != nil {
				return n - len(p), err
			}
			s.buf = s.buf[:0]
		}
	}
	return n, nil
}

// block writes one framed block (and the xerial header before the first).
func (s *snappyWriter) block(raw []byte) error {
	if err := s.writeHeader(); err != nil {
		return err
	}
	off := 4
	if s.hadoop {
		off = 8
		binary.BigEndian.PutUint32(s.out[0:4], uint32(len(raw)))
	}
	enc := snappy.Encode(s.out[off:], raw)
	binary.BigEndian.PutUint32(s.out[off-4:off], uint32(len(enc)))
	if _, err := s.w.Write(s.out[:off+len(enc)]); err != nil {
		s.err = err
		return err
	}
	return nil
}

func (s *snappyWriter) writeHeader() error {
	if s.hadoop || s.header {
		return nil
	}
	s.header = true
	if _, err := s.w.Write(xerialHeader); err != nil {
		s.err = err
		return err
	}
	return nil
}

// Close writes the last, partial block (and the xerial header of an empty
// stream).
func (s *snappyWriter) Close() error {
	if s.closed {
		return s.err
	}
	s.closed = true
	if s.err != nil {
		return s.err
	}
	if len(s.buf) > 0 {
		if err := s.block(s.buf); err != nil {
			return err
		}
		s.buf = s.buf[:0]
	}
	return s.writeHeader()
}
