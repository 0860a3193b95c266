package eventstream

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// hx decodes hex, ignoring spaces.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// frame builds a message around raw header bytes, computing the lengths
// and CRCs itself: for bytes AppendMessage would refuse to produce.
func frame(headers, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(minLen+len(headers)+len(payload)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(headers)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	b = append(append(b, headers...), payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// prelude builds a 12-byte prelude with a valid CRC.
func prelude(total, hlen uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, total)
	b = binary.BigEndian.AppendUint32(b, hlen)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func equalMessages(a, b *Message) bool {
	if len(a.Headers) != len(b.Headers) || !bytes.Equal(a.Payload, b.Payload) {
		return false
	}
	for i := range a.Headers {
		if a.Headers[i].Name != b.Headers[i].Name || !a.Headers[i].Value.Equal(b.Headers[i].Value) {
			return false
		}
	}
	return true
}

func describe(m *Message) string {
	var sb strings.Builder
	for _, h := range m.Headers {
		fmt.Fprintf(&sb, "%s=%s(%s) ", h.Name, h.Value.Type(), h.Value)
	}
	fmt.Fprintf(&sb, "payload=%q", m.Payload)
	return sb.String()
}

func decodeAll(t testing.TB, b []byte) []*Message {
	t.Helper()
	d := NewDecoder(bytes.NewReader(b))
	var ms []*Message
	for {
		m, err := d.Decode()
		if err == io.EOF {
			return ms
		}
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		ms = append(ms, m)
	}
}

func encode(t testing.TB, m *Message) []byte {
	t.Helper()
	b, err := AppendMessage(nil, m)
	if err != nil {
		t.Fatalf("AppendMessage(%s): %v", describe(m), err)
	}
	return b
}

func uuid0to15() [16]byte {
	var u [16]byte
	for i := range u {
		u[i] = byte(i)
	}
	return u
}

// Known-answer vectors, laid out by hand from the spec. The CRCs were
// computed independently (Python's zlib.crc32). "empty" equals the AWS
// event stream test suite's empty_message vector; "payload only" equals
// the example in the Elixir event_stream package's documentation.
func TestKnownAnswers(t *testing.T) {
	tests := []struct {
		name string
		msg  *Message
		wire []byte
	}{
		{
			name: "empty",
			msg:  &Message{},
			wire: hx(t, "00000010 00000000 05c248eb 7d98c8ff"),
		},
		{
			name: "payload only",
			msg:  &Message{Payload: []byte(`{"foo": "bar"}`)},
			wire: cat(hx(t, "0000001e 00000000 baf2f68a"), []byte(`{"foo": "bar"}`), hx(t, "ae7258e4")),
		},
		{
			name: "event",
			msg:  Event("SubscribeToShardEvent", "application/json", []byte(`{"Records":[]}`)),
			wire: cat(
				hx(t, "00000079 0000005b 6d59d5ab"),
				hx(t, "0d"), []byte(":message-type"), hx(t, "07 0005"), []byte("event"),
				hx(t, "0b"), []byte(":event-type"), hx(t, "07 0015"), []byte("SubscribeToShardEvent"),
				hx(t, "0d"), []byte(":content-type"), hx(t, "07 0010"), []byte("application/json"),
				[]byte(`{"Records":[]}`),
				hx(t, "735b5733"),
			),
		},
		{
			name: "error",
			msg:  Error("InternalFailure", "boom"),
			wire: cat(
				hx(t, "0000005a 0000004a 8188a08d"),
				hx(t, "0d"), []byte(":message-type"), hx(t, "07 0005"), []byte("error"),
				hx(t, "0b"), []byte(":error-code"), hx(t, "07 000f"), []byte("InternalFailure"),
				hx(t, "0e"), []byte(":error-message"), hx(t, "07 0004"), []byte("boom"),
				hx(t, "d78e0703"),
			),
		},
		{
			name: "every header type",
			msg: &Message{
				Headers: []Header{
					{"b1", BoolValue(true)},
					{"b0", BoolValue(false)},
					{"i8", ByteValue(-2)},
					{"i16", Int16Value(0x1234)},
					{"i32", Int32Value(-2)},
					{"i64", Int64Value(-1 << 40)},
					{"bin", BytesValue([]byte{0x00, 0xff})},
					{"str", StringValue("hi")},
					{"ts", TimestampValue(time.UnixMilli(1700000000123))},
					{"id", UUIDValue(uuid0to15())},
				},
				Payload: []byte("x"),
			},
			wire: cat(
				hx(t, "0000006d 0000005c 665d714a"),
				hx(t, "02"), []byte("b1"), hx(t, "00"),
				hx(t, "02"), []byte("b0"), hx(t, "01"),
				hx(t, "02"), []byte("i8"), hx(t, "02 fe"),
				hx(t, "03"), []byte("i16"), hx(t, "03 1234"),
				hx(t, "03"), []byte("i32"), hx(t, "04 fffffffe"),
				hx(t, "03"), []byte("i64"), hx(t, "05 ffffff0000000000"),
				hx(t, "03"), []byte("bin"), hx(t, "06 0002 00ff"),
				hx(t, "03"), []byte("str"), hx(t, "07 0002"), []byte("hi"),
				hx(t, "02"), []byte("ts"), hx(t, "08 0000018bcfe5687b"),
				hx(t, "02"), []byte("id"), hx(t, "09 000102030405060708090a0b0c0d0e0f"),
				[]byte("x"),
				hx(t, "5854227d"),
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encode(t, tt.msg)
			if !bytes.Equal(got, tt.wire) {
				t.Fatalf("encoded\n got %x\nwant %x", got, tt.wire)
			}
			prefix := []byte("prefix")
			got, err := AppendMessage(prefix, tt.msg)
			if err != nil || !bytes.Equal(got, cat(prefix, tt.wire)) {
				t.Fatalf("AppendMessage to a prefix = %x, %v", got, err)
			}
			ms := decodeAll(t, tt.wire)
			if len(ms) != 1 || !equalMessages(ms[0], tt.msg) {
				t.Fatalf("decoded %d messages, first %s; want %s", len(ms), describe(ms[0]), describe(tt.msg))
			}
		})
	}
}

func TestRoundTripHeaderTypes(t *testing.T) {
	long := strings.Repeat("ü", MaxHeaderValueLen/2) + "x" // exactly MaxHeaderValueLen bytes
	tests := []struct {
		name  string
		value HeaderValue
		typ   ValueType
		check func(HeaderValue) bool
	}{
		{"bool true", BoolValue(true), TypeBool, func(v HeaderValue) bool { return v.Bool() }},
		{"bool false", BoolValue(false), TypeBool, func(v HeaderValue) bool { return !v.Bool() }},
		{"byte min", ByteValue(math.MinInt8), TypeByte, func(v HeaderValue) bool { return v.Int() == math.MinInt8 }},
		{"byte max", ByteValue(math.MaxInt8), TypeByte, func(v HeaderValue) bool { return v.Int() == math.MaxInt8 }},
		{"int16 min", Int16Value(math.MinInt16), TypeInt16, func(v HeaderValue) bool { return v.Int() == math.MinInt16 }},
		{"int16 max", Int16Value(math.MaxInt16), TypeInt16, func(v HeaderValue) bool { return v.Int() == math.MaxInt16 }},
		{"int32 min", Int32Value(math.MinInt32), TypeInt32, func(v HeaderValue) bool { return v.Int() == math.MinInt32 }},
		{"int32 max", Int32Value(math.MaxInt32), TypeInt32, func(v HeaderValue) bool { return v.Int() == math.MaxInt32 }},
		{"int64 min", Int64Value(math.MinInt64), TypeInt64, func(v HeaderValue) bool { return v.Int() == math.MinInt64 }},
		{"int64 max", Int64Value(math.MaxInt64), TypeInt64, func(v HeaderValue) bool { return v.Int() == math.MaxInt64 }},
		{"bytes empty", BytesValue(nil), TypeBytes, func(v HeaderValue) bool { return len(v.Bytes()) == 0 }},
		{"bytes", BytesValue([]byte{0, 1, 0xfe, 0xff}), TypeBytes, func(v HeaderValue) bool { return bytes.Equal(v.Bytes(), []byte{0, 1, 0xfe, 0xff}) }},
		{"bytes max", BytesValue([]byte(long)), TypeBytes, func(v HeaderValue) bool { return string(v.Bytes()) == long }},
		{"string empty", StringValue(""), TypeString, func(v HeaderValue) bool { return v.String() == "" }},
		{"string", StringValue("application/json"), TypeString, func(v HeaderValue) bool { return v.String() == "application/json" }},
		{"string max", StringValue(long), TypeString, func(v HeaderValue) bool { return v.String() == long }},
		{"timestamp", TimestampValue(time.Date(2024, 2, 29, 12, 0, 0, 123456789, time.UTC)), TypeTimestamp,
			func(v HeaderValue) bool { return v.Time().Equal(time.Date(2024, 2, 29, 12, 0, 0, 123000000, time.UTC)) }},
		{"timestamp epoch", TimestampValue(time.Unix(0, 0)), TypeTimestamp, func(v HeaderValue) bool { return v.Int() == 0 }},
		{"timestamp before epoch", TimestampValue(time.UnixMilli(-1)), TypeTimestamp, func(v HeaderValue) bool { return v.Int() == -1 }},
		{"uuid", UUIDValue(uuid0to15()), TypeUUID, func(v HeaderValue) bool { return v.UUID() == uuid0to15() }},
		{"uuid zero", UUIDValue([16]byte{}), TypeUUID, func(v HeaderValue) bool { return v.UUID() == [16]byte{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := strings.Repeat("n", MaxHeaderNameLen)
			in := &Message{Headers: []Header{
				{Name: "a", Value: tt.value},
				{Name: name, Value: tt.value},
			}, Payload: []byte("payload")}
			var buf bytes.Buffer
			enc := NewEncoder(&buf)
			for range 2 {
				if err := enc.Encode(in); err != nil {
					t.Fatalf("Encode: %v", err)
				}
			}
			ms := decodeAll(t, buf.Bytes())
			if len(ms) != 2 {
				t.Fatalf("decoded %d messages, want 2", len(ms))
			}
			for _, m := range ms {
				if !equalMessages(m, in) {
					t.Fatalf("decoded %s\nwant %s", describe(m), describe(in))
				}
				v, ok := m.Get(name)
				if !ok || v.Type() != tt.typ || !tt.check(v) {
					t.Fatalf("Get(%q) = %s(%s), %v", name, v.Type(), v, ok)
				}
			}
		})
	}
}

func TestValueAccessors(t *testing.T) {
	u := uuid0to15()
	tests := []struct {
		v    HeaderValue
		str  string
		i    int64
		b    bool
		zero bool // Bytes, Time and UUID report zero values
	}{
		{v: HeaderValue{}, str: "<invalid>", zero: true},
		{v: BoolValue(true), str: "true", b: true, zero: true},
		{v: BoolValue(false), str: "false", zero: true},
		{v: ByteValue(-128), str: "-128", i: -128, zero: true},
		{v: Int16Value(-300), str: "-300", i: -300, zero: true},
		{v: Int32Value(1 << 30), str: "1073741824", i: 1 << 30, zero: true},
		{v: Int64Value(-1), str: "-1", i: -1, zero: true},
		{v: BytesValue([]byte("hi")), str: "aGk="},
		{v: StringValue("text"), str: "text", zero: true},
		{v: TimestampValue(time.UnixMilli(1700000000123)), str: "2023-11-14T22:13:20.123Z", i: 1700000000123},
		{v: UUIDValue(u), str: "00010203-0405-0607-0809-0a0b0c0d0e0f"},
	}
	for _, tt := range tests {
		t.Run(tt.v.Type().String(), func(t *testing.T) {
			if got := tt.v.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := tt.v.Int(); got != tt.i {
				t.Errorf("Int() = %d, want %d", got, tt.i)
			}
			if got := tt.v.Bool(); got != tt.b {
				t.Errorf("Bool() = %v, want %v", got, tt.b)
			}
			if !tt.zero {
				return
			}
			if tt.v.Bytes() != nil || !tt.v.Time().IsZero() || tt.v.UUID() != [16]byte{} {
				t.Errorf("Bytes/Time/UUID of a %s are not zero", tt.v.Type())
			}
		})
	}
	if Int32Value(1).Equal(Int64Value(1)) || !BytesValue(nil).Equal(BytesValue([]byte{})) {
		t.Error("Equal compares types, and treats nil and empty byte arrays alike")
	}
}

func TestHelpers(t *testing.T) {
	payload := []byte(`{}`)
	tests := []struct {
		name    string
		msg     *Message
		headers [][2]string
		payload []byte
	}{
		{"event", Event("initial-response", "application/json", payload),
			[][2]string{{":message-type", "event"}, {":event-type", "initial-response"}, {":content-type", "application/json"}}, payload},
		{"event without content type", Event("SubscribeToShardEvent", "", payload),
			[][2]string{{":message-type", "event"}, {":event-type", "SubscribeToShardEvent"}}, payload},
		{"exception", Exception("ResourceNotFoundException", "application/json", payload),
			[][2]string{{":message-type", "exception"}, {":exception-type", "ResourceNotFoundException"}, {":content-type", "application/json"}}, payload},
		{"exception without content type", Exception("InternalFailureException", "", nil),
			[][2]string{{":message-type", "exception"}, {":exception-type", "InternalFailureException"}}, nil},
		{"error", Error("InternalFailure", "something broke"),
			[][2]string{{":message-type", "error"}, {":error-code", "InternalFailure"}, {":error-message", "something broke"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := decodeAll(t, encode(t, tt.msg))
			m := ms[0]
			if len(m.Headers) != len(tt.headers) || !bytes.Equal(m.Payload, tt.payload) {
				t.Fatalf("decoded %s", describe(m))
			}
			for i, h := range tt.headers {
				got := m.Headers[i]
				if got.Name != h[0] || got.Value.Type() != TypeString || got.Value.String() != h[1] {
					t.Errorf("header %d = %s:%s(%s), want %s:%s", i, got.Name, got.Value.Type(), got.Value, h[0], h[1])
				}
			}
		})
	}
	if _, ok := Event("e", "", nil).Get(":content-type"); ok {
		t.Error("Get found a header that is not there")
	}
}

func TestEncodeErrors(t *testing.T) {
	str := func(n int) HeaderValue { return StringValue(strings.Repeat("s", n)) }
	many := make([]Header, 20)
	for i := range many {
		many[i] = Header{Name: fmt.Sprintf("h%d", i%19), Value: BoolValue(true)}
	}
	big := make([]Header, 5)
	for i := range big {
		big[i] = Header{Name: fmt.Sprintf("h%d", i), Value: str(MaxHeaderValueLen)}
	}
	tests := []struct {
		name string
		msg  *Message
		want string
	}{
		{"empty name", &Message{Headers: []Header{{"", BoolValue(true)}}}, "want 1 to 255"},
		{"long name", &Message{Headers: []Header{{strings.Repeat("n", 256), BoolValue(true)}}}, "has 256 bytes"},
		{"zero value", &Message{Headers: []Header{{"h", HeaderValue{}}}}, "has no value"},
		{"long string", &Message{Headers: []Header{{"h", str(MaxHeaderValueLen + 1)}}}, "exceeds 32767 bytes"},
		{"long bytes", &Message{Headers: []Header{{"h", BytesValue(make([]byte, MaxHeaderValueLen+1))}}}, "exceeds 32767 bytes"},
		{"duplicate", &Message{Headers: []Header{{"a", BoolValue(true)}, {"b", BoolValue(true)}, {"a", BoolValue(false)}}}, `"a" appears more than once`},
		{"duplicate among many", &Message{Headers: many}, `"h0" appears more than once`},
		{"headers too long", &Message{Headers: big}, "headers exceed the 131072 byte limit"},
		{"message too long", &Message{Payload: make([]byte, MaxMessageLen-minLen+1)}, "message of 16777217 bytes exceeds"},
		{"message too long with headers", &Message{Headers: []Header{{"h", BoolValue(true)}}, Payload: make([]byte, MaxMessageLen-minLen)}, "message of 16777219 bytes exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("keep")
			got, err := AppendMessage(dst, tt.msg)
			if err == nil || !strings.HasPrefix(err.Error(), "eventstream: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if string(got) != "keep" {
				t.Fatalf("dst changed to %q", got)
			}
			var buf bytes.Buffer
			if err := NewEncoder(&buf).Encode(tt.msg); err == nil || buf.Len() != 0 {
				t.Fatalf("Encode wrote %d bytes, err %v", buf.Len(), err)
			}
		})
	}
	// The limits themselves are fine.
	if _, err := AppendMessage(nil, &Message{Payload: make([]byte, MaxMessageLen-minLen)}); err != nil {
		t.Errorf("message of exactly MaxMessageLen: %v", err)
	}
}

// Past 16 headers the duplicate check switches to a map.
func TestManyHeaders(t *testing.T) {
	hs := make([]Header, 300)
	for i := range hs {
		hs[i] = Header{Name: fmt.Sprintf("header-%d", i), Value: Int32Value(int32(i))}
	}
	m := &Message{Headers: hs, Payload: []byte("p")}
	ms := decodeAll(t, encode(t, m))
	if len(ms) != 1 || !equalMessages(ms[0], m) {
		t.Fatal("300 headers did not round-trip")
	}
	v, ok := ms[0].Get("header-299")
	if !ok || v.Int() != 299 {
		t.Fatalf("Get(header-299) = %v, %v", v, ok)
	}

	var raw []byte
	for i := range 20 {
		raw = append(raw, 2, 'h', byte('a'+i%19), 0)
	}
	_, err := NewDecoder(bytes.NewReader(frame(raw, nil))).Decode()
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), `"ha" appears more than once`) {
		t.Fatalf("decoding 20 headers with a duplicate: %v", err)
	}
}

// region names the part of a message a byte offset falls in.
func region(m []byte, i int) string {
	hlen := int(binary.BigEndian.Uint32(m[4:8]))
	switch {
	case i < 8:
		return "prelude"
	case i < preludeLen:
		return "prelude crc"
	case i < preludeLen+hlen:
		return "headers"
	case i < len(m)-crcLen:
		return "payload"
	}
	return "message crc"
}

func TestCorruption(t *testing.T) {
	msg := encode(t, &Message{
		Headers: []Header{{":event-type", StringValue("SubscribeToShardEvent")}, {"n", Int32Value(7)}},
		Payload: []byte(`{"Records":[]}`),
	})
	for i := range msg {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(msg)
			bad[i] ^= mask
			_, err := NewDecoder(bytes.NewReader(bad)).Decode()
			want := "message checksum"
			if i < preludeLen {
				want = "prelude checksum"
			}
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s byte %d ^ %#x: err = %v, want %s mismatch", region(msg, i), i, mask, err, want)
			}
		}
	}
}

