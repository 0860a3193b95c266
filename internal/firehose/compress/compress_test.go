package compress

import (
	"archive/zip"
	"bytes"
	stdgzip "compress/gzip"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct{ in, name, ext, enc string }{
		{"", "UNCOMPRESSED", "", ""},
		{"UNCOMPRESSED", "UNCOMPRESSED", "", ""},
		{"GZIP", "GZIP", ".gz", "gzip"},
		{"ZIP", "ZIP", ".zip", "zip"},
		{"Snappy", "Snappy", ".snappy", "snappy-java"},
		{"HADOOP_SNAPPY", "HADOOP_SNAPPY", ".snappy", "hadoop-snappy"},
	}
	for _, tc := range tests {
		f, err := Lookup(tc.in)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tc.in, err)
			continue
		}
		if f.Name != tc.name || f.Extension != tc.ext || f.ContentEncoding != tc.enc {
			t.Errorf("Lookup(%q) = %+v", tc.in, f)
		}
	}
	for _, bad := range []string{"SNAPPY", "gzip", "Zip", "snappy", "hadoop_snappy", "ZSTD", " GZIP"} {
		if _, err := Lookup(bad); err == nil {
			t.Errorf("Lookup(%q) succeeded", bad)
		}
	}
}

// decode reads a finished object back with a decoder independent of the
// writer: the standard library for gzip and zip, the spec readers of
// snappy_test.go for the Snappy formats.
func decode(t *testing.T, format string, obj []byte, zipName string) []byte {
	t.Helper()
	switch format {
	case Uncompressed:
		return obj
	case GZIP:
		zr, err := stdgzip.NewReader(bytes.NewReader(obj))
		if err != nil {
			t.Fatalf("gzip header: %v", err)
		}
		zr.Multistream(false)
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		return out
	case ZIP:
		zr, err := zip.NewReader(bytes.NewReader(obj), int64(len(obj)))
		if err != nil {
			t.Fatalf("zip: %v", err)
		}
		if len(zr.File) != 1 {
			t.Fatalf("zip has %d entries, want 1", len(zr.File))
		}
		f := zr.File[0]
		if f.Method != zip.Deflate {
			t.Errorf("zip entry method %d, want deflate", f.Method)
		}
		if zipName != "" && f.Name != zipName {
			t.Errorf("zip entry %q, want %q", f.Name, zipName)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("zip entry: %v", err)
		}
		defer rc.Close()
		out, err := io.ReadAll(rc) // archive/zip checks the CRC and size at EOF
		if err != nil {
			t.Fatalf("zip entry body: %v", err)
		}
		return out
	case Snappy:
		out, _, err := decodeXerial(obj)
		if err != nil {
			t.Fatalf("xerial: %v", err)
		}
		return out
	case HadoopSnappy:
		out, _, err := decodeHadoop(obj)
		if err != nil {
			t.Fatalf("hadoop snappy: %v", err)
		}
		return out
	}
	t.Fatalf("no decoder for %s", format)
	return nil
}

var allFormats = []string{Uncompressed, GZIP, ZIP, Snappy, HadoopSnappy}

var sizes = []int{0, 1, SnappyBlockSize - 1, SnappyBlockSize, SnappyBlockSize + 1, 3*SnappyBlockSize + 17, 10 << 20}

