package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/freshet/freshet/internal/api/firehoseapi"
)

// readBack opens a Parquet file with apache/arrow-go, a reader independent
// of the writer, and returns the file reader and its single record batch.
func readBack(t *testing.T, data []byte) (*file.Reader, arrow.RecordBatch) {
	t.Helper()
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("arrow-go cannot open the file: %v", err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("pqarrow.NewFileReader: %v", err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("ReadTable: %v", err)
	}
	t.Cleanup(tbl.Release)
	tr := array.NewTableReader(tbl, max(tbl.NumRows(), 1))
	t.Cleanup(tr.Release)
	if !tr.Next() {
		t.Fatalf("the table has no record batch")
	}
	rec := tr.RecordBatch()
	rec.Retain()
	t.Cleanup(rec.Release)
	return pf, rec
}

// column returns a record's column by name.
func column(t *testing.T, rec arrow.RecordBatch, name string) arrow.Array {
	t.Helper()
	idx := rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("column %q not found in %v", name, rec.Schema())
	}
	return rec.Column(idx[0])
}

// cell is a value as JSON text, as arrow-go marshals it ("null" for null).
func cell(t *testing.T, a arrow.Array, i int) string {
	t.Helper()
	b, err := json.Marshal(a.GetOneForMarshal(i))
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

func ptr[T any](v T) *T { return &v }

// config builds a conversion configuration.
func config(openX *firehoseapi.OpenXJsonSerDe, hive *firehoseapi.HiveJsonSerDe, pq *firehoseapi.ParquetSerDe) *firehoseapi.DataFormatConversionConfiguration {
	if openX == nil && hive == nil {
		openX = &firehoseapi.OpenXJsonSerDe{}
	}
	if pq == nil {
		pq = &firehoseapi.ParquetSerDe{}
	}
	return &firehoseapi.DataFormatConversionConfiguration{
		SchemaConfiguration: &firehoseapi.SchemaConfiguration{
			RoleARN:      ptr("arn:aws:iam::123456789012:role/firehose"),
			CatalogId:    ptr("123456789012"),
			DatabaseName: ptr("db"),
			TableName:    ptr("events"),
			Region:       ptr("us-east-1"),
		},
		InputFormatConfiguration: &firehoseapi.InputFormatConfiguration{
			Deserializer: &firehoseapi.Deserializer{OpenXJsonSerDe: openX, HiveJsonSerDe: hive},
		},
		OutputFormatConfiguration: &firehoseapi.OutputFormatConfiguration{
			Serializer: &firehoseapi.Serializer{ParquetSerDe: pq},
		},
	}
}

func mustNew(t testing.TB, cols []Column, cfg *firehoseapi.DataFormatConversionConfiguration) *Converter {
	t.Helper()
	c, err := New(cols, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func records(data ...string) []Record {
	out := make([]Record, len(data))
	for i, d := range data {
		out[i] = Record{ID: string(rune('a' + i)), Data: []byte(d), ArrivalMs: 1_700_000_000_000 + int64(i)}
	}
	return out
}
