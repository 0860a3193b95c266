package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/config"
	"github.com/freshet/freshet/internal/protocol/awscbor"
)

// BenchmarkPutRecordsCodec measures the server's cost per record of
// PutRecords, 500 records of 100 bytes, through the whole handler stack
// (routing, dispatch, codec, the streams service, the memory store), in
// AWS JSON and in AWS CBOR. The request bodies are built once; an
// iteration is one JSON and one CBOR request, served in alternating blocks
// of each so both see the same store and heap, and each block is timed
// and charged its process CPU (getrusage: background GC included). It
// reports:
//
//	json-ns/record, cbor-ns/record          wall time per record
//	json-cpu-ns/record, cbor-cpu-ns/record  CPU time per record
//	cbor/json, cbor/json-cpu                the ratios (the issue wants ≤ 1.5)
//
// go test ./internal/app -run '^$' -bench PutRecordsCodec -benchtime 2000x
func BenchmarkPutRecordsCodec(b *testing.B) {
	const records, size = 500, 100
	handler, reset := benchServer(b)
	jsonBody, cborBody := putRecordsBodies(records, size)

	// Each codec's request: its own content type, same stream, same data.
	serve := func(body []byte, contentType string) {
		req, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
		req.Header.Set("Content-Type", contentType)
		w := &discardWriter{header: http.Header{}}
		handler.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("%s: status %d", contentType, w.status)
		}
	}
	reset()
	serve(jsonBody, "application/x-amz-json-1.1") // warm pools and caches
	serve(cborBody, awscbor.ContentType)

	const block = 25 // requests per codec between switches: long enough for getrusage
	var wall, cpu [2]time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += block {
		if i > 0 && i%500 == 0 { // bound the memory store
			b.StopTimer()
			reset()
			b.StartTimer()
		}
		n := min(block, b.N-i)
		for c, req := range [2]struct {
			body []byte
			ct   string
		}{{jsonBody, "application/x-amz-json-1.1"}, {cborBody, awscbor.ContentType}} {
			c0, t0 := cpuTime(), time.Now()
			for range n {
				serve(req.body, req.ct)
			}
			wall[c] += time.Since(t0)
			cpu[c] += cpuTime() - c0
		}
	}
	b.StopTimer()
	n := float64(b.N * records)
	b.ReportMetric(float64(wall[0])/n, "json-ns/record")
	b.ReportMetric(float64(wall[1])/n, "cbor-ns/record")
	b.ReportMetric(float64(wall[1])/float64(wall[0]), "cbor/json")
	if cpu[0] > 0 {
		b.ReportMetric(float64(cpu[0])/n, "json-cpu-ns/record")
		b.ReportMetric(float64(cpu[1])/n, "cbor-cpu-ns/record")
		b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "cbor/json-cpu")
	}
}

// benchServer starts Freshet on a memory store and returns its HTTP
// handler and a function that empties the store and recreates the stream.
func benchServer(b *testing.B) (http.Handler, func()) {
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.Memory = true
	cfg.StateDelay = 0
	s, err := Start(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	h := s.http.Handler
	reset := func() {
		if err := s.streams.Reset(context.Background()); err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, "/", bytes.NewBufferString(`{"StreamName":"bench","ShardCount":4}`))
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.CreateStream")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		w := &discardWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("CreateStream: status %d", w.status)
		}
	}
	return h, reset
}

// putRecordsBodies builds the same PutRecords request in JSON and in CBOR:
// n records of size bytes, partition keys spread over the shards.
func putRecordsBodies(n, size int) (jsonBody, cborBody []byte) {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	jsonBody = []byte(`{"StreamName":"bench","Records":[`)
	cborBody = awscbor.AppendMapHeader(nil, 2)
	cborBody = awscbor.AppendText(cborBody, "StreamName")
	cborBody = awscbor.AppendText(cborBody, "bench")
	cborBody = awscbor.AppendText(cborBody, "Records")
	cborBody = awscbor.AppendArrayHeader(cborBody, n)
	for i := range n {
		pk := "pk-" + strconv.Itoa(i)
		if i > 0 {
			jsonBody = append(jsonBody, ',')
		}
		jsonBody = fmt.Appendf(jsonBody, `{"Data":"%s","PartitionKey":"%s"}`, base64.StdEncoding.EncodeToString(data), pk)
		cborBody = awscbor.AppendMapHeader(cborBody, 2)
		cborBody = awscbor.AppendText(cborBody, "Data")
		cborBody = awscbor.AppendBytes(cborBody, data)
		cborBody = awscbor.AppendText(cborBody, "PartitionKey")
		cborBody = awscbor.AppendText(cborBody, pk)
	}
	jsonBody = append(jsonBody, "]}"...)
	return jsonBody, cborBody
}

// discardWriter is the cheapest http.ResponseWriter: it keeps the status.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}

func (w *discardWriter) WriteHeader(status int) { w.status = status }