// compressAll writes data through format's writer in chunks of chunk bytes
// (0 = one Write).
func compressAll(t *testing.T, f Format, data []byte, chunk int, opts ...Option) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := f.NewWriter(&buf, opts...)
	if chunk == 0 {
		chunk = len(data) + 1
	}
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		n, err := w.Write(data[off:end])
		if err != nil || n != end-off {
			t.Fatalf("Write: n=%d err=%v", n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, name := range allFormats {
		f, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range sizes {
			for _, chunk := range []int{0, 1024, 1000, 100_003} {
				if size > 1<<20 && chunk != 1024 {
					continue // 10 MiB: record-sized writes only, to keep -race runs short
				}
				t.Run(fmt.Sprintf("%s/size=%d/chunk=%d", name, size, chunk), func(t *testing.T) {
					data := payload(size, uint64(size))
					obj := compressAll(t, f, data, chunk, WithZipEntryName("entry-name"))
					got := decode(t, name, obj, "entry-name")
					if !bytes.Equal(got, data) {
						t.Fatalf("decoded %d bytes, want %d (equal prefix %d)", len(got), len(data), commonPrefix(got, data))
					}
					if name != Uncompressed && size >= 1<<20 && len(obj)*2 > size {
						t.Errorf("%s made %d bytes of %d: not compressing", name, len(obj), size)
					}
				})
			}
		}
	}
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func TestZipDefaultEntryNameIsUUID(t *testing.T) {
	f, _ := Lookup(ZIP)
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	names := map[string]bool{}
	for i := 0; i < 2; i++ {
		obj := compressAll(t, f, []byte("hello"), 0)
		zr, err := zip.NewReader(bytes.NewReader(obj), int64(len(obj)))
		if err != nil {
			t.Fatal(err)
		}
		name := zr.File[0].Name
		if !uuidRE.MatchString(name) {
			t.Errorf("entry name %q is not a random UUID", name)
		}
		names[name] = true
	}
	if len(names) != 2 {
		t.Error("two objects got the same entry name")
	}
}

func TestGzipHeader(t *testing.T) {
	f, _ := Lookup(GZIP)
	obj := compressAll(t, f, []byte("x"), 0)
	if len(obj) < 18 || obj[0] != 0x1f || obj[1] != 0x8b || obj[2] != 8 {
		t.Fatalf("not a deflate gzip member: % x", obj[:min(len(obj), 10)])
	}
}

// The gzip writers come from a pool: writers used one after another and at
// the same time must each produce their own, correct stream.
func TestGzipPoolConcurrent(t *testing.T) {
	f, _ := Lookup(GZIP)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				data := payload(100_000+g*1000+i, uint64(g*10+i))
				var buf bytes.Buffer
				w := f.NewWriter(&buf)
				if _, err := w.Write(data); err != nil {
					t.Error(err)
					return
				}
				if err := w.Close(); err != nil {
					t.Error(err)
					return
				}
				zr, err := stdgzip.NewReader(&buf)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := io.ReadAll(zr)
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("goroutine %d object %d: err %v, equal %v", g, i, err, bytes.Equal(got, data))
					return
				}
			}
		}()
	}
	wg.Wait()
}

type closeRecorder struct {
	bytes.Buffer
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestCloseSemantics(t *testing.T) {
	for _, name := range allFormats {
		t.Run(name, func(t *testing.T) {
			f, _ := Lookup(name)
			var dst closeRecorder
			w := f.NewWriter(&dst)
			if _, err := w.Write([]byte("abc")); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if dst.closed {
				t.Error("Close closed the destination")
			}
			size := dst.Len()
			if err := w.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if dst.Len() != size {
				t.Error("second Close wrote more bytes")
			}
			if _, err := w.Write([]byte("d")); !errors.Is(err, ErrClosed) {
				t.Errorf("Write after Close: %v, want ErrClosed", err)
			}
			if got := decode(t, name, dst.Bytes(), ""); string(got) != "abc" {
				t.Errorf("decoded %q", got)
			}
		})
	}
}

type failingWriter struct{ after int }

var errSink = errors.New("sink failed")

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errSink
	}
	f.after--
	return len(p), nil
}

func TestWriteErrorsSurface(t *testing.T) {
	data := payload(1<<20, 7)
	for _, name := range allFormats {
		t.Run(name, func(t *testing.T) {
			f, _ := Lookup(name)
			w := f.NewWriter(&failingWriter{after: 2})
			var werr error
			for off := 0; off < len(data) && werr == nil; off += 64 << 10 {
				_, werr = w.Write(data[off : off+64<<10])
			}
			cerr := w.Close()
			if !errors.Is(werr, errSink) && !errors.Is(cerr, errSink) {
				t.Errorf("Write err %v, Close err %v: the sink's error was lost", werr, cerr)
			}
		})
	}
}