func TestTruncation(t *testing.T) {
	first := encode(t, Event("initial-response", "application/json", []byte(`{}`)))
	second := encode(t, &Message{
		Headers: []Header{{"b", BoolValue(true)}, {"u", UUIDValue(uuid0to15())}},
		Payload: []byte("payload"),
	})
	stream := cat(first, second)
	for cut := 0; cut <= len(stream); cut++ {
		d := NewDecoder(bytes.NewReader(stream[:cut]))
		var got int
		var err error
		for {
			if _, err = d.Decode(); err != nil {
				break
			}
			got++
		}
		wantMsgs := 0
		if cut >= len(first) {
			wantMsgs = 1
		}
		if cut == len(stream) {
			wantMsgs = 2
		}
		if got != wantMsgs {
			t.Fatalf("cut at %d: decoded %d messages, want %d", cut, got, wantMsgs)
		}
		clean := cut == 0 || cut == len(first) || cut == len(stream)
		if clean && err != io.EOF {
			t.Fatalf("cut at %d: err = %v, want io.EOF", cut, err)
		}
		if !clean && (!errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasPrefix(err.Error(), "eventstream: truncated message")) {
			t.Fatalf("cut at %d: err = %v, want a truncation error", cut, err)
		}
		if _, again := d.Decode(); again != err {
			t.Fatalf("cut at %d: error not sticky: %v then %v", cut, err, again)
		}
	}
}

