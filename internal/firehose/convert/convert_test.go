package convert

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
)

var allTypes = []Column{
	{"s", "string"}, {"c", "CHAR(5)"}, {"v", "varchar(3)"}, {"b", "boolean"},
	{"ti", "tinyint"}, {"si", "smallint"}, {"i", "int"}, {"bi", "bigint"},
	{"f", "float"}, {"d", "double"}, {"dec", "decimal(10,2)"}, {"bigdec", "decimal(38,6)"},
	{"dt", "date"}, {"ts", "timestamp"}, {"bin", "binary"},
	{"arr", "array<int>"}, {"m", "map<string,bigint>"}, {"st", "struct<z:string,a:int>"},
	{"nested", "array<struct<x:int,tags:array<string>>>"},
}

const fullRow = `{"s":"hello","c":"abcdefg","v":"héllo","b":true,"ti":127,"si":-300,"i":2147483647,
"bi":9007199254740993,"f":1.5,"d":-2.25,"dec":"12345.678","bigdec":-1234567890123456789012.5,
"dt":"2020-02-29","ts":"2017-02-07T15:13:01.39256Z","bin":"aGVsbG8=","arr":[1,2,3],
"m":{"b":2,"a":1},"st":{"A":7,"Z":"zed"},"nested":[{"x":1,"tags":["p","q"]},{"x":2,"tags":[]}]}`

func TestAllTypesReadBackByArrow(t *testing.T) {
	c := mustNew(t, allTypes, config(nil, nil, nil))
	out, failed, err := c.Convert(records(
		fullRow,
		`{"s":null,"arr":null,"st":{"z":null},"nested":[null]}`,
		`{"i":1}{"i":2}`,
	))
	if err != nil || len(failed) != 0 {
		t.Fatalf("Convert: err %v, failed %d: %s", err, len(failed), failedLines(failed))
	}
	pf, rec := readBack(t, out)
	if rec.NumRows() != 4 {
		t.Fatalf("rows: got %d, want 4 (3 records, the last with 2 objects)", rec.NumRows())
	}

	// Columns keep the Glue order, struct fields their declared order.
	var names []string
	for _, f := range rec.Schema().Fields() {
		names = append(names, f.Name)
	}
	var want []string
	for _, col := range allTypes {
		want = append(want, col.Name)
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("column order: got %v, want %v", names, want)
	}
	st := rec.Schema().Field(rec.Schema().FieldIndices("st")[0]).Type.(*arrow.StructType)
	if st.Field(0).Name != "z" || st.Field(1).Name != "a" {
		t.Fatalf("struct field order: got %v", st)
	}

	checkPhysical(t, pf)

	// Row 0: every type with a value.
	checks := []struct{ col, want string }{
		{"s", `"hello"`}, {"c", `"abcde"`}, {"v", `"hél"`}, {"b", `true`},
		{"ti", `127`}, {"si", `-300`}, {"i", `2147483647`}, {"bi", `9007199254740993`},
		{"f", `1.5`}, {"d", `-2.25`}, {"arr", `[1,2,3]`},
		{"m", `[{"key":"a","value":1},{"key":"b","value":2}]`},
		{"st", `{"z":"zed","a":7}`},
		{"nested", `[{"x":1,"tags":["p","q"]},{"x":2,"tags":[]}]`},
	}
	for _, ch := range checks {
		if got := cell(t, column(t, rec, ch.col), 0); !jsonEqual(got, ch.want) {
			t.Errorf("row 0 %s: got %s, want %s", ch.col, got, ch.want)
		}
	}
	if got := column(t, rec, "bin").(*array.Binary).Value(0); string(got) != "hello" {
		t.Errorf("binary: got %q", got)
	}
	if got := column(t, rec, "dec").(*array.Decimal128).Value(0).BigInt().String(); got != "1234568" {
		t.Errorf("decimal(10,2) of 12345.678: unscaled got %s, want 1234568 (half-up)", got)
	}
	if got := column(t, rec, "bigdec").(*array.Decimal128).Value(0).BigInt().String(); got != "-1234567890123456789012500000" {
		t.Errorf("decimal(38,6): unscaled got %s", got)
	}
	wantDays := time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC).Unix() / 86400
	if got := column(t, rec, "dt").(*array.Date32).Value(0); int64(got) != wantDays {
		t.Errorf("date: got %d days, want %d", got, wantDays)
	}
	tsCol := column(t, rec, "ts").(*array.Timestamp)
	wantTS := time.Date(2017, 2, 7, 15, 13, 1, 392560000, time.UTC)
	unit := tsCol.DataType().(*arrow.TimestampType).Unit
	if got := tsCol.Value(0).ToTime(unit); !got.Equal(wantTS) {
		t.Errorf("timestamp: got %v, want %v", got, wantTS)
	}

	// Row 1: nulls, a missing column, a null struct member, a null element.
	for _, col := range []string{"s", "c", "b", "i", "dec", "dt", "ts", "bin", "arr", "m"} {
		if got := cell(t, column(t, rec, col), 1); got != "null" {
			t.Errorf("row 1 %s: got %s, want null", col, got)
		}
	}
	if got := cell(t, column(t, rec, "st"), 1); !jsonEqual(got, `{"z":null,"a":null}`) {
		t.Errorf("row 1 st: got %s", got)
	}
	if got := cell(t, column(t, rec, "nested"), 1); got != `[null]` {
		t.Errorf("row 1 nested: got %s", got)
	}
	// Rows 2 and 3: one record holding two concatenated objects.
	if a, b := cell(t, column(t, rec, "i"), 2), cell(t, column(t, rec, "i"), 3); a != "1" || b != "2" {
		t.Errorf("concatenated objects: got %s, %s", a, b)
	}
}

