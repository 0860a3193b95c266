package compress

import (
	"fmt"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// countingWriter counts the compressed bytes for the ratio metric.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// benchRecords is 8 MiB of 1 KiB JSON records: one object as a Direct PUT
// stream would buffer it. Built by the benchmarks only.
var benchRecords [][]byte

func loadBenchRecords() {
	if benchRecords == nil {
		benchRecords = jsonRecords(8192, 42)
	}
}

// BenchmarkWriter compresses one 8 MiB object record by record, as the S3
// delivery does, and reports MB/s of input and the output/input ratio.
func BenchmarkWriter(b *testing.B) {
	loadBenchRecords()
	for _, name := range allFormats {
		f, _ := Lookup(name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(benchRecords) * 1024))
			b.ReportAllocs()
			var out countingWriter
			for i := 0; i < b.N; i++ {
				w := f.NewWriter(&out)
				for _, r := range benchRecords {
					if _, err := w.Write(r); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(out.n)/float64(int64(b.N)*int64(len(benchRecords)*1024)), "ratio")
		})
	}
}

// BenchmarkGzipLevel is the measurement behind GzipLevel.
func BenchmarkGzipLevel(b *testing.B) {
	loadBenchRecords()
	for _, level := range []int{gzip.StatelessCompression, 1, 2, 3, 4, 5, 6} {
		b.Run(fmt.Sprintf("level=%d", level), func(b *testing.B) {
			b.SetBytes(int64(len(benchRecords) * 1024))
			var out countingWriter
			z, err := gzip.NewWriterLevel(io.Discard, level)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < b.N; i++ {
				z.Reset(&out)
				for _, r := range benchRecords {
					if _, err := z.Write(r); err != nil {
						b.Fatal(err)
					}
				}
				if err := z.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(out.n)/float64(int64(b.N)*int64(len(benchRecords)*1024)), "ratio")
		})
	}
}
