package awscbor

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/freshet/freshet/internal/protocol/shape"
)

// testShape covers every kind the transcoders treat specially.
var (
	blobShape  = &shape.Shape{Name: "Data", Kind: shape.Blob}
	timeShape  = &shape.Shape{Name: "Timestamp", Kind: shape.Timestamp}
	strShape   = &shape.Shape{Name: "S", Kind: shape.String}
	intShape   = &shape.Shape{Name: "I", Kind: shape.Integer}
	dblShape   = &shape.Shape{Name: "D", Kind: shape.Double}
	entryShape = &shape.Shape{Name: "Entry", Kind: shape.Structure, Members: []shape.Member{
		{Name: "Data", Shape: blobShape},
		{Name: "PartitionKey", Shape: strShape},
		{Name: "When", Shape: timeShape},
	}}
	testShape = &shape.Shape{Name: "In", Kind: shape.Structure, Members: []shape.Member{
		{Name: "Records", Shape: &shape.Shape{Name: "List", Kind: shape.List, Member: entryShape}},
		{Name: "Blobs", Shape: &shape.Shape{Name: "Blobs", Kind: shape.List, Member: blobShape}},
		{Name: "Tags", Shape: &shape.Shape{Name: "Tags", Kind: shape.Map, Key: strShape, Value: timeShape}},
		{Name: "StreamName", Shape: strShape},
		{Name: "Data", Shape: blobShape},
		{Name: "Timestamp", Shape: timeShape},
		{Name: "N", Shape: intShape},
		{Name: "D", Shape: dblShape},
	}}
)

func TestToJSON(t *testing.T) {
	for _, c := range []struct{ diag, want string }{
		// blobs: byte strings become base64, base64 text stays text
		{`{"Data": h'68656c6c6f'}`, `{"Data":"aGVsbG8="}`},
		{`{"Data": h''}`, `{"Data":""}`},
		{`{"Data": (_ h'6865', h'6c6c6f')}`, `{"Data":"aGVsbG8="}`},
		{`{"Data": "aGVsbG8="}`, `{"Data":"aGVsbG8="}`},
		{`{"Data": "not base64!"}`, `{"Data":"not base64!"}`},
		{`{"Blobs": [h'00', h'ff']}`, `{"Blobs":["AA==","/w=="]}`},
		{`{"Records": [{"Data": h'01', "PartitionKey": "k"}]}`, `{"Records":[{"Data":"AQ==","PartitionKey":"k"}]}`},
		// byte strings in unknown members are base64 too; in other modeled
		// members they are the text they hold
		{`{"StreamName": h'6869', "Other": h'6869', "N": h'31'}`, `{"StreamName":"hi","Other":"aGk=","N":"1"}`},
		{`{"StreamName": h'22ff0a'}`, "{\"StreamName\":\"\\\"\xff\\n\"}"},
		// timestamps: milliseconds in, epoch seconds out, however written
		{`{"Timestamp": 1(1700000000123)}`, `{"Timestamp":1700000000.123}`},
		{`{"Timestamp": 1(1700000000000)}`, `{"Timestamp":1700000000}`},
		{`{"Timestamp": 1(1700000000100)}`, `{"Timestamp":1700000000.1}`},
		{`{"Timestamp": 1700000000120}`, `{"Timestamp":1700000000.12}`},
		{`{"Timestamp": 1(1700000000123.0)}`, `{"Timestamp":1700000000123e-3}`},
		{`{"Timestamp": 1700000000123.5}`, `{"Timestamp":1700000000123.5e-3}`},
		{`{"Timestamp": 1(-1)}`, `{"Timestamp":-0.001}`},
		{`{"Timestamp": -1500}`, `{"Timestamp":-1.5}`},
		{`{"Timestamp": 0}`, `{"Timestamp":0}`},
		{`{"Timestamp": -18446744073709551616}`, `{"Timestamp":-18446744073709551616e-3}`},
		{`{"Timestamp": 2(h'010000000000000000')}`, `{"Timestamp":18446744073709551616e-3}`},
		{`{"Timestamp": "yesterday"}`, `{"Timestamp":"yesterday"}`},
		{`{"Records": [{"When": 1(1500)}]}`, `{"Records":[{"When":1.5}]}`},
		{`{"Tags": {"a": 1(2000)}}`, `{"Tags":{"a":2}}`},
		// tag 1 outside a timestamp, and other tags, are looked through
		{`{"N": 1(5), "X": 55799(1(7))}`, `{"N":5,"X":7}`},
		// numbers
		{`{"N": 18446744073709551615}`, `{"N":18446744073709551615}`},
		{`{"N": -18446744073709551616}`, `{"N":-18446744073709551616}`},
		{`{"N": -5}`, `{"N":-5}`},
		{`{"N": 3(h'010000000000000000')}`, `{"N":-18446744073709551617}`},
		{`{"D": 1.5, "E": 100000.0, "F": 1.1, "G": 1.0e+300, "H": 5.960464477539063e-08, "Z": -0.0}`,
			`{"D":1.5,"E":100000,"F":1.1,"G":1e+300,"H":5.9604645e-08,"Z":-0}`},
		// simple values
		{`{"A": true, "B": false, "C": null, "D": undefined}`, `{"A":true,"B":false,"C":null,"D":null}`},
		// text is escaped as JSON needs and otherwise passed through
		{`{"StreamName": "a\"b\\c\nd\u0001é水"}`, `{"StreamName":"a\"b\\c\nd\u0001é水"}`},
		{`{_ "StreamName": (_ "s", "1")}`, `{"StreamName":"s1"}`},
		// containers, in the order sent, duplicates kept (the JSON parser keeps the last)
		{`[_ 1, [_ ], {}]`, `[1,[],{}]`},
		{`{"StreamName": "a", "StreamName": "b"}`, `{"StreamName":"a","StreamName":"b"}`},
		{`"top-level text"`, `"top-level text"`},
	} {
		body, err := FromDiagnostic(c.diag)
		if err != nil {
			t.Fatalf("%s: %v", c.diag, err)
		}
		got, err := ToJSON([]byte("prefix:"), body, testShape)
		if err != nil {
			t.Errorf("ToJSON(%s): %v", c.diag, err)
			continue
		}
		if string(got) != "prefix:"+c.want {
			t.Errorf("ToJSON(%s)\n got %s\nwant %s", c.diag, got[len("prefix:"):], c.want)
		}
		if !json.Valid(got[len("prefix:"):]) {
			t.Errorf("ToJSON(%s) is not JSON: %s", c.diag, got)
		}
	}
}