// checkPhysical asserts the Parquet types arrow-go sees in the footer.
func checkPhysical(t *testing.T, pf *file.Reader) {
	t.Helper()
	sc := pf.MetaData().Schema
	cols := map[string]*schema.Column{}
	for i := 0; i < sc.NumColumns(); i++ {
		cols[sc.Column(i).Path()] = sc.Column(i)
	}
	phys := map[string]parquet.Type{
		"s": parquet.Types.ByteArray, "c": parquet.Types.ByteArray, "v": parquet.Types.ByteArray, "b": parquet.Types.Boolean,
		"ti": parquet.Types.Int32, "si": parquet.Types.Int32, "i": parquet.Types.Int32,
		"bi": parquet.Types.Int64, "f": parquet.Types.Float, "d": parquet.Types.Double,
		"dec": parquet.Types.FixedLenByteArray, "bigdec": parquet.Types.FixedLenByteArray,
		"dt": parquet.Types.Int32, "ts": parquet.Types.Int96, "bin": parquet.Types.ByteArray,
		"arr.list.element": parquet.Types.Int32, "m.key_value.key": parquet.Types.ByteArray,
		"m.key_value.value": parquet.Types.Int64, "st.z": parquet.Types.ByteArray, "st.a": parquet.Types.Int32,
		"nested.list.element.x": parquet.Types.Int32, "nested.list.element.tags.list.element": parquet.Types.ByteArray,
	}
	if len(cols) != len(phys) {
		t.Errorf("leaf columns: got %d, want %d", len(cols), len(phys))
	}
	for path, want := range phys {
		col, ok := cols[path]
		if !ok {
			t.Errorf("leaf %s missing; have %v", path, keys(cols))
			continue
		}
		if col.PhysicalType() != want {
			t.Errorf("%s physical type: got %s, want %s", path, col.PhysicalType(), want)
		}
	}
	if _, ok := cols["s"].LogicalType().(schema.StringLogicalType); !ok {
		t.Errorf("s logical type: got %s, want String", cols["s"].LogicalType())
	}
	if it, ok := cols["ti"].LogicalType().(intLogical); !ok || it.BitWidth() != 8 || !it.IsSigned() {
		t.Errorf("ti logical type: got %s, want Int(8, signed)", cols["ti"].LogicalType())
	}
	if it, ok := cols["si"].LogicalType().(intLogical); !ok || it.BitWidth() != 16 {
		t.Errorf("si logical type: got %s, want Int(16, signed)", cols["si"].LogicalType())
	}
	for path, pr := range map[string][3]int{"dec": {10, 2, 5}, "bigdec": {38, 6, 16}} {
		dt, ok := cols[path].LogicalType().(decimalLogical)
		if !ok || int(dt.Precision()) != pr[0] || int(dt.Scale()) != pr[1] || cols[path].TypeLength() != pr[2] {
			t.Errorf("%s: got %s length %d, want Decimal(%d,%d) in %d bytes", path, cols[path].LogicalType(), cols[path].TypeLength(), pr[0], pr[1], pr[2])
		}
	}
	if _, ok := cols["dt"].LogicalType().(schema.DateLogicalType); !ok {
		t.Errorf("dt logical type: got %s, want Date", cols["dt"].LogicalType())
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func failedLines(f []dest.Failure) string {
	var b strings.Builder
	for _, x := range f {
		b.Write(x.Line)
		b.WriteByte('\n')
	}
	return b.String()
}

type errorLine struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	LastErrorCode          string `json:"lastErrorCode"`
	LastErrorMessage       string `json:"lastErrorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	RawData                string `json:"rawData"`
	SequenceNumber         string `json:"sequenceNumber"`
	SubSequenceNumber      *int64 `json:"subSequenceNumber"`
	DataCatalogTable       struct {
		CatalogID    string `json:"catalogId"`
		DatabaseName string `json:"databaseName"`
		TableName    string `json:"tableName"`
		Region       string `json:"region"`
		VersionID    string `json:"versionId"`
		CatalogArn   string `json:"catalogArn"`
	} `json:"dataCatalogTable"`
}

func TestBadRecordsFailAloneAndGoodRowsSurvive(t *testing.T) {
	c := mustNew(t, []Column{{"id", "int"}, {"name", "string"}}, config(nil, nil, nil))
	c.now = func() time.Time { return time.UnixMilli(1_800_000_000_000) }
	recs := records(
		`{"id":1,"name":"one"}`,
		`[{"id":2}]`,             // a JSON array
		`42`,                     // a primitive
		`{"id":3,`,               // malformed JSON
		`{"id":"abc"}`,           // cannot be an int
		`{"id":4}{"id":"x"}`,     // second object bad: whole record fails
		`   `,                    // empty
		`{"ID":5,"NAME":"five"}`, // case-insensitive keys
	)
	recs[4].SequenceNumber = "49590338271490256608559692538361571095921575989136588898"
	recs[4].SubSequenceNumber = "3"
	out, failed, err := c.Convert(recs)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	_, rec := readBack(t, out)
	if got := cell(t, column(t, rec, "id"), 0) + "," + cell(t, column(t, rec, "id"), 1); rec.NumRows() != 2 || got != "1,5" {
		t.Fatalf("surviving rows: %d rows, ids %s; want ids 1,5", rec.NumRows(), got)
	}
	if got := cell(t, column(t, rec, "name"), 1); got != `"five"` {
		t.Errorf("case-insensitive name: got %s", got)
	}
	wantCodes := map[string]string{
		"b": CodeMalformedData, "c": CodeMalformedData, "d": CodeParseError,
		"e": CodeMalformedData, "f": CodeMalformedData, "g": CodeMalformedData,
	}
	if len(failed) != len(wantCodes) {
		t.Fatalf("failed: got %d, want %d:\n%s", len(failed), len(wantCodes), failedLines(failed))
	}
	for _, f := range failed {
		var line errorLine
		dec := json.NewDecoder(strings.NewReader(string(f.Line)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&line); err != nil {
			t.Fatalf("error line %s: %v", f.Line, err)
		}
		var orig Record
		for _, r := range recs {
			if r.ID == f.Record.ID {
				orig = r
			}
		}
		if line.LastErrorCode != wantCodes[f.Record.ID] {
			t.Errorf("record %s: code %s, want %s (%s)", f.Record.ID, line.LastErrorCode, wantCodes[f.Record.ID], line.LastErrorMessage)
		}
		raw, _ := base64.StdEncoding.DecodeString(line.RawData)
		if string(raw) != string(orig.Data) || string(f.Record.Data) != string(orig.Data) {
			t.Errorf("record %s: rawData %q, want %q", f.Record.ID, raw, orig.Data)
		}
		if line.AttemptsMade != 1 || line.ArrivalTimestamp != orig.ArrivalMs || line.AttemptEndingTimestamp != 1_800_000_000_000 {
			t.Errorf("record %s: attempts %d arrival %d ending %d", f.Record.ID, line.AttemptsMade, line.ArrivalTimestamp, line.AttemptEndingTimestamp)
		}
		tbl := line.DataCatalogTable
		if tbl.CatalogID != "123456789012" || tbl.DatabaseName != "db" || tbl.TableName != "events" ||
			tbl.Region != "us-east-1" || tbl.VersionID != "LATEST" || tbl.CatalogArn != "arn:aws:glue:us-east-1:123456789012:catalog" {
			t.Errorf("dataCatalogTable: %+v", tbl)
		}
		if line.LastErrorMessage == "" {
			t.Errorf("record %s: empty lastErrorMessage", f.Record.ID)
		}
	}
	var e errorLine
	_ = json.Unmarshal(failed[3].Line, &e)
	if e.SequenceNumber != recs[4].SequenceNumber || e.SubSequenceNumber == nil || *e.SubSequenceNumber != 3 {
		t.Errorf("sequence numbers not carried: %s", failed[3].Line)
	}
	if !strings.HasPrefix(e.LastErrorMessage, "Data does not match the schema.") {
		t.Errorf("mismatch message: %q", e.LastErrorMessage)
	}
}

func TestNothingConvertedGivesNoFile(t *testing.T) {
	c := mustNew(t, []Column{{"id", "int"}}, config(nil, nil, nil))
	out, failed, err := c.Convert(records(`[1]`, `{"id":"no"}`))
	if err != nil || out != nil || len(failed) != 2 {
		t.Fatalf("got out %d bytes, %d failed, err %v; want nil, 2, nil", len(out), len(failed), err)
	}
	out, failed, err = c.Convert(nil)
	if err != nil || out != nil || failed != nil {
		t.Fatalf("empty batch: out %v failed %v err %v", out, failed, err)
	}
}

func TestOpenXOptions(t *testing.T) {
	cols := []Column{{"id", "int"}, {"a_b", "string"}, {"ts", "timestamp"}, {"flag", "boolean"}, {"amount", "double"}}
	tests := []struct {
		name  string
		serde *firehoseapi.OpenXJsonSerDe
		in    string
		want  map[string]string
	}{
		{"defaults: case-insensitive, strings as numbers", &firehoseapi.OpenXJsonSerDe{},
			`{"Id":"42","A_B":"x","FLAG":"TRUE","amount":"2.5"}`,
			map[string]string{"id": "42", "a_b": `"x"`, "flag": "true", "amount": "2.5"}},
		{"case-sensitive", &firehoseapi.OpenXJsonSerDe{CaseInsensitive: ptr(false)},
			`{"Id":1,"id":2,"A_B":"x"}`,
			map[string]string{"id": "2", "a_b": "null"}},
		{"dots to underscores", &firehoseapi.OpenXJsonSerDe{ConvertDotsInJsonKeysToUnderscores: ptr(true)},
			`{"a.b":"dotted"}`, map[string]string{"a_b": `"dotted"`}},
		{"dots kept", &firehoseapi.OpenXJsonSerDe{},
			`{"a.b":"dotted"}`, map[string]string{"a_b": "null"}},
		{"column to key mapping", &firehoseapi.OpenXJsonSerDe{ColumnToJsonKeyMappings: map[string]string{"ts": "timestamp", "id": "Identifier"}},
			`{"timestamp":1518033528,"identifier":9,"ts":"ignored"}`, map[string]string{"id": "9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, cols, config(tt.serde, nil, nil))
			out, failed, err := c.Convert(records(tt.in))
			if err != nil || len(failed) != 0 {
				t.Fatalf("err %v failed %s", err, failedLines(failed))
			}
			_, rec := readBack(t, out)
			for col, want := range tt.want {
				if got := cell(t, column(t, rec, col), 0); got != want {
					t.Errorf("%s: got %s, want %s", col, got, want)
				}
			}
		})
	}
	// The mapping reads epoch seconds from "timestamp".
	c := mustNew(t, cols, config(&firehoseapi.OpenXJsonSerDe{ColumnToJsonKeyMappings: map[string]string{"ts": "timestamp"}}, nil, nil))
	out, _, _ := c.Convert(records(`{"timestamp":1518033528}`))
	_, rec := readBack(t, out)
	ts := column(t, rec, "ts").(*array.Timestamp)
	if got := ts.Value(0).ToTime(ts.DataType().(*arrow.TimestampType).Unit); !got.Equal(time.Unix(1518033528, 0)) {
		t.Errorf("mapped timestamp: got %v", got)
	}
}

func TestOpenXTimestampForms(t *testing.T) {
	c := mustNew(t, []Column{{"ts", "timestamp"}}, config(nil, nil, nil))
	cases := map[string]time.Time{
		`"2017-02-07T15:13:01.39256Z"`:     time.Date(2017, 2, 7, 15, 13, 1, 392560000, time.UTC),
		`"2017-02-07T15:13:01.123456789Z"`: time.Date(2017, 2, 7, 15, 13, 1, 123456789, time.UTC),
		`"2017-02-07T15:13:01Z"`:           time.Date(2017, 2, 7, 15, 13, 1, 0, time.UTC),
		`"2017-2-7 15:13:01.1"`:            time.Date(2017, 2, 7, 15, 13, 1, 100000000, time.UTC),
		`"2017-02-07 15:13:01"`:            time.Date(2017, 2, 7, 15, 13, 1, 0, time.UTC),
		`1518033528`:                       time.Unix(1518033528, 0),
		`1518033528123`:                    time.UnixMilli(1518033528123),
		`1518033528.5`:                     time.Unix(1518033528, 500000000),
		`"1518033528"`:                     time.Unix(1518033528, 0),
		`"1969-12-31 23:59:59.5"`:          time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC),
	}
	var in []string
	var want []time.Time
	for k, v := range cases {
		in = append(in, `{"ts":`+k+`}`)
		want = append(want, v)
	}
	out, failed, err := c.Convert(records(in...))
	if err != nil || len(failed) != 0 {
		t.Fatalf("err %v failed %s", err, failedLines(failed))
	}
	_, rec := readBack(t, out)
	ts := column(t, rec, "ts").(*array.Timestamp)
	unit := ts.DataType().(*arrow.TimestampType).Unit
	for i := range want {
		if got := ts.Value(i).ToTime(unit); !got.Equal(want[i]) {
			t.Errorf("%s: got %v, want %v", in[i], got.UTC(), want[i].UTC())
		}
	}
	_, failed, _ = c.Convert(records(`{"ts":"yesterday"}`, `{"ts":"2017-13-01 00:00:00"}`, `{"ts":true}`))
	if len(failed) != 3 {
		t.Errorf("bad timestamps: %d failed, want 3", len(failed))
	}
}

type intLogical interface {
	BitWidth() int8
	IsSigned() bool
}

type decimalLogical interface {
	Precision() int32
	Scale() int32
}

// jsonEqual compares two JSON texts as values (object key order aside).
func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
