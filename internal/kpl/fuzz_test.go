package kpl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// FuzzDeaggregate feeds arbitrary bytes to Deaggregate, both as they are
// and as the protobuf message of an aggregated record (wrapped with magic
// and a correct MD5, so the parser sees them). Deaggregate must not panic,
// must fail only with ErrNotAggregated or ErrMalformed, and every record
// set it accepts must survive Aggregate and Deaggregate unchanged, with
// Aggregate's output stable from then on.
func FuzzDeaggregate(f *testing.F) {
	f.Add(handBuilt)
	f.Add(handBuilt[len(magic) : len(handBuilt)-16])
	for _, v := range kplVectors {
		data, err := base64.StdEncoding.DecodeString(v.base64)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		if len(data) > overhead {
			f.Add(data[len(magic) : len(data)-16])
		}
	}
	for _, m := range malformedMessages {
		f.Add(m.msg)
	}
	for _, m := range unusualMessages {
		f.Add(m.msg)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDeaggregate(t, data)
		checkDeaggregate(t, wrap(data))
	})
}

func checkDeaggregate(t *testing.T, data []byte) {
	recs, err := Deaggregate(data)
	if err != nil {
		if !errors.Is(err, ErrNotAggregated) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if errors.Is(err, ErrNotAggregated) == IsAggregated(data) {
			t.Fatalf("IsAggregated = %v with error %v", IsAggregated(data), err)
		}
		if !strings.HasPrefix(err.Error(), "kpl: ") {
			t.Fatalf("error %q lacks the kpl: prefix", err)
		}
		return
	}
	if !IsAggregated(data) {
		t.Fatal("Deaggregate succeeded but IsAggregated = false")
	}
	if len(recs) == 0 {
		if _, err := Aggregate(recs); err == nil {
			t.Fatal("Aggregate of no records succeeded")
		}
		return
	}
	valid := true
	for i := range recs {
		if validateRecord(&recs[i]) != nil {
			valid = false
			break
		}
	}
	agg, err := Aggregate(recs)
	if !valid {
		if err == nil {
			t.Fatal("Aggregate accepted an invalid record")
		}
		return
	}
	if err != nil {
		t.Fatalf("Aggregate: %v", err)
	}
	again, err := Deaggregate(agg)
	if err != nil {
		t.Fatalf("Deaggregate(Aggregate(records)): %v", err)
	}
	if !recordsEqual(again, recs) {
		t.Fatalf("round trip mismatch:\n got %+v\nwant %+v", again, recs)
	}
	stable, err := Aggregate(again)
	if err != nil || !bytes.Equal(stable, agg) {
		t.Fatalf("Aggregate is not stable: %v", err)
	}
}

// TestDeaggregateMutations runs the fuzz checks on every prefix and every
// single-byte change of the known-answer messages, so the no-panic and
// round-trip properties are exercised without -fuzz.
func TestDeaggregateMutations(t *testing.T) {
	msgs := [][]byte{handBuilt[len(magic) : len(handBuilt)-16]}
	for _, v := range kplVectors[:3] {
		data, err := base64.StdEncoding.DecodeString(v.base64)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, data[len(magic):len(data)-16])
	}
	for _, msg := range msgs {
		for i := range len(msg) + 1 {
			checkDeaggregate(t, wrap(msg[:i]))
		}
		for i := range msg {
			for _, v := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff, msg[i] ^ 0x07, msg[i] + 1, msg[i] - 1} {
				m := bytes.Clone(msg)
				m[i] = v
				checkDeaggregate(t, wrap(m))
			}
		}
	}
}