func TestToJSONRejects(t *testing.T) {
	for _, diag := range []string{
		`{"D": NaN}`, `{"D": Infinity}`, `{"Timestamp": 1(-Infinity)}`,
		`{"A": simple(16)}`, `{1: 2}`, `{"a": 1, h'00': 2}`,
	} {
		body, err := FromDiagnostic(diag)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := ToJSON(nil, body, testShape); !isSerialization(err) {
			t.Errorf("ToJSON(%s) = %s, %v; want SerializationException", diag, out, err)
		}
	}
	if out, err := ToJSON([]byte("x"), nil, testShape); err != nil || string(out) != "x" {
		t.Errorf("empty body: %q, %v", out, err)
	}
}

// TestToJSONInvalidUTF8 checks text that is not UTF-8 reaches the JSON
// parser byte for byte, as it would in a JSON body.
func TestToJSONInvalidUTF8(t *testing.T) {
	body := append(AppendMapHeader(nil, 1), AppendText(nil, "StreamName")...)
	body = AppendTextBytes(body, []byte{'a', 0xff, 0xfe, 'b'})
	got, err := ToJSON(nil, body, testShape)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte(`{"StreamName":"a`), 0xff, 0xfe, 'b', '"', '}')
	if !bytes.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFromJSON(t *testing.T) {
	for _, c := range []struct{ json, diag string }{
		{`{"Data":"aGVsbG8="}`, `{"Data": h'68656c6c6f'}`},
		{`{"Data":""}`, `{"Data": h''}`},
		{`{"Data":"bm90IGJhc2U2NA"}`, `{"Data": "bm90IGJhc2U2NA"}`}, // unpadded: kept as text
		{`{"Blobs":["AA==","/w=="]}`, `{"Blobs": [h'00', h'ff']}`},
		{`{"Timestamp":1700000000.123}`, `{"Timestamp": 1(1700000000123)}`},
		{`{"Timestamp":1700000000}`, `{"Timestamp": 1(1700000000000)}`},
		{`{"Timestamp":1700000000.1}`, `{"Timestamp": 1(1700000000100)}`},
		{`{"Timestamp":1700000000.1239}`, `{"Timestamp": 1(1700000000123)}`},
		{`{"Timestamp":1.7e9}`, `{"Timestamp": 1(1700000000000)}`},
		{`{"Timestamp":-0.0015}`, `{"Timestamp": 1(-2)}`},
		{`{"Timestamp":1e300}`, `{"Timestamp": 1(9223372036854775807)}`},
		{`{"Records":[{"When":1.5,"Data":"AQ==","PartitionKey":"k"}]}`, `{"Records": [{"When": 1(1500), "Data": h'01', "PartitionKey": "k"}]}`},
		{`{"Tags":{"a":2}}`, `{"Tags": {"a": 1(2000)}}`},
		{`{"N":5,"M":-5,"Big":18446744073709551615,"Bigger":18446744073709551616,"F":1.5,"E":1e2}`,
			`{"N": 5, "M": -5, "Big": 18446744073709551615, "Bigger": 18446744073709552000.0, "F": 1.5, "E": 100.0}`},
		{`{"D":2}`, `{"D": 2.0}`},
		{` { "StreamName" : "a\"b\\c\/\n\u00e9\ud83d\ude00\ud800" , "X" : [ true , false , null ] } `,
			`{"StreamName": "a\"b\\c/\né😀` + "\uFFFD" + `", "X": [true, false, null]}`},
		{`[]`, `[]`}, {`{}`, `{}`}, {`[[],{}]`, `[[], {}]`},
	} {
		got, err := FromJSON([]byte{0xaa}, []byte(c.json), testShape)
		if err != nil {
			t.Errorf("FromJSON(%s): %v", c.json, err)
			continue
		}
		if got[0] != 0xaa {
			t.Errorf("FromJSON(%s) clobbered dst", c.json)
		}
		diag, err := Diagnose(got[1:])
		if err != nil {
			t.Errorf("FromJSON(%s) = %x: %v", c.json, got, err)
			continue
		}
		if diag != c.diag {
			t.Errorf("FromJSON(%s)\n got %s\nwant %s", c.json, diag, c.diag)
		}
	}
	if out, err := FromJSON(nil, nil, testShape); err != nil || len(out) != 0 {
		t.Errorf("empty body: %x, %v", out, err)
	}
}