func TestOversizeLengths(t *testing.T) {
	tests := []struct {
		name        string
		total, hlen uint32
		want        string
	}{
		{"total zero", 0, 0, "below the 16 byte minimum"},
		{"total below minimum", 15, 0, "below the 16 byte minimum"},
		{"total over limit", MaxMessageLen + 1, 0, "exceeds the 16777216 byte limit"},
		{"total max uint32", math.MaxUint32, 0, "exceeds the 16777216 byte limit"},
		{"headers over limit", MaxMessageLen, MaxHeadersLen + 1, "headers length 131073 exceeds"},
		{"headers max uint32", MaxMessageLen, math.MaxUint32, "headers length 4294967295 exceeds"},
		{"headers beyond message", 100, 85, "does not fit in message length 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The claimed body follows, so only the checks can stop the
			// decoder from allocating and reading it.
			pre := prelude(tt.total, tt.hlen)
			body := make([]byte, 1<<20)
			var err error
			allocated := bytesAllocated(func() {
				r := io.MultiReader(bytes.NewReader(pre), bytes.NewReader(body))
				_, err = NewDecoder(r).Decode()
			})
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			// Far below the 16 MiB or more claimed; slack for the race
			// detector and the test's own allocations.
			if allocated > 64<<10 {
				t.Fatalf("%d bytes allocated rejecting a bad prelude", allocated)
			}
		})
	}
	// The limits themselves are accepted: the message is read (and found
	// truncated).
	_, err := NewDecoder(bytes.NewReader(prelude(MaxMessageLen, MaxHeadersLen))).Decode()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("prelude at the limits: err = %v, want truncation", err)
	}
}

