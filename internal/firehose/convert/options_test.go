package convert

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

func TestParquetSerDeOptions(t *testing.T) {
	cols := []Column{{"id", "bigint"}, {"name", "string"}}
	tests := []struct {
		name  string
		serde *firehoseapi.ParquetSerDe
		codec compress.Compression
		dict  bool
	}{
		{"default is snappy with dictionary", &firehoseapi.ParquetSerDe{}, compress.Codecs.Snappy, true},
		{"gzip", &firehoseapi.ParquetSerDe{Compression: ptr("GZIP")}, compress.Codecs.Gzip, true},
		{"uncompressed, no dictionary", &firehoseapi.ParquetSerDe{Compression: ptr("UNCOMPRESSED"), EnableDictionaryCompression: ptr(false)}, compress.Codecs.Uncompressed, false},
		{"snappy V2 pages", &firehoseapi.ParquetSerDe{Compression: ptr("SNAPPY"), WriterVersion: ptr("V2"), PageSizeBytes: ptr(int64(65536)), BlockSizeBytes: ptr(int64(64 << 20))}, compress.Codecs.Snappy, true},
	}
	var in []string
	for i := range 500 {
		in = append(in, fmt.Sprintf(`{"id":%d,"name":"name-%d"}`, i, i%7))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, cols, config(nil, nil, tt.serde))
			out, failed, err := c.Convert(records(in...))
			if err != nil || len(failed) != 0 {
				t.Fatalf("err %v failed %d", err, len(failed))
			}
			pf, rec := readBack(t, out)
			if rec.NumRows() != 500 {
				t.Fatalf("rows %d", rec.NumRows())
			}
			ids := column(t, rec, "id").(*array.Int64)
			names := column(t, rec, "name").(*array.String)
			for i := range 500 {
				if ids.Value(i) != int64(i) || names.Value(i) != fmt.Sprintf("name-%d", i%7) {
					t.Fatalf("row %d: %d %q", i, ids.Value(i), names.Value(i))
				}
			}
			rg := pf.MetaData().RowGroup(0)
			for i := range 2 {
				cc, err := rg.ColumnChunk(i)
				if err != nil {
					t.Fatal(err)
				}
				if cc.Compression() != tt.codec {
					t.Errorf("column %d compression: got %s, want %s", i, cc.Compression(), tt.codec)
				}
				hasDict := false
				for _, e := range cc.Encodings() {
					if e == parquet.Encodings.RLEDict || e == parquet.Encodings.PlainDict {
						hasDict = true
					}
				}
				if hasDict != tt.dict {
					t.Errorf("column %d encodings %v: dictionary %v, want %v", i, cc.Encodings(), hasDict, tt.dict)
				}
			}
		})
	}
}

