package awscbor

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rfcExamples are RFC 8949 Appendix A's examples that use preferred
// serialization, as (diagnostic notation, encoding).
var rfcExamples = []struct{ diag, hex string }{
	// major type 0
	{"0", "00"}, {"1", "01"}, {"10", "0a"}, {"23", "17"}, {"24", "1818"}, {"25", "1819"},
	{"100", "1864"}, {"1000", "1903e8"}, {"1000000", "1a000f4240"},
	{"1000000000000", "1b000000e8d4a51000"}, {"18446744073709551615", "1bffffffffffffffff"},
	// major type 1
	{"-18446744073709551616", "3bffffffffffffffff"}, {"-1", "20"}, {"-10", "29"}, {"-100", "3863"}, {"-1000", "3903e7"},
	// floats of every width
	{"0.0", "f90000"}, {"-0.0", "f98000"}, {"1.0", "f93c00"}, {"1.1", "fb3ff199999999999a"}, {"1.5", "f93e00"},
	{"65504.0", "f97bff"}, {"100000.0", "fa47c35000"}, {"3.4028234663852886e+38", "fa7f7fffff"},
	{"1.0e+300", "fb7e37e43c8800759c"}, {"5.960464477539063e-08", "f90001"}, {"6.103515625e-05", "f90400"},
	{"-4.0", "f9c400"}, {"-4.1", "fbc010666666666666"},
	{"Infinity", "f97c00"}, {"NaN", "f97e00"}, {"-Infinity", "f9fc00"},
	// simple values
	{"false", "f4"}, {"true", "f5"}, {"null", "f6"}, {"undefined", "f7"}, {"simple(16)", "f0"}, {"simple(255)", "f8ff"},
	// tags
	{`0("2013-03-21T20:04:00Z")`, "c074323031332d30332d32315432303a30343a30305a"},
	{"1(1363896240)", "c11a514b67b0"}, {"1(1363896240.5)", "c1fb41d452d9ec200000"},
	{"23(h'01020304')", "d74401020304"}, {`24(h'6449455446')`, "d818456449455446"},
	{`32("http://www.example.com")`, "d82076687474703a2f2f7777772e6578616d706c652e636f6d"},
	// byte and text strings
	{"h''", "40"}, {"h'01020304'", "4401020304"},
	{`""`, "60"}, {`"a"`, "6161"}, {`"IETF"`, "6449455446"}, {`"\"\\"`, "62225c"},
	{`"ü"`, "62c3bc"}, {`"水"`, "63e6b0b4"}, {`"𐅑"`, "64f0908591"},
	// arrays and maps
	{"[]", "80"}, {"[1, 2, 3]", "83010203"}, {"[1, [2, 3], [4, 5]]", "8301820203820405"},
	{"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]",
		"98190102030405060708090a0b0c0d0e0f101112131415161718181819"},
	{"{}", "a0"}, {"{1: 2, 3: 4}", "a201020304"}, {`{"a": 1, "b": [2, 3]}`, "a26161016162820203"},
	{`["a", {"b": "c"}]`, "826161a161626163"},
	{`{"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}`, "a56161614161626142616361436164614461656145"},
	// indefinite lengths
	{"(_ h'0102', h'030405')", "5f42010243030405ff"}, {`(_ "strea", "ming")`, "7f657374726561646d696e67ff"},
	{"[_ ]", "9fff"}, {"[_ 1, [2, 3], [_ 4, 5]]", "9f018202039f0405ffff"},
	{"[_ 1, [2, 3], [4, 5]]", "9f01820203820405ff"}, {"[1, [2, 3], [_ 4, 5]]", "83018202039f0405ff"},
	{`{_ "a": 1, "b": [_ 2, 3]}`, "bf61610161629f0203ffff"}, {`["a", {_ "b": "c"}]`, "826161bf61626163ff"},
	{`{_ "Fun": true, "Amt": -2}`, "bf6346756ef563416d7421ff"},
}