// bytesAllocated returns how many bytes f allocates.
func bytesAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestMalformedHeaders(t *testing.T) {
	str := func(name, v string) []byte {
		return cat([]byte{byte(len(name))}, []byte(name), []byte{7, byte(len(v) >> 8), byte(len(v))}, []byte(v))
	}
	tests := []struct {
		name    string
		headers []byte
		want    string
	}{
		{"empty name", cat(hx(t, "00 00")), "empty header name at offset 0"},
		{"name overruns", cat(hx(t, "05"), []byte("abc")), "header name of 5 bytes overruns"},
		{"no type", cat(hx(t, "03"), []byte("abc")), `header "abc" has no value type`},
		{"unknown type", cat(hx(t, "01"), []byte("a"), hx(t, "0a")), "unknown value type 10"},
		{"type 255", cat(hx(t, "01"), []byte("a"), hx(t, "ff")), "unknown value type 255"},
		{"short byte", cat(hx(t, "01"), []byte("a"), hx(t, "02")), `"a" value overruns`},
		{"short int16", cat(hx(t, "01"), []byte("a"), hx(t, "03 00")), `"a" value overruns`},
		{"short int32", cat(hx(t, "01"), []byte("a"), hx(t, "04 000000")), `"a" value overruns`},
		{"short int64", cat(hx(t, "01"), []byte("a"), hx(t, "05 00000000000000")), `"a" value overruns`},
		{"short timestamp", cat(hx(t, "01"), []byte("a"), hx(t, "08 00")), `"a" value overruns`},
		{"short uuid", cat(hx(t, "01"), []byte("a"), hx(t, "09 000102030405060708090a0b0c0d0e")), `"a" value overruns`},
		{"short string length", cat(hx(t, "01"), []byte("a"), hx(t, "07 00")), `"a" value overruns`},
		{"string overruns", cat(hx(t, "01"), []byte("a"), hx(t, "07 0005"), []byte("abcd")), `"a" value overruns`},
		{"bytes overruns", cat(hx(t, "01"), []byte("a"), hx(t, "06 0001")), `"a" value overruns`},
		{"string too long", cat(hx(t, "01"), []byte("a"), hx(t, "07 8000"), make([]byte, 0x8000)), "32768 bytes exceeds the 32767 byte limit"},
		{"bytes too long", cat(hx(t, "01"), []byte("a"), hx(t, "06 ffff"), make([]byte, 0xffff)), "65535 bytes exceeds the 32767 byte limit"},
		{"duplicate", cat(str("a", "x"), str("b", "y"), str("a", "z")), `"a" appears more than once`},
		{"trailing byte", cat(str("a", "x"), hx(t, "01")), `header name of 1 bytes overruns`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDecoder(bytes.NewReader(frame(tt.headers, []byte("payload")))).Decode()
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

var errBroken = errors.New("broken pipe")

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errBroken
}

func TestReaderAndWriterErrors(t *testing.T) {
	msg := encode(t, Event("e", "text/plain", []byte("hello")))
	for _, cut := range []int{0, 5, preludeLen, len(msg) - 1} {
		r := io.MultiReader(bytes.NewReader(msg[:cut]), iotest.ErrReader(errBroken))
		_, err := NewDecoder(r).Decode()
		if !errors.Is(err, errBroken) || !strings.HasPrefix(err.Error(), "eventstream: reading message: ") {
			t.Errorf("reader failing after %d bytes: err = %v", cut, err)
		}
	}

	w := &failWriter{}
	if err := NewEncoder(w).Encode(Event("e", "", nil)); err != errBroken || w.n != 1 {
		t.Errorf("Encode to a failing writer: err = %v after %d writes", err, w.n)
	}
}

// Readers that return little at a time, or data with io.EOF, must not
// change the result.
func TestDecoderReaders(t *testing.T) {
	var stream []byte
	var want []*Message
	for i := range 5 {
		m := Event("SubscribeToShardEvent", "application/json", bytes.Repeat([]byte{byte('a' + i)}, i*100))
		want = append(want, m)
		stream = append(stream, encode(t, m)...)
	}
	readers := map[string]func() io.Reader{
		"one byte":  func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
		"half":      func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) },
		"data+EOF":  func() io.Reader { return iotest.DataErrReader(bytes.NewReader(stream)) },
		"timeout":   func() io.Reader { return iotest.TimeoutReader(bytes.NewReader(stream)) },
		"plain":     func() io.Reader { return bytes.NewReader(stream) },
		"no extras": func() io.Reader { return struct{ io.Reader }{bytes.NewReader(stream)} },
	}
	for name, mk := range readers {
		t.Run(name, func(t *testing.T) {
			d := NewDecoder(mk())
			for i := range want {
				m, err := d.Decode()
				if name == "timeout" && i == 0 && err != nil {
					// TimeoutReader fails its second Read.
					if !errors.Is(err, iotest.ErrTimeout) {
						t.Fatalf("err = %v", err)
					}
					return
				}
				if err != nil || !equalMessages(m, want[i]) {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			if _, err := d.Decode(); err != io.EOF {
				t.Fatalf("after the last message: %v", err)
			}
		})
	}
}

// Decoded messages own their memory: decoding the next message, or
// appending to a byte array value, leaves a message intact.
func TestDecodedMessagesAreIndependent(t *testing.T) {
	a := &Message{Headers: []Header{{"bin", BytesValue([]byte("abc"))}}, Payload: []byte("first")}
	b := &Message{Headers: []Header{{"bin", BytesValue([]byte("xyz"))}}, Payload: []byte("second")}
	d := NewDecoder(bytes.NewReader(cat(encode(t, a), encode(t, b))))
	m1, _ := d.Decode()
	_ = append(m1.Headers[0].Value.Bytes(), "!!!!"...)
	_ = append(m1.Payload, "!!!!"...)
	m2, _ := d.Decode()
	if !equalMessages(m1, a) || !equalMessages(m2, b) {
		t.Fatalf("got %s and %s", describe(m1), describe(m2))
	}
}

func TestEncoderBuffer(t *testing.T) {
	e := NewEncoder(io.Discard)
	if err := e.Encode(&Message{Payload: make([]byte, 1000)}); err != nil {
		t.Fatal(err)
	}
	if cap(e.buf) < 1016 {
		t.Fatalf("small buffer not kept: cap %d", cap(e.buf))
	}
	if err := e.Encode(&Message{Payload: make([]byte, keepBufferCap)}); err != nil {
		t.Fatal(err)
	}
	if e.buf != nil {
		t.Fatalf("buffer of %d bytes kept", cap(e.buf))
	}
}

func TestEncodeDoesNotAllocate(t *testing.T) {
	m := Event("SubscribeToShardEvent", "application/json", make([]byte, 15<<10))
	m.Headers = append(m.Headers,
		Header{"ts", TimestampValue(time.Now())},
		Header{"id", UUIDValue(uuid0to15())},
		Header{"bin", BytesValue([]byte("abc"))},
	)
	e := NewEncoder(io.Discard)
	if allocs := testing.AllocsPerRun(100, func() { _ = e.Encode(m) }); allocs != 0 {
		t.Errorf("Encoder.Encode: %v allocations, want 0", allocs)
	}
	buf := make([]byte, 0, 16<<10)
	if allocs := testing.AllocsPerRun(100, func() { buf, _ = AppendMessage(buf[:0], m) }); allocs != 0 {
		t.Errorf("AppendMessage: %v allocations, want 0", allocs)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = e.Encode(Event("e", "application/json", nil)) }); allocs != 1 {
		t.Errorf("Event + Encode: %v allocations, want 1", allocs)
	}
}
