package kpl

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// wrap turns a protobuf message into an aggregated record: magic, message,
// MD5 of the message.
func wrap(msg []byte) []byte {
	sum := md5.Sum(msg)
	out := append([]byte(magic), msg...)
	return append(out, sum[:]...)
}

// cat concatenates byte slices.
func cat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

// recordsEqual compares records, treating nil and empty Data or Tags alike.
func recordsEqual(a, b []Record) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.PartitionKey != y.PartitionKey || x.ExplicitHashKey != y.ExplicitHashKey ||
			!bytes.Equal(x.Data, y.Data) || len(x.Tags) != len(y.Tags) {
			return false
		}
		for j := range x.Tags {
			if x.Tags[j] != y.Tags[j] {
				return false
			}
		}
	}
	return true
}

// roundTrip aggregates recs, checks that de-aggregation gives them back,
// and returns the aggregated record.
func roundTrip(t *testing.T, recs []Record) []byte {
	t.Helper()
	agg, err := Aggregate(recs)
	if err != nil {
		t.Fatalf("Aggregate: %v", err)
	}
	if !IsAggregated(agg) {
		t.Fatalf("IsAggregated(Aggregate(...)) = false")
	}
	got, err := Deaggregate(agg)
	if err != nil {
		t.Fatalf("Deaggregate: %v", err)
	}
	if !recordsEqual(got, recs) {
		t.Fatalf("round trip mismatch:\n got %+v\nwant %+v", got, recs)
	}
	return agg
}

func TestRoundTrip(t *testing.T) {
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	cases := []struct {
		name string
		recs []Record
	}{
		{"one record", []Record{{PartitionKey: "a", Data: []byte("hello")}}},
		{"empty data", []Record{{PartitionKey: "a", Data: nil}, {PartitionKey: "b", Data: []byte{}}}},
		{"binary data", []Record{{PartitionKey: "bin", Data: binary}, {PartitionKey: "magic", Data: cat(Magic, binary)}}},
		{"unicode keys", []Record{
			{PartitionKey: "clé-é", Data: []byte("1")},
			{PartitionKey: "键🔑", Data: []byte("2")},
			{PartitionKey: strings.Repeat("é", maxPartitionKeyChars), Data: []byte("3")},
		}},
		{"explicit hash keys", []Record{
			{PartitionKey: "a", ExplicitHashKey: "0", Data: []byte("x")},
			{PartitionKey: "a", ExplicitHashKey: maxHashKey, Data: []byte("y")},
			{PartitionKey: "b", Data: []byte("z")},
			{PartitionKey: "c", ExplicitHashKey: "170141183460469231731687303715884105728", Data: []byte("w")},
		}},
		{"tags", []Record{
			{PartitionKey: "a", Data: []byte("x"), Tags: []Tag{{Key: "k", Value: "v", HasValue: true}}},
			{PartitionKey: "a", Data: []byte("y"), Tags: []Tag{{Key: "only-key"}, {Key: "", Value: "", HasValue: true}, {Key: "ü", Value: "ß", HasValue: true}}},
		}},
		{"large data", []Record{{PartitionKey: "big", Data: bytes.Repeat([]byte{0xAB}, 300_000)}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			roundTrip(t, tc.recs)
		})
	}
}

func TestRoundTripManyRecords(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	recs := make([]Record, 10_000)
	for i := range recs {
		data := make([]byte, rng.IntN(300))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		recs[i] = Record{PartitionKey: fmt.Sprintf("pk-%d", rng.IntN(500)), Data: data}
		if rng.IntN(3) == 0 {
			recs[i].ExplicitHashKey = fmt.Sprint(rng.Uint64())
		}
		if rng.IntN(10) == 0 {
			recs[i].Tags = []Tag{{Key: fmt.Sprint("tag", i), Value: "v", HasValue: rng.IntN(2) == 0}}
			if !recs[i].Tags[0].HasValue {
				recs[i].Tags[0].Value = ""
			}
		}
	}
	roundTrip(t, recs)
}