func TestFromJSONRejectsMalformed(t *testing.T) {
	for _, s := range []string{`{`, `{"a"}`, `{"a":1,}`, `[1 2]`, `"abc`, `"\x"`, `"\u12"`, `tru`, `-`, `1.`, `1e`, `{"a":1} x`, "\"a\x01\"", `@`} {
		if out, err := FromJSON(nil, []byte(s), testShape); err == nil {
			t.Errorf("FromJSON(%q) = %x", s, out)
		}
	}
}

// TestFromJSONWidensHeads checks containers of every head width.
func TestFromJSONWidensHeads(t *testing.T) {
	for _, n := range []int{23, 24, 255, 256, 65535, 65536} {
		var js strings.Builder
		js.WriteString(`{"Blobs":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				js.WriteByte(',')
			}
			js.WriteString(`"AQ=="`)
		}
		js.WriteString(`],"N":1}`)
		got, err := FromJSON(nil, []byte(js.String()), testShape)
		if err != nil {
			t.Fatal(err)
		}
		v, err := Decode(got)
		if err != nil {
			t.Fatalf("%d items: %v", n, err)
		}
		blobs := v.(map[string]any)["Blobs"].([]any)
		if len(blobs) != n || !bytes.Equal(blobs[n-1].([]byte), []byte{1}) || v.(map[string]any)["N"] != uint64(1) {
			t.Fatalf("%d items: decoded %d", n, len(blobs))
		}
		want := append(AppendMapHeader(nil, 2), AppendText(nil, "Blobs")...)
		want = AppendArrayHeader(want, n)
		if !bytes.HasPrefix(got, want) {
			t.Fatalf("%d items: head %x, want %x", n, got[:len(want)], want)
		}
	}
}

// TestRoundTrip: what FromJSON makes of a response, ToJSON turns back into
// the same JSON, and what ToJSON makes of a request, FromJSON back into the
// same CBOR.
func TestRoundTrip(t *testing.T) {
	for _, diag := range []string{
		`{"Records": [{"Data": h'000102ff', "PartitionKey": "p\"k", "When": 1(1700000000123)}], "StreamName": "s", "N": -1, "D": 1.5}`,
		`{"Tags": {"b": 1(0), "a": 1(1)}, "Timestamp": 1(-1500), "Blobs": []}`,
		`[1, -1, 18446744073709551615, -18446744073709551616, "x", true, false, null, [{}]]`,
	} {
		body, err := FromDiagnostic(diag)
		if err != nil {
			t.Fatal(err)
		}
		js, err := ToJSON(nil, body, testShape)
		if err != nil {
			t.Fatal(err)
		}
		back, err := FromJSON(nil, js, testShape)
		if err != nil {
			t.Fatalf("FromJSON(%s): %v", js, err)
		}
		if !bytes.Equal(back, body) {
			got, _ := Diagnose(back)
			t.Errorf("round trip of %s via %s gave %s", diag, js, got)
		}
		js2, err := ToJSON(nil, back, testShape)
		if err != nil || !bytes.Equal(js, js2) {
			t.Errorf("JSON round trip: %s → %s, %v", js, js2, err)
		}
	}
}

func TestSecondsToMillis(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int64
	}{
		{"0", 0}, {"1", 1000}, {"1.5", 1500}, {"1.0005", 1000}, {"1700000000.123", 1700000000123},
		{"-1.5", -1500}, {"-0.0001", -1}, {"-1.0009", -1001}, {"0.001", 1}, {"1e3", 1000000}, {"1E-3", 1},
		{"1.5e+1", 15000}, {"000.5", 500}, {"9223372036854775807", math.MaxInt64},
		{"-9223372036854775807", math.MinInt64}, {"9223372036854775.807", math.MaxInt64},
		{"-9223372036854775.808", math.MinInt64}, {"1e400", math.MaxInt64}, {"1e-400", 0}, {"-1e-400", -1},
	} {
		if got := secondsToMillis(c.s); got != c.want {
			t.Errorf("secondsToMillis(%s) = %d, want %d", c.s, got, c.want)
		}
	}
}

// TestMillisJSONAgreesWithSeconds: every millisecond value written as JSON
// seconds reads back as itself.
func TestMillisJSONAgreesWithSeconds(t *testing.T) {
	for _, ms := range []int64{0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1700000000123, -1, -999, -1000, -1001, math.MaxInt64, math.MinInt64 + 1} {
		var b []byte
		if ms >= 0 {
			b = appendMillisJSON(nil, false, uint64(ms))
		} else {
			b = appendMillisJSON(nil, true, uint64(-ms-1))
		}
		if got := secondsToMillis(string(b)); got != ms {
			t.Errorf("%d → %s → %d", ms, b, got)
		}
		if _, err := strconv.ParseFloat(string(b), 64); err != nil {
			t.Errorf("%d → %s is not a number", ms, b)
		}
	}
}

func TestBlobLengths(t *testing.T) {
	for n := 0; n < 40; n++ {
		data := bytes.Repeat([]byte{0xa5}, n)
		enc := base64.StdEncoding.EncodeToString(data)
		got := appendBase64Blob(nil, []byte(enc))
		if !bytes.Equal(got, AppendBytes(nil, data)) {
			t.Fatalf("%d bytes: %x", n, got)
		}
	}
	for _, bad := range []string{"A", "AB=C", "====", "AB\nC"} {
		if got := appendBase64Blob(nil, []byte(bad)); !bytes.Equal(got, AppendText(nil, bad)) {
			t.Errorf("%q: %x", bad, got)
		}
	}
}
