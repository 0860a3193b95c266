package eventstream

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func fuzzSeeds(t testing.TB) [][]byte {
	all := encode(t, &Message{
		Headers: []Header{
			{"t", BoolValue(true)}, {"f", BoolValue(false)}, {"b", ByteValue(-1)},
			{"s16", Int16Value(-2)}, {"s32", Int32Value(3)}, {"s64", Int64Value(-4)},
			{"bin", BytesValue([]byte{0, 1})}, {"str", StringValue("x")},
			{"ts", TimestampValue(time.UnixMilli(5))}, {"id", UUIDValue(uuid0to15())},
		},
		Payload: []byte("payload"),
	})
	event := encode(t, Event("SubscribeToShardEvent", "application/json", []byte(`{"Records":[]}`)))
	errMsg := encode(t, Error("InternalFailure", "boom"))
	empty := encode(t, &Message{})
	return [][]byte{
		nil,
		empty,
		all,
		event,
		cat(event, errMsg, empty),
		all[:len(all)-1],
		frame([]byte{1, 'a', 7, 0, 5, 'x'}, nil),
		frame([]byte{1, 'a', 0, 1, 'a', 1}, nil),
		frame([]byte{1, 'a', 10}, nil),
		frame(nil, []byte("p")),
		prelude(MaxMessageLen+1, 0),
		all[preludeLen : len(all)-crcLen-len("payload")], // a headers section
	}
}

// FuzzDecode checks that decoding arbitrary bytes never panics, that every
// message it accepts re-encodes to exactly the bytes it was read from,
// and that it ends with io.EOF exactly when the input was consumed.
//
// Random bytes seldom get past the checksums, so each input is also tried
// as the headers section of a message with correct lengths and CRCs,
// which takes the fuzzer into the header parser.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStream(t, data)
		if len(data) <= MaxHeadersLen {
			checkStream(t, frame(data, []byte("payload")))
		}
	})
}

func checkStream(t *testing.T, data []byte) {
	d := NewDecoder(bytes.NewReader(data))
	off := 0
	for {
		m, err := d.Decode()
		if err != nil {
			if (err == io.EOF) != (off == len(data)) {
				t.Fatalf("err %v after consuming %d of %d bytes", err, off, len(data))
			}
			if err != io.EOF && !errors.Is(err, ErrMalformed) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if err != io.EOF && !strings.HasPrefix(err.Error(), "eventstream: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			return
		}
		re, err := AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("decoded message does not re-encode: %v", err)
		}
		if !bytes.HasPrefix(data[off:], re) {
			t.Fatalf("re-encoding differs\n got %x\nwant %x", re, data[off:min(len(data), off+len(re))])
		}
		off += len(re)
	}
}

// FuzzRoundTrip checks decode(encode(m)) == m for messages built from
// the fuzzer's values, and that AppendMessage refuses exactly the
// messages the spec forbids.
func FuzzRoundTrip(f *testing.F) {
	f.Add("name", uint8(7), int64(-1), "value", []byte("payload"))
	f.Add("", uint8(0), int64(0), "", []byte(nil))
	f.Add(":content-type", uint8(6), int64(0), "dup", []byte(nil))
	f.Add(strings.Repeat("n", 256), uint8(8), int64(1<<40), "uuid-ish-16bytes", []byte{0})
	f.Fuzz(func(t *testing.T, name string, typ uint8, num int64, s string, payload []byte) {
		var v HeaderValue
		switch typ % 10 {
		case 0:
			v = BoolValue(num&1 == 1)
		case 1:
			v = ByteValue(int8(num))
		case 2:
			v = Int16Value(int16(num))
		case 3:
			v = Int32Value(int32(num))
		case 4:
			v = Int64Value(num)
		case 5:
			v = BytesValue([]byte(s))
		case 6:
			v = StringValue(s)
		case 7:
			v = TimestampValue(time.UnixMilli(num))
		case 8:
			var u [16]byte
			copy(u[:], s)
			v = UUIDValue(u)
		case 9:
			// The zero HeaderValue, which must be refused.
		}
		m := &Message{
			Headers: []Header{{Name: name, Value: v}, {Name: ":content-type", Value: StringValue(s)}},
			Payload: payload,
		}
		valid := len(name) >= 1 && len(name) <= MaxHeaderNameLen && name != ":content-type" &&
			len(s) <= MaxHeaderValueLen && typ%10 != 9
		wire, err := AppendMessage(nil, m)
		if err != nil {
			if valid {
				t.Fatalf("valid message refused: %v", err)
			}
			return
		}
		if !valid {
			t.Fatalf("invalid message encoded: name %q, type %d, value of %d bytes", name, typ%10, len(s))
		}
		ms := decodeAll(t, wire)
		if len(ms) != 1 || !equalMessages(ms[0], m) {
			t.Fatalf("round trip changed %s", describe(m))
		}
	})
}
