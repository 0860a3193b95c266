package compress

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/google/uuid"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zip"
)

// CompressionFormat values of the Firehose API (exact case).
const (
	Uncompressed = "UNCOMPRESSED"
	GZIP         = "GZIP"
	ZIP          = "ZIP"
	Snappy       = "Snappy"
	HadoopSnappy = "HADOOP_SNAPPY"
)

// GzipLevel is the deflate level used for GZIP and ZIP. On 1 KiB JSON
// records (BenchmarkGzipLevel, one core of a busy 2-core machine) level 1
// ran at 150-280 MB/s with output 22.5% of the input, level 6 (the zlib
// default) at 59-66 MB/s with 19.1%: level 1 keeps Direct PUT -> S3 well
// above its 50 MiB/s goal for 18% larger objects. Firehose's own level is
// not documented, and every level decodes the same.
const GzipLevel = 1

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("compress: write after close")

// Format is one CompressionFormat.
type Format struct {
	Name            string // the API value, e.g. "GZIP"
	Extension       string // appended to the object key: "", ".gz", ".zip", ".snappy"
	ContentEncoding string // S3 Content-Encoding: "", "gzip", "zip", "snappy-java", "hadoop-snappy"
	newWriter       func(w io.Writer, o *options) io.WriteCloser
}

var formats = map[string]Format{
	Uncompressed: {Name: Uncompressed, newWriter: newPlain},
	GZIP:         {Name: GZIP, Extension: ".gz", ContentEncoding: "gzip", newWriter: newGzip},
	ZIP:          {Name: ZIP, Extension: ".zip", ContentEncoding: "zip", newWriter: newZip},
	Snappy:       {Name: Snappy, Extension: ".snappy", ContentEncoding: "snappy-java", newWriter: newXerial},
	HadoopSnappy: {Name: HadoopSnappy, Extension: ".snappy", ContentEncoding: "hadoop-snappy", newWriter: newHadoop},
}

// Lookup returns the Format for a CompressionFormat value. "" means
// UNCOMPRESSED (the API default); names are case-sensitive ("SNAPPY" is not
// a format).
func Lookup(format string) (Format, error) {
	if format == "" {
		format = Uncompressed
	}
	f, ok := formats[format]
	if !ok {
		return Format{}, fmt.Errorf("unknown compression format %q", format)
	}
	return f, nil
}

// Option adjusts a writer.
type Option func(*options)

type options struct {
	zipEntryName string
}

// WithZipEntryName names the one entry of a ZIP object. Without it the
// entry is named by a fresh random UUID, as Firehose does; a caller that
// retries an upload may pass the object's UUID so the retry writes the same
// bytes.
func WithZipEntryName(name string) Option {
	return func(o *options) { o.zipEntryName = name }
}

// NewWriter returns a writer that compresses everything written to it onto
// w. Close finishes the stream (trailers, last block) but does not close w.
// The writer is not safe for concurrent use.
func (f Format) NewWriter(w io.Writer, opts ...Option) io.WriteCloser {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if f.newWriter == nil {
		return newPlain(w, &o)
	}
	return f.newWriter(w, &o)
}

// plain passes bytes through.
type plain struct {
	w      io.Writer
	closed bool
}

func newPlain(w io.Writer, _ *options) io.WriteCloser { return &plain{w: w} }

func (p *plain) Write(b []byte) (int, error) {
	if p.closed {
		return 0, ErrClosed
	}
	return p.w.Write(b)
}

func (p *plain) Close() error {
	p.closed = true
	return nil
}

var gzipPool sync.Pool

// gzipWriter returns its klauspost gzip.Writer to a pool on Close; the
// writer's deflate state is ~1 MiB, worth reusing across objects.
type gzipWriter struct {
	z *gzip.Writer
}

func newGzip(w io.Writer, _ *options) io.WriteCloser {
	if z, ok := gzipPool.Get().(*gzip.Writer); ok {
		z.Reset(w)
		return &gzipWriter{z: z}
	}
	z, err := gzip.NewWriterLevel(w, GzipLevel)
	if err != nil {
		panic(err) // GzipLevel is a valid constant
	}
	return &gzipWriter{z: z}
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if g.z == nil {
		return 0, ErrClosed
	}
	return g.z.Write(b)
}

func (g *gzipWriter) Close() error {
	if g.z == nil {
		return nil
	}
	err := g.z.Close()
	if err == nil {
		g.z.Reset(io.Discard)
		gzipPool.Put(g.z)
	}
	g.z = nil
	return err
}

// zipWriter writes one deflated entry. Sizes and CRC are not known in
// advance, so the entry carries a data descriptor, as Java's
// ZipOutputStream writes it.
type zipWriter struct {
	zw     *zip.Writer
	entry  io.Writer
	err    error
	closed bool
}

func newZip(w io.Writer, o *options) io.WriteCloser {
	name := o.zipEntryName
	if name == "" {
		name = uuid.NewString()
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, GzipLevel)
	})
	entry, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	return &zipWriter{zw: zw, entry: entry, err: err}
}

func (z *zipWriter) Write(b []byte) (int, error) {
	if z.closed {
		return 0, ErrClosed
	}
	if z.err != nil {
		return 0, z.err
	}
	n, err := z.entry.Write(b)
	if err != nil {
		z.err = err
	}
	return n, err
}

func (z *zipWriter) Close() error {
	if z.closed {
		return z.err
	}
	z.closed = true
	if z.err != nil {
		return z.err
	}
	z.err = z.zw.Close()
	return z.err
}
