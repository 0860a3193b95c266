package awsjson_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
)

// toAny turns a Value into what encoding/json decodes, numbers as text.
func toAny(v *awsjson.Value) any {
	switch v.Kind() {
	case awsjson.Null:
		return nil
	case awsjson.Bool:
		return v.Bool()
	case awsjson.Number:
		return json.Number(v.Text())
	case awsjson.String:
		return v.Str()
	case awsjson.Array:
		out := []any{}
		for i := range v.Elems() {
			out = append(out, toAny(&v.Elems()[i]))
		}
		return out
	case awsjson.Object:
		out := map[string]any{}
		for i := range v.Elems() {
			m := &v.Elems()[i]
			out[m.Key()] = toAny(m)
		}
		return out
	}
	return "invalid"
}

func stdDecode(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		t.Fatalf("encoding/json rejects %q: %v", s, err)
	}
	return out
}

func TestParseValid(t *testing.T) {
	for _, s := range []string{
		`{}`, `[]`, ` { } `, "\t\r\n{\"a\"\n:\t1 }\n", `null`, `true`, `false`, `0`, `-0`, `1.5`, `-1.5e10`, `1E+2`, `1e-2`,
		`123456789012345678901234567890`, `""`, `"a"`, `"\"\\\/\b\f\n\r\t"`, `"\u00e9\u0041"`, `"\ud83d\ude00"`,
		`"héllo wörld 😀"`, `{"a":[1,{"b":[]},"c",null,true]}`, `[[[[[]]]]]`,
		`{"Records":[{"Data":"QQ==","PartitionKey":"k"}],"StreamName":"s"}`,
		`"12345678\"12345678\\"`, `"0123456789abcdef0123456789abcdef"`,
	} {
		v, err := awsjson.Parse([]byte(s))
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		got, _ := json.Marshal(toAny(v))
		want, _ := json.Marshal(stdDecode(t, s))
		if string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, s := range []string{
		``, ` `, `{`, `}`, `[`, `]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a":1 "b":2}`, `[1 2]`,
		`{a:1}`, `{'a':1}`, `01`, `-`, `1.`, `.5`, `+1`, `1e`, `1e+`, `-a`, `0x10`, `NaN`, `Infinity`, `tru`, `nulll`,
		`"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\tb\"", "\"a\nb\"", "\"\x00\"", `{} {}`, `{}x`, `[] ]`, `"a" "b"`,
		`{"a":1}}`, "\xef\xbb\xbf{}", `{"a" 1}`,
	} {
		v, err := awsjson.Parse([]byte(s))
		if err == nil {
			t.Errorf("%q: parsed as %v", s, toAny(v))
			continue
		}
		e, ok := awserr.As(err)
		if !ok || e.Code != "SerializationException" || e.Message != "" {
			t.Errorf("%q: error %v does not wrap a message-less SerializationException", s, err)
		}
		if !strings.Contains(err.Error(), "offset") {
			t.Errorf("%q: error %q has no offset", s, err)
		}
	}
}

func TestParseDepth(t *testing.T) {
	ok := strings.Repeat("[", awsjson.MaxDepth) + strings.Repeat("]", awsjson.MaxDepth)
	if _, err := awsjson.Parse([]byte(ok)); err != nil {
		t.Errorf("depth %d: %v", awsjson.MaxDepth, err)
	}
	for _, open := range []string{"[", `{"a":`} {
		deep := strings.Repeat(open, 100000)
		if _, err := awsjson.Parse([]byte(deep)); err == nil {
			t.Errorf("depth 100000 of %s accepted", open)
		}
	}
}

func TestParseStrings(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`"\ud83d\ude00"`, "😀"},
		{`"\ud83d"`, "\ufffd"},        // a lone surrogate
		{`"\ude00x"`, "\ufffdx"},      // a lone low surrogate
		{`"\ud83dx"`, "\ufffdx"},      // high surrogate, no pair
		{`"\ud83d\u0041"`, "\ufffdA"}, // high surrogate, non-surrogate escape
		{"\"\xff\xfe\"", "\xff\xfe"},  // invalid UTF-8 passes through
		{`"a\/b"`, "a/b"},
	} {
		v, err := awsjson.Parse([]byte(c.in))
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if v.Str() != c.want {
			t.Errorf("%q: got %q, want %q", c.in, v.Str(), c.want)
		}
	}
}

// Strings without escapes are views of the body; with them, copies.
func TestParseZeroCopy(t *testing.T) {
	body := []byte(`{"plain":"abcdefghij","esc":"a\nb"}`)
	v, err := awsjson.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	inBody := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		start := uintptr(unsafe.Pointer(&body[0]))
		return p >= start && p < start+uintptr(len(body))
	}
	if s := v.Member("plain").Str(); s != "abcdefghij" || !inBody(s) {
		t.Errorf("plain: %q, in body %v", s, inBody(s))
	}
	if s := v.Member("esc").Str(); s != "a\nb" || inBody(s) {
		t.Errorf("esc: %q, in body %v", s, inBody(s))
	}
	if b := v.Member("plain").Bytes(); string(b) != "abcdefghij" {
		t.Errorf("Bytes: %q", b)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		_ = v.Member("plain").Str()
		_ = v.Member("plain").Bytes()
		_, _ = v.Member("esc").Int()
		_ = v.Elems()
	}); allocs != 0 {
		t.Errorf("accessors allocate: %v", allocs)
	}
}

func TestValueAccessors(t *testing.T) {
	v, err := awsjson.Parse([]byte(`{"s":"x","n":-12,"f":2.5,"b":true,"z":null,"a":[1,2,3],"o":{"k":"v"},"d":1,"d":2,"ts":1700000000.1239,"blob":"QUJD"}`))
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind() != awsjson.Object || v.Len() != 11 || v.Kind().String() != "object" {
		t.Fatalf("kind %v len %d", v.Kind(), v.Len())
	}
	if v.Member("missing") != nil || !v.Member("missing").IsNull() || v.Member("missing").Kind() != awsjson.Invalid {
		t.Error("missing member")
	}
	if !v.Member("z").IsNull() || v.Member("z").Kind() != awsjson.Null {
		t.Error("null member")
	}
	if n, ok := v.Member("n").Int(); !ok || n != -12 {
		t.Errorf("Int: %d %v", n, ok)
	}
	if _, ok := v.Member("s").Int(); ok {
		t.Error("Int of a string")
	}
	if f, ok := v.Member("f").Float(); !ok || f != 2.5 {
		t.Errorf("Float: %v %v", f, ok)
	}
	if !v.Member("b").Bool() || v.Member("s").Bool() {
		t.Error("Bool")
	}
	if v.Member("s").Str() != "x" || v.Member("n").Str() != "" || v.Member("n").Text() != "-12" {
		t.Error("Str/Text")
	}
	if a := v.Member("a"); a.Len() != 3 || a.Elems()[2].Text() != "3" || a.Member("x") != nil {
		t.Error("array")
	}
	if o := v.Member("o"); o.Member("k").Str() != "v" || o.Elems()[0].Key() != "k" {
		t.Error("object")
	}
	if d, _ := v.Member("d").Int(); d != 2 {
		t.Errorf("a repeated member: got %d, want the last", d)
	}
	if ts, ok := v.Member("ts").Timestamp(); !ok || !ts.Equal(time.UnixMilli(1700000000123)) || ts.Location() != time.UTC {
		t.Errorf("Timestamp: %v %v", ts, ok)
	}
	if n, ok := v.Member("blob").BlobLen(); !ok || n != 3 {
		t.Errorf("BlobLen: %d %v", n, ok)
	}
	if b, ok := v.Member("blob").AppendBlob([]byte("x")); !ok || string(b) != "xABC" {
		t.Errorf("AppendBlob: %q %v", b, ok)
	}
	if b, ok := v.Member("s").AppendBlob(nil); ok || b != nil {
		t.Error("AppendBlob of a non-base64 string")
	}
	var nilV *awsjson.Value
	if nilV.Len() != 0 || nilV.Elems() != nil || nilV.Str() != "" || nilV.Text() != "" || nilV.Bool() || nilV.Bytes() != nil {
		t.Error("nil Value")
	}
}

func TestInt(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"-0", 0}, {"42", 42}, {"-42", -42}, {"1.9", 1}, {"-1.1", -2}, {"-1.0", -1}, {"0.5", 0}, {"-0.5", -1},
		{"1e3", 1000}, {"1.5e1", 15}, {"15e-1", 1}, {"-15e-1", -2}, {"1E+2", 100}, {"100e-2", 1}, {"0e5", 0},
		{"9223372036854775807", math.MaxInt64}, {"9223372036854775808", math.MaxInt64}, {"-9223372036854775808", math.MinInt64},
		{"-9223372036854775809", math.MinInt64}, {"1e19", math.MaxInt64}, {"-1e300", math.MinInt64},
		{"1e-300", 0}, {"-1e-300", -1}, {"123456789012345678901234567890", math.MaxInt64},
		{"12345678901234567.89", 12345678901234567}, {"1e999999999999999999", math.MaxInt64},
	} {
		v, err := awsjson.Parse([]byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := v.Int(); got != c.want {
			t.Errorf("%s: got %d, want %d", c.in, got, c.want)
		}
	}
}

func TestParserReuse(t *testing.T) {
	var p awsjson.Parser
	for i := 0; i < 3; i++ {
		v, err := p.Parse([]byte(`{"a":[1,2,3],"b":{"c":"d"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if v.Member("b").Member("c").Str() != "d" || v.Member("a").Len() != 3 {
			t.Fatalf("round %d: %v", i, toAny(v))
		}
	}
	if _, err := p.Parse([]byte(`{"a":`)); err == nil {
		t.Fatal("accepted")
	}
	v, err := p.Parse([]byte(`[{"x":1}]`))
	if err != nil || v.Elems()[0].Member("x").Text() != "1" {
		t.Fatalf("after an error: %v", err)
	}
}

func TestParseErrorUnwraps(t *testing.T) {
	_, err := awsjson.Parse([]byte(`{"a":tru}`))
	var e *awserr.Error
	if !errors.As(err, &e) || e.Code != "SerializationException" {
		t.Fatalf("%v", err)
	}
	if want := "awsjson: invalid json at offset 5: invalid literal"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}