func TestDiagnosticNotationRFCExamples(t *testing.T) {
	for _, ex := range rfcExamples {
		want := hx(t, ex.hex)
		got, err := FromDiagnostic(ex.diag)
		if err != nil {
			t.Errorf("FromDiagnostic(%s): %v", ex.diag, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("FromDiagnostic(%s) = %x, want %s", ex.diag, got, ex.hex)
		}
		diag, err := Diagnose(want)
		if err != nil {
			t.Errorf("Diagnose(%s): %v", ex.hex, err)
			continue
		}
		if diag != ex.diag {
			t.Errorf("Diagnose(%s) = %s, want %s", ex.hex, diag, ex.diag)
		}
	}
}

func TestNonPreferredEncodingsDecode(t *testing.T) {
	for _, c := range []struct{ hex, diag string }{
		{"1800", "0"},                   // one-byte argument for a small value
		{"1b0000000000000001", "1"},     // eight-byte argument
		{"fa3fc00000", "1.5"},           // float32 that fits half precision
		{"fb3ff8000000000000", "1.5"},   // float64 that fits half precision
		{"7800", `""`},                  // one-byte length
		{"5a0000000161", "h'61'"},       // four-byte length
		{"9800", "[]"},                  // one-byte count
		{"b900016161f5", `{"a": true}`}, // two-byte count
	} {
		got, err := Diagnose(hx(t, c.hex))
		if err != nil || got != c.diag {
			t.Errorf("Diagnose(%s) = %q, %v; want %q", c.hex, got, err, c.diag)
		}
	}
}

func TestDecodeValues(t *testing.T) {
	big1 := new(big.Int).Lsh(big.NewInt(1), 64) // 2^64
	negBig, _ := new(big.Int).SetString("-18446744073709551617", 10)
	for _, c := range []struct {
		diag string
		want any
	}{
		{"0", uint64(0)},
		{"18446744073709551615", uint64(math.MaxUint64)},
		{"-1", int64(-1)},
		{"-9223372036854775808", int64(math.MinInt64)},
		{"-9223372036854775809", func() any { n, _ := new(big.Int).SetString("-9223372036854775809", 10); return n }()},
		{"h'00ff'", []byte{0, 0xff}},
		{"(_ h'00', h'ff')", []byte{0, 0xff}},
		{"(_ )", []byte{}},
		{`"hi"`, "hi"},
		{`(_ "h", "i")`, "hi"},
		{"[1, -1]", []any{uint64(1), int64(-1)}},
		{"[_ ]", []any{}},
		{`{"a": null, "b": undefined, "c": true, "d": false}`, map[string]any{"a": nil, "b": nil, "c": true, "d": false}},
		{`{"a": 1, "a": 2}`, map[string]any{"a": uint64(2)}},
		{`{_ "a": [_ 1]}`, map[string]any{"a": []any{uint64(1)}}},
		{"1(1700000000123)", Tag{Number: 1, Content: uint64(1700000000123)}},
		{"55799(1)", Tag{Number: 55799, Content: uint64(1)}},
		{"2(h'010000000000000000')", big1},
		{"3(h'010000000000000000')", negBig},
		{"1.5", 1.5},
		{"3.4028234663852886e+38", float64(math.MaxFloat32)},
		{"1.1", 1.1},
	} {
		data, err := FromDiagnostic(c.diag)
		if err != nil {
			t.Fatalf("%s: %v", c.diag, err)
		}
		got, err := Decode(data)
		if err != nil {
			t.Errorf("Decode(%s): %v", c.diag, err)
			continue
		}
		if gb, ok := got.(*big.Int); ok {
			if wb, ok := c.want.(*big.Int); !ok || gb.Cmp(wb) != 0 {
				t.Errorf("Decode(%s) = %v, want %v", c.diag, got, c.want)
			}
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Decode(%s) = %#v, want %#v", c.diag, got, c.want)
		}
	}
}

// isSerialization reports whether err is AWS's SerializationException.
func isSerialization(err error) bool {
	e, ok := awserr.As(err)
	return ok && e.Code == "SerializationException" && e.Status == 400
}

func TestMalformedInput(t *testing.T) {
	for _, c := range []struct{ name, hex string }{
		{"empty", ""},
		{"reserved info 28", "1c"},
		{"reserved info 30", "5e"},
		{"indefinite integer", "1f"},
		{"indefinite tag", "df"},
		{"break at top level", "ff"},
		{"break in a definite array", "81ff"},
		{"truncated argument", "19 01"},
		{"truncated float64", "fb 3ff0"},
		{"string past the end", "45 0102"},
		{"huge string length", "5b ffffffffffffffff 00"},
		{"huge array count", "9b ffffffffffffffff 00"},
		{"huge map count", "bb 7fffffffffffffff 00"},
		{"map count past the end", "a2 6161 01"},
		{"unterminated indefinite array", "9f 01 02"},
		{"unterminated indefinite string", "5f 4101"},
		{"text chunk in a byte string", "5f 6161 ff"},
		{"nested indefinite chunk", "5f 5f ff ff"},
		{"integer key", "a1 01 02"},
		{"byte string key", "a1 4161 02"},
		{"array key", "a1 80 02"},
		{"float key", "a1 f93c00 02"},
		{"simple value 0", "e0"},
		{"simple value 255", "f8ff"},
		{"simple value 24 in two bytes", "f818"},
		{"simple value 20 in two bytes", "f814"},
		{"bignum of an integer", "c2 01"},
		{"trailing data", "01 02"},
		{"tag without content", "c1"},
	} {
		data := hx(t, c.hex)
		if _, err := Decode(data); !isSerialization(err) {
			t.Errorf("Decode(%s): err = %v, want SerializationException", c.name, err)
		}
		// ToJSON reads an empty body as the JSON path does ({}); everything
		// else must fail the same way.
		if len(data) == 0 {
			continue
		}
		if _, err := ToJSON(nil, data, testShape); !isSerialization(err) {
			t.Errorf("ToJSON(%s): err = %v, want SerializationException", c.name, err)
		}
	}
}

func TestTruncatedPrefixes(t *testing.T) {
	full, err := FromDiagnostic(`{"Records": [{"Data": h'00010203', "PartitionKey": "pk", "When": 1(1700000000123)}, ` +
		`{_ "Data": (_ h'01', h'02'), "F": 1.1, "H": 1.5, "S": 100000.0}], "StreamName": "s", "N": -300}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(full); err != nil {
		t.Fatalf("full message: %v", err)
	}
	for i := 1; i < len(full); i++ {
		if _, err := Decode(full[:i]); !isSerialization(err) {
			t.Fatalf("prefix of %d bytes: err = %v, want SerializationException", i, err)
		}
		if _, err := ToJSON(nil, full[:i], testShape); !isSerialization(err) {
			t.Fatalf("ToJSON of a %d-byte prefix: err = %v, want SerializationException", i, err)
		}
		if _, err := Diagnose(full[:i]); !isSerialization(err) {
			t.Fatalf("Diagnose of a %d-byte prefix: err = %v", i, err)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	nest := func(open string, n int, close string) []byte {
		return append(bytes.Repeat(hx(t, open), n), append([]byte{0}, bytes.Repeat(hx(t, close), n)...)...)
	}
	for _, c := range []struct {
		name, open, close string
	}{
		{"arrays", "81", ""},
		{"indefinite arrays", "9f", "ff"},
		{"maps", "a16161", ""},
		{"tags", "c1", ""},
	} {
		ok := nest(c.open, MaxDepth, c.close)
		if _, err := Decode(ok); err != nil {
			t.Errorf("%s: %d levels: %v", c.name, MaxDepth, err)
		}
		if _, err := ToJSON(nil, ok, nil); err != nil {
			t.Errorf("%s: ToJSON %d levels: %v", c.name, MaxDepth, err)
		}
		if _, err := Diagnose(ok); err != nil {
			t.Errorf("%s: Diagnose %d levels: %v", c.name, MaxDepth, err)
		}
		deep := nest(c.open, MaxDepth+1, c.close)
		if _, err := Decode(deep); !isSerialization(err) || !strings.Contains(err.Error(), "nesting too deep") {
			t.Errorf("%s: %d levels: err = %v", c.name, MaxDepth+1, err)
		}
		if _, err := ToJSON(nil, deep, nil); !isSerialization(err) {
			t.Errorf("%s: ToJSON %d levels: err = %v", c.name, MaxDepth+1, err)
		}
		if _, err := Diagnose(deep); !isSerialization(err) {
			t.Errorf("%s: Diagnose %d levels: err = %v", c.name, MaxDepth+1, err)
		}
	}
	// A million nested arrays must fail fast, not exhaust the stack.
	if _, err := Decode(bytes.Repeat([]byte{0x81}, 1<<20)); err == nil {
		t.Error("a million levels decoded")
	}
}

func TestHugeLengthsDoNotAllocate(t *testing.T) {
	data := hx(t, "9b 00ffffffffffffff 00")
	allocs := testing.AllocsPerRun(10, func() { Decode(data) })
	if allocs > 4 {
		t.Errorf("a huge array count cost %v allocations", allocs)
	}
}

func TestEncoders(t *testing.T) {
	var b []byte
	b = AppendMapHeader(b, 2)
	b = AppendText(b, "a")
	b = AppendArrayHeader(b, 5)
	b = AppendInt(b, -1)
	b = AppendInt(b, math.MinInt64)
	b = AppendUint(b, math.MaxUint64)
	b = AppendBool(b, true)
	b = AppendNull(b)
	b = AppendTextBytes(b, []byte("t"))
	b = AppendTag(b, 55799)
	b = AppendBytes(b, []byte{1, 2})
	got, err := Diagnose(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a": [-1, -9223372036854775808, 18446744073709551615, true, null], "t": 55799(h'0102')}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	ts := AppendTimestamp(nil, time.UnixMilli(1700000000123))
	if hex.EncodeToString(ts) != "c11b0000018bcfe5687b" {
		t.Errorf("AppendTimestamp = %x", ts)
	}
	if got := hex.EncodeToString(AppendTimestampMillis(nil, -1)); got != "c120" {
		t.Errorf("AppendTimestampMillis(-1) = %s", got)
	}
}

func TestFloat16Exhaustive(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := float16ToFloat64(uint16(h))
		if math.IsNaN(f) {
			continue
		}
		got, ok := float16Bits(float32(f))
		if !ok || got != uint16(h) {
			t.Fatalf("half %#04x → %v → %#04x, %v", h, f, got, ok)
		}
		enc := AppendFloat(nil, f)
		if len(enc) != 3 {
			t.Fatalf("half %#04x (%v) encoded in %d bytes", h, f, len(enc))
		}
	}
	// Values between halves need wider floats.
	for _, f := range []float64{65505, 1.0 / 3, 5.960464477539063e-08 / 2, 1e-300, math.MaxFloat64, math.SmallestNonzeroFloat32} {
		enc := AppendFloat(nil, f)
		v, err := Decode(enc)
		if err != nil || v.(float64) != f {
			t.Errorf("%v → %x → %v, %v", f, enc, v, err)
		}
		if len(enc) == 3 {
			t.Errorf("%v fit in a half: %x", f, enc)
		}
	}
}

func TestErrorBody(t *testing.T) {
	for _, c := range []struct {
		err  *awserr.Error
		want string
	}{
		{awserr.New("ResourceNotFoundException", "Stream s under account 1 not found."),
			`{"__type": "ResourceNotFoundException", "message": "Stream s under account 1 not found."}`},
		{awserr.Serialization("Unexpected field type"), `{"__type": "SerializationException", "Message": "Unexpected field type"}`},
		{awserr.UnknownOperation(), `{"__type": "UnknownOperationException"}`},
		{nil, `{"__type": "InternalFailure"}`},
	} {
		got, err := Diagnose(ErrorBody(c.err))
		if err != nil || got != c.want {
			t.Errorf("ErrorBody(%v) = %s, %v; want %s", c.err, got, err, c.want)
		}
	}
}

func TestSerializationErrorsKeepTheirReason(t *testing.T) {
	_, err := Decode(hx(t, "a1 01 02"))
	var se *syntaxError
	if !errors.As(err, &se) || se.offset != 1 || !strings.Contains(err.Error(), "offset 1") {
		t.Fatalf("err = %v", err)
	}
	e, _ := awserr.As(err)
	if e.Message != "" {
		t.Errorf("message %q: malformed bodies get a message-less SerializationException, as in JSON", e.Message)
	}
}

func TestDiagnosticNotationErrors(t *testing.T) {
	for _, s := range []string{"", "[1, 2", "{1 2}", "h'0'", "(_ h'01', \"a\")", `"abc`, "-", "simple(25)", "1(2", "[1] 2", "@"} {
		if _, err := FromDiagnostic(s); err == nil {
			t.Errorf("FromDiagnostic(%q) succeeded", s)
		}
	}
}
