package awscbor

import (
	"bytes"
	"encoding/json"
	"testing"
)

func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, ex := range rfcExamples {
		seeds = append(seeds, hx(t, ex.hex))
	}
	for _, d := range []string{
		`{"Records": [{"Data": h'00010203', "PartitionKey": "pk", "When": 1(1700000000123)}], "StreamName": "s"}`,
		`{_ "Data": (_ h'01', h'02'), "Timestamp": 1700000000123.5, "Tags": {"a": 1(1)}}`,
		`{"Timestamp": 2(h'010000000000000000'), "N": 3(h'01')}`,
		`{1: 2}`, `[_ [_ [_ ]]]`, `{"D": NaN}`,
	} {
		b, err := FromDiagnostic(d)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return append(seeds, []byte{}, []byte{0x9f}, []byte{0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
}

// FuzzDecode: no input makes the decoders panic, and they agree: ToJSON
// accepts only what Decode accepts and then writes valid JSON, Decode
// accepts only what Diagnose can show, and diagnostic notation reads back
// into an item with the same notation.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, decErr := Decode(data)
		js, jsErr := ToJSON(nil, data, testShape)
		if jsErr == nil && len(data) > 0 {
			if decErr != nil {
				t.Fatalf("ToJSON accepted what Decode rejects (%v): %x", decErr, data)
			}
			if !json.Valid(js) {
				t.Fatalf("ToJSON wrote invalid JSON %q for %x", js, data)
			}
			if _, err := FromJSON(nil, js, testShape); err != nil {
				t.Fatalf("FromJSON rejected ToJSON's %q: %v", js, err)
			}
		}
		if jsErr != nil && !isSerialization(jsErr) {
			t.Fatalf("ToJSON error is not a SerializationException: %v", jsErr)
		}
		if decErr != nil && !isSerialization(decErr) {
			t.Fatalf("Decode error is not a SerializationException: %v", decErr)
		}
		diag, diagErr := Diagnose(data)
		if decErr == nil && diagErr != nil {
			t.Fatalf("Diagnose rejected what Decode accepts (%v): %x", diagErr, data)
		}
		if diagErr != nil {
			return
		}
		again, err := FromDiagnostic(diag)
		if err != nil {
			t.Fatalf("FromDiagnostic(%s): %v", diag, err)
		}
		diag2, err := Diagnose(again)
		if err != nil || diag2 != diag {
			t.Fatalf("notation changed: %s → %s (%v)", diag, diag2, err)
		}
	})
}

// FuzzFromJSON: no JSON makes FromJSON panic, and what it writes is CBOR.
func FuzzFromJSON(f *testing.F) {
	for _, s := range []string{
		`{"Records":[{"Data":"AQ==","When":1700000000.123}],"Timestamp":1e3,"N":-18446744073709551616}`,
		`{"a":"\ud83d\ude00\u0041"}`, `[[[[]]]]`, `{"Blobs":["AA==","/w==","x"]}`, `-0.0e-0`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := FromJSON(nil, data, testShape)
		if err != nil {
			return
		}
		if len(data) > 0 && !json.Valid(bytes.TrimSpace(data)) && len(bytes.TrimSpace(data)) > 0 {
			t.Fatalf("FromJSON accepted invalid JSON %q", data)
		}
		if len(out) == 0 {
			return
		}
		if _, err := Diagnose(out); err != nil {
			t.Fatalf("FromJSON(%q) wrote bad CBOR %x: %v", data, out, err)
		}
	})
}