func TestHiveJsonSerDe(t *testing.T) {
	cols := []Column{{"n", "int"}, {"s", "string"}, {"ts", "timestamp"}}
	hive := &firehoseapi.HiveJsonSerDe{TimestampFormats: []string{"millis", "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "dd/MM/yyyy HH:mm"}}
	c := mustNew(t, cols, config(nil, hive, nil))
	out, failed, err := c.Convert(records(
		`{"n":1,"s":"a","ts":1518033528123}`,
		`{"N":2,"ts":"2018-02-07T20:58:48.123+01:00"}`,
		`{"n":3,"ts":"07/02/2018 19:58"}`,
		`{"n":4,"ts":"2018-02-07 19:58:48.5"}`, // java.sql.Timestamp.valueOf fallback
		`{"n":"5"}`,                            // numeric columns refuse strings
		`{"n":6,"s":{"nested":true}}`,          // objects are not stringified
		`{"n":7,"ts":"not a time"}`,
	))
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 3 {
		t.Fatalf("failed %d, want 3:\n%s", len(failed), failedLines(failed))
	}
	for i, id := range []string{"e", "f", "g"} {
		if failed[i].Record.ID != id || !strings.Contains(string(failed[i].Line), CodeMalformedData) {
			t.Errorf("failure %d: %s %s", i, failed[i].Record.ID, failed[i].Line)
		}
	}
	_, rec := readBack(t, out)
	ts := column(t, rec, "ts").(*array.Timestamp)
	unit := ts.DataType().(*arrow.TimestampType).Unit
	want := []time.Time{
		time.UnixMilli(1518033528123),
		time.Date(2018, 2, 7, 19, 58, 48, 123000000, time.UTC),
		time.Date(2018, 2, 7, 19, 58, 0, 0, time.UTC),
		time.Date(2018, 2, 7, 19, 58, 48, 500000000, time.UTC),
	}
	for i, w := range want {
		if got := ts.Value(i).ToTime(unit); !got.Equal(w) {
			t.Errorf("row %d: got %v, want %v", i, got, w)
		}
	}
	if got := cell(t, column(t, rec, "n"), 1); got != "2" {
		t.Errorf("Hive keys are case-insensitive: got %s", got)
	}
}

func TestStringColumnsUnderOpenX(t *testing.T) {
	c := mustNew(t, []Column{{"s", "string"}, {"n", "tinyint"}}, config(nil, nil, nil))
	out, failed, err := c.Convert(records(`{"s":{"k":[1,2]}}`, `{"s":12.50}`, `{"s":false}`, `{"n":128}`, `{"n":1.5}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 2 || failed[0].Record.ID != "d" || failed[1].Record.ID != "e" {
		t.Fatalf("out-of-range and fractional tinyints must fail: %s", failedLines(failed))
	}
	_, rec := readBack(t, out)
	for i, want := range []string{`"{\"k\":[1,2]}"`, `"12.50"`, `"false"`} {
		if got := cell(t, column(t, rec, "s"), i); got != want {
			t.Errorf("row %d: got %s, want %s", i, got, want)
		}
	}
}

func TestNewRejects(t *testing.T) {
	cols := []Column{{"a", "int"}}
	base := func() *firehoseapi.DataFormatConversionConfiguration { return config(nil, nil, nil) }
	tests := []struct {
		name   string
		cols   []Column
		mutate func(*firehoseapi.DataFormatConversionConfiguration)
		msg    string
	}{
		{"ORC", cols, func(c *firehoseapi.DataFormatConversionConfiguration) {
			c.OutputFormatConfiguration.Serializer = &firehoseapi.Serializer{OrcSerDe: &firehoseapi.OrcSerDe{}}
		}, "ORC output is not supported yet"},
		{"two deserializers", cols, func(c *firehoseapi.DataFormatConversionConfiguration) {
			c.InputFormatConfiguration.Deserializer.HiveJsonSerDe = &firehoseapi.HiveJsonSerDe{}
		}, "More than one deserializer specified. Only one may be chosen."},
		{"no deserializer", cols, func(c *firehoseapi.DataFormatConversionConfiguration) {
			c.InputFormatConfiguration.Deserializer = &firehoseapi.Deserializer{}
		}, "Deserializer must not be null"},
		{"two serializers", cols, func(c *firehoseapi.DataFormatConversionConfiguration) {
			c.OutputFormatConfiguration.Serializer.OrcSerDe = &firehoseapi.OrcSerDe{}
		}, "More than one serializer specified. Only one may be chosen."},
		{"no serializer", cols, func(c *firehoseapi.DataFormatConversionConfiguration) {
			c.OutputFormatConfiguration.Serializer = nil
		}, "Serializer must not be null"},
		{"no schema", cols, func(c *firehoseapi.DataFormatConversionConfiguration) { c.SchemaConfiguration = nil },
			"SchemaConfiguration must not be null"},
		{"bad type", []Column{{"a", "uniontype<int,string>"}}, func(*firehoseapi.DataFormatConversionConfiguration) {}, `Column "a"`},
		{"no columns", nil, func(*firehoseapi.DataFormatConversionConfiguration) {}, "no columns"},
		{"bad compression", cols, func(c *firehoseapi.DataFormatConversionConfiguration) {
			c.OutputFormatConfiguration.Serializer.ParquetSerDe.Compression = ptr("ZSTD")
		}, "Compression"},
		{"bad joda letter", cols, func(c *firehoseapi.DataFormatConversionConfiguration) {
			c.InputFormatConfiguration.Deserializer = &firehoseapi.Deserializer{HiveJsonSerDe: &firehoseapi.HiveJsonSerDe{TimestampFormats: []string{"yyyy-ww"}}}
		}, "TimestampFormats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base()
			tt.mutate(cfg)
			_, err := New(tt.cols, cfg)
			e, ok := awserr.As(err)
			if !ok || e.Code != "InvalidArgumentException" || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("got %v, want InvalidArgumentException containing %q", err, tt.msg)
			}
		})
	}
}

func TestParseType(t *testing.T) {
	good := map[string]string{
		"STRING":                              "string",
		"Decimal(38, 6)":                      "decimal(38,6)",
		"decimal":                             "decimal(10,0)",
		"array< map<string, struct<a:int>> >": "array<map<string,struct<a:int>>>",
		"struct<B:bigint,a:array<date>>":      "struct<B:bigint,a:array<date>>",
		"varchar(65535)":                      "varchar(65535)",
		"char(1)":                             "char(1)",
	}
	for in, want := range good {
		typ, err := parseType(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := typeString(typ); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "strin", "decimal(39,0)", "decimal(5,6)", "char(256)", "varchar", "array<int", "map<array<int>,int>", "struct<a:int,A:int>", "int extra"} {
		if _, err := parseType(bad); err == nil {
			t.Errorf("%q: parsed, want an error", bad)
		}
	}
}

// typeString prints a parsed type back, independently of the parser.
func typeString(t *hiveType) string {
	names := map[kind]string{kString: "string", kBoolean: "boolean", kTinyint: "tinyint", kSmallint: "smallint",
		kInt: "int", kBigint: "bigint", kFloat: "float", kDouble: "double", kDate: "date", kTimestamp: "timestamp", kBinary: "binary"}
	switch t.kind {
	case kChar:
		return fmt.Sprintf("char(%d)", t.length)
	case kVarchar:
		return fmt.Sprintf("varchar(%d)", t.length)
	case kDecimal:
		return fmt.Sprintf("decimal(%d,%d)", t.precision, t.scale)
	case kArray:
		return "array<" + typeString(t.elem) + ">"
	case kMap:
		return "map<" + typeString(t.key) + "," + typeString(t.value) + ">"
	case kStruct:
		var parts []string
		for _, f := range t.fields {
			parts = append(parts, f.name+":"+typeString(f.typ))
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	return names[t.kind]
}

func TestDecimalEdges(t *testing.T) {
	c := mustNew(t, []Column{{"d", "decimal(5,2)"}}, config(nil, nil, nil))
	out, failed, err := c.Convert(records(`{"d":-0.005}`, `{"d":999.994}`, `{"d":999.995}`, `{"d":"1e2"}`, `{"d":-128.5}`))
	if err != nil || len(failed) != 0 {
		t.Fatalf("err %v failed %s", err, failedLines(failed))
	}
	_, rec := readBack(t, out)
	d := column(t, rec, "d").(*array.Decimal128)
	// Half away from zero; 999.995 rounds to 1000.00, beyond precision 5: null like Hive.
	for i, want := range []string{"-1", "99999", "", "10000", "-12850"} {
		got := ""
		if d.IsValid(i) {
			got = d.Value(i).BigInt().String()
		}
		if got != want {
			t.Errorf("row %d: unscaled %q, want %q", i, got, want)
		}
	}
}