// A tag with a Value but no HasValue is written with its value, so it comes
// back with HasValue set.
func TestTagValueWithoutHasValue(t *testing.T) {
	agg, err := Aggregate([]Record{{PartitionKey: "a", Tags: []Tag{{Key: "k", Value: "v"}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Deaggregate(agg)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Tag{Key: "k", Value: "v", HasValue: true}); got[0].Tags[0] != want {
		t.Fatalf("tag = %+v, want %+v", got[0].Tags[0], want)
	}
}

// parsed is an AggregatedRecord message decoded without resolving indices.
type parsed struct {
	pks, ehks []string
	pkIdx     []uint64
	ehkIdx    []int64 // -1 when absent
}

func parseMessage(t *testing.T, agg []byte) parsed {
	t.Helper()
	msg, ok := messageOf(agg)
	if !ok {
		t.Fatal("not an aggregated record")
	}
	var p parsed
	for len(msg) > 0 {
		f, rest, err := nextField(msg)
		if err != nil {
			t.Fatal(err)
		}
		msg = rest
		switch f.num {
		case fieldPartitionKeyTable:
			p.pks = append(p.pks, string(f.b))
		case fieldExplicitHashKeyTable:
			p.ehks = append(p.ehks, string(f.b))
		case fieldRecords:
			ehk := int64(-1)
			var pk uint64
			for b := f.b; len(b) > 0; {
				g, rest, err := nextField(b)
				if err != nil {
					t.Fatal(err)
				}
				b = rest
				switch g.num {
				case fieldPartitionKeyIndex:
					pk = g.v
				case fieldExplicitHashKeyIndex:
					ehk = int64(g.v)
				}
			}
			p.pkIdx = append(p.pkIdx, pk)
			p.ehkIdx = append(p.ehkIdx, ehk)
		}
	}
	return p
}

func TestAggregateDeduplicatesKeys(t *testing.T) {
	recs := []Record{
		{PartitionKey: "a"},
		{PartitionKey: "b", ExplicitHashKey: "1"},
		{PartitionKey: "a", ExplicitHashKey: "1"},
		{PartitionKey: "c"},
		{PartitionKey: "b", ExplicitHashKey: "2"},
	}
	p := parseMessage(t, roundTrip(t, recs))
	if want := []string{"a", "b", "c"}; fmt.Sprint(p.pks) != fmt.Sprint(want) {
		t.Errorf("partition key table = %q, want %q", p.pks, want)
	}
	if want := []string{"1", "2"}; fmt.Sprint(p.ehks) != fmt.Sprint(want) {
		t.Errorf("explicit hash key table = %q, want %q", p.ehks, want)
	}
	if want := []uint64{0, 1, 0, 2, 1}; fmt.Sprint(p.pkIdx) != fmt.Sprint(want) {
		t.Errorf("partition key indices = %v, want %v", p.pkIdx, want)
	}
	if want := []int64{-1, 0, 0, -1, 1}; fmt.Sprint(p.ehkIdx) != fmt.Sprint(want) {
		t.Errorf("explicit hash key indices = %v, want %v", p.ehkIdx, want)
	}
}

func TestAggregateRejects(t *testing.T) {
	cases := []struct {
		name string
		recs []Record
		want string
	}{
		{"no records", nil, "kpl: no records to aggregate"},
		{"empty partition key", []Record{{PartitionKey: ""}}, "kpl: record 0: partition key is empty"},
		{"invalid utf-8 key", []Record{{PartitionKey: "a"}, {PartitionKey: "\xff"}}, "kpl: record 1: partition key is not valid utf-8"},
		{"long partition key", []Record{{PartitionKey: strings.Repeat("é", 257)}}, "kpl: record 0: partition key has 257 characters, more than 256"},
		{"hash key leading zero", []Record{{PartitionKey: "a", ExplicitHashKey: "01"}}, `kpl: record 0: explicit hash key "01" is not a decimal integer in [0, 2^128-1]`},
		{"hash key negative", []Record{{PartitionKey: "a", ExplicitHashKey: "-1"}}, "explicit hash key"},
		{"hash key 2^128", []Record{{PartitionKey: "a", ExplicitHashKey: "340282366920938463463374607431768211456"}}, "explicit hash key"},
		{"hash key 40 digits", []Record{{PartitionKey: "a", ExplicitHashKey: "1" + strings.Repeat("0", 39)}}, "explicit hash key"},
		{"hash key not a number", []Record{{PartitionKey: "a", ExplicitHashKey: "1e5"}}, "explicit hash key"},
		{"hash key space", []Record{{PartitionKey: "a", ExplicitHashKey: " 1"}}, "explicit hash key"},
		{"invalid utf-8 tag", []Record{{PartitionKey: "a", Tags: []Tag{{Key: "ok"}, {Key: "k", Value: "\xc3"}}}}, "kpl: record 0: tag 1 is not valid utf-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Aggregate(tc.recs)
			if err == nil {
				t.Fatal("Aggregate succeeded")
			}
			if !strings.HasPrefix(err.Error(), "kpl: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestValidHashKey(t *testing.T) {
	valid := []string{
		"0", "1", "9", "10", maxHashKey,
		"340282366920938463463374607431768211454",
		"99999999999999999999999999999999999999", // 38 digits
	}
	invalid := []string{
		"", "00", "01", "+1", "-0", "12a", "\u0661", // ARABIC-INDIC DIGIT ONE
		"340282366920938463463374607431768211456",  // 2^128
		"999999999999999999999999999999999999999",  // 39 digits, > 2^128-1
		"1234567890123456789012345678901234567890", // 40 digits
	}
	for _, s := range valid {
		if !validHashKey(s) {
			t.Errorf("validHashKey(%q) = false", s)
		}
	}
	for _, s := range invalid {
		if validHashKey(s) {
			t.Errorf("validHashKey(%q) = true", s)
		}
	}
}

func TestNotAggregated(t *testing.T) {
	valid, err := Aggregate([]Record{{PartitionKey: "a", Data: []byte("data")}})
	if err != nil {
		t.Fatal(err)
	}
	corruptMD5 := bytes.Clone(valid)
	corruptMD5[len(corruptMD5)-1] ^= 0x01
	corruptMessage := bytes.Clone(valid)
	corruptMessage[len(magic)+1] ^= 0x80
	wrongMagic := bytes.Clone(valid)
	wrongMagic[0] = 0xF4
	cases := map[string][]byte{
		"nil":                 nil,
		"plain record":        []byte(`{"user":"alice","action":"login"}`),
		"magic only":          []byte(magic),
		"magic and md5 only":  wrap(nil), // the KCL requires a non-empty message
		"20 bytes":            valid[:overhead],
		"corrupted md5":       corruptMD5,
		"corrupted message":   corruptMessage,
		"wrong magic":         wrongMagic,
		"truncated":           valid[:len(valid)-1],
		"extra trailing byte": append(bytes.Clone(valid), 0),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if IsAggregated(data) {
				t.Error("IsAggregated = true")
			}
			recs, err := Deaggregate(data)
			if !errors.Is(err, ErrNotAggregated) || recs != nil {
				t.Errorf("Deaggregate = %v, %v; want nil, ErrNotAggregated", recs, err)
			}
		})
	}
	if !IsAggregated(valid) {
		t.Error("IsAggregated(valid) = false")
	}
}

func TestDeaggregateDoesNotAliasInput(t *testing.T) {
	agg, err := Aggregate([]Record{{PartitionKey: "a", Data: []byte("data")}, {PartitionKey: "b", Data: []byte("more")}})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := Deaggregate(agg)
	if err != nil {
		t.Fatal(err)
	}
	clear(agg)
	if string(recs[0].Data) != "data" || string(recs[1].Data) != "more" {
		t.Fatalf("records changed with the input: %q %q", recs[0].Data, recs[1].Data)
	}
	// Appending to one record's data must not overwrite the next one's.
	_ = append(recs[0].Data, "XXXX"...)
	if string(recs[1].Data) != "more" {
		t.Fatalf("append to record 0 overwrote record 1: %q", recs[1].Data)
	}
}

// Protobuf messages Deaggregate must reject, with the reason expected in the
// error. Each is wrapped with magic and MD5 before decoding.
var malformedMessages = []struct {
	name string
	msg  []byte
	want string
}{
	{"truncated key", []byte{0x80}, "truncated varint"},
	{"missing length", []byte{0x1a}, "truncated varint"},
	{"length past end", []byte{0x0a, 0x05, 'a'}, "length 5 exceeds the 1 bytes left"},
	{"huge length", []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, "exceeds"},
	{"field number 0", []byte{0x00, 0x00}, "invalid field number 0"},
	{"field number 2^29", []byte{0x80, 0x80, 0x80, 0x80, 0x10, 0x00}, "invalid field number 536870912"},
	{"wire type 6", []byte{0x0e}, "invalid wire type 6"},
	{"wire type 7", []byte{0x0f}, "invalid wire type 7"},
	{"varint overflow", cat([]byte{0x48}, bytes.Repeat([]byte{0xff}, 9), []byte{0x02}), "varint overflows 64 bits"},
	{"varint too long", cat([]byte{0x48}, bytes.Repeat([]byte{0x80}, 10), []byte{0x00}), "varint overflows 64 bits"},
	{"truncated varint value", []byte{0x48, 0x80}, "truncated varint"},
	{"truncated fixed64", []byte{0x49, 1, 2, 3, 4, 5, 6, 7}, "truncated fixed64 field 9"},
	{"truncated fixed32", []byte{0x4d, 1, 2, 3}, "truncated fixed32 field 9"},
	{"end group alone", []byte{0x4c}, "end-group for field 9 without a start-group"},
	{"unterminated group", []byte{0x4b, 0x48, 0x01}, "group 9 has no end-group"},
	{"mismatched end group", []byte{0x4b, 0x54}, "end-group 10 closes group 9"},
	{"groups too deep", cat(bytes.Repeat([]byte{0x4b}, maxGroupDepth+1), bytes.Repeat([]byte{0x4c}, maxGroupDepth+1)), "groups nested deeper than 100"},
	{"bad field inside group", []byte{0x4b, 0x4f, 0x4c}, "invalid wire type 7"},
	{"record missing partition key index", []byte{0x0a, 0x01, 'a', 0x1a, 0x02, 0x1a, 0x00}, "record 0: missing required partition_key_index"},
	{"record missing data", []byte{0x0a, 0x01, 'a', 0x1a, 0x02, 0x08, 0x00}, "record 0: missing required data"},
	{"partition key index out of range", []byte{0x0a, 0x01, 'a', 0x1a, 0x04, 0x08, 0x01, 0x1a, 0x00}, "record 0: partition_key_index 1 is out of range: the table has 1 keys"},
	{"partition key index huge", cat([]byte{0x0a, 0x01, 'a', 0x1a, 0x0d, 0x08}, bytes.Repeat([]byte{0xff}, 9), []byte{0x01, 0x1a, 0x00}), "partition_key_index 18446744073709551615 is out of range"},
	{"no partition key table", []byte{0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00}, "the table has 0 keys"},
	{"explicit hash key index out of range", []byte{0x0a, 0x01, 'a', 0x1a, 0x06, 0x08, 0x00, 0x10, 0x00, 0x1a, 0x00}, "explicit_hash_key_index 0 is out of range: the table has 0 keys"},
	{"tag missing key", []byte{0x0a, 0x01, 'a', 0x1a, 0x08, 0x08, 0x00, 0x1a, 0x00, 0x22, 0x02, 0x12, 0x00}, "record 0: tag 0: missing required key"},
	{"truncated record", []byte{0x0a, 0x01, 'a', 0x1a, 0x03, 0x08, 0x00, 0x1a}, "record 0: truncated varint"},
	{"second record bad", []byte{0x0a, 0x01, 'a', 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00, 0x1a, 0x02, 0x08, 0x00}, "record 1: missing required data"},
}

func TestDeaggregateMalformed(t *testing.T) {
	for _, tc := range malformedMessages {
		t.Run(tc.name, func(t *testing.T) {
			data := wrap(tc.msg)
			if !IsAggregated(data) {
				t.Fatal("IsAggregated = false")
			}
			recs, err := Deaggregate(data)
			if err == nil {
				t.Fatalf("Deaggregate succeeded: %+v", recs)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %q does not wrap ErrMalformed", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "kpl: malformed aggregated record: ") || !strings.Contains(msg, tc.want) {
				t.Errorf("error = %q, want it to contain %q", msg, tc.want)
			}
			if msg != strings.ToLower(msg) {
				t.Errorf("error %q is not lowercase", msg)
			}
		})
	}
}

// Messages that are unusual but valid protobuf, and the records they hold.
var unusualMessages = []struct {
	name string
	msg  []byte
	want []Record
}{
	{"no records", []byte{0x0a, 0x01, 'a'}, []Record{}},
	{"tables after records", []byte{0x1a, 0x06, 0x08, 0x00, 0x10, 0x00, 0x1a, 0x00, 0x12, 0x01, '7', 0x0a, 0x01, 'a'},
		[]Record{{PartitionKey: "a", ExplicitHashKey: "7", Data: []byte{}}}},
	{"unknown fields of every wire type", cat(
		[]byte{0x48, 0x96, 0x01},                               // field 9, varint 150
		[]byte{0x51, 1, 2, 3, 4, 5, 6, 7, 8},                   // field 10, fixed64
		[]byte{0x5a, 0x02, 0xff, 0xff},                         // field 11, bytes
		[]byte{0x63, 0x08, 0x01, 0x6b, 0x6c, 0x12, 0x00, 0x64}, // field 12, group holding a varint, a group and bytes
		[]byte{0x6d, 1, 2, 3, 4},                               // field 13, fixed32
		[]byte{0x0a, 0x01, 'a'},
		[]byte{0x1a, 0x0e, 0x08, 0x00, 0x28, 0x05, 0x1a, 0x01, 'x', 0x22, 0x05, 0x0a, 0x01, 'k', 0x18, 0x01}, // unknown field 5 in Record, 3 in Tag
		[]byte{0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00},                                                           // field 2^29-1, varint 0
	), []Record{{PartitionKey: "a", Data: []byte("x"), Tags: []Tag{{Key: "k"}}}}},
	{"known fields with other wire types are skipped", cat(
		[]byte{0x08, 0x01}, // partition_key_table as a varint
		[]byte{0x0a, 0x01, 'a'},
		[]byte{0x1d, 1, 2, 3, 4}, // records as a fixed32
		[]byte{0x1a, 0x0a, 0x0a, 0x01, 'z', 0x08, 0x00, 0x18, 0x07, 0x1a, 0x01, 'd'}, // pk index and data with wrong wire types first
	), []Record{{PartitionKey: "a", Data: []byte("d")}}},
	{"repeated singular fields keep the last value", cat(
		[]byte{0x0a, 0x01, 'a', 0x0a, 0x01, 'b'},
		[]byte{0x1a, 0x0a, 0x08, 0x00, 0x1a, 0x01, 'x', 0x08, 0x01, 0x1a, 0x01, 'y'},
	), []Record{{PartitionKey: "b", Data: []byte("y")}}},
	{"groups nested 100 deep", cat(bytes.Repeat([]byte{0x4b}, maxGroupDepth), bytes.Repeat([]byte{0x4c}, maxGroupDepth)), []Record{}},
	{"non-minimal varints", []byte{0x0a, 0x01, 'a', 0x1a, 0x06, 0x08, 0x80, 0x80, 0x00, 0x1a, 0x00},
		[]Record{{PartitionKey: "a", Data: []byte{}}}},
	{"unused table entries and invalid utf-8", []byte{0x0a, 0x01, 0xff, 0x0a, 0x01, 'b', 0x12, 0x01, 'x', 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00},
		[]Record{{PartitionKey: "\xff", Data: []byte{}}}},
}

func TestDeaggregateUnusual(t *testing.T) {
	for _, tc := range unusualMessages {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Deaggregate(wrap(tc.msg))
			if err != nil {
				t.Fatalf("Deaggregate: %v", err)
			}
			if got == nil || !recordsEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
