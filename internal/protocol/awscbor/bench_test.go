package awscbor

import (
	"encoding/base64"
	"strconv"
	"testing"
)

// putRecordsBody is a PutRecords request of n records of size bytes.
func putRecordsBody(n, size int) []byte {
	data := make([]byte, size)
	b := AppendMapHeader(nil, 2)
	b = AppendText(b, "StreamName")
	b = AppendText(b, "bench")
	b = AppendText(b, "Records")
	b = AppendArrayHeader(b, n)
	for i := range n {
		b = AppendMapHeader(b, 2)
		b = AppendText(b, "Data")
		b = AppendBytes(b, data)
		b = AppendText(b, "PartitionKey")
		b = AppendText(b, "pk-"+strconv.Itoa(i))
	}
	return b
}

func BenchmarkToJSONPutRecords(b *testing.B) {
	body := putRecordsBody(500, 100)
	out := make([]byte, 0, 2*len(body))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = ToJSON(out[:0], body, testShape); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N*500), "ns/record")
}

func BenchmarkFromJSONGetRecords(b *testing.B) {
	data := base64.StdEncoding.EncodeToString(make([]byte, 100))
	js := []byte(`{"Records":[`)
	for i := range 500 {
		if i > 0 {
			js = append(js, ',')
		}
		js = append(js, `{"When":1700000000.123,"Data":"`+data+`","PartitionKey":"pk-`+strconv.Itoa(i)+`"}`...)
	}
	js = append(js, "]}"...)
	out := make([]byte, 0, len(js))
	b.SetBytes(int64(len(js)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = FromJSON(out[:0], js, testShape); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N*500), "ns/record")
}

func BenchmarkDecode(b *testing.B) {
	body := putRecordsBody(500, 100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}
