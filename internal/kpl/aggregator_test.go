package kpl

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// aggregate is one aggregated record an Aggregator emitted.
type aggregate struct {
	data     []byte
	pk, ehk  string
	nRecords int
}

// feed adds recs to a and returns every aggregated record emitted,
// including the final Flush.
func feed(t *testing.T, a *Aggregator, recs []Record) []aggregate {
	t.Helper()
	var out []aggregate
	for i, r := range recs {
		size, n := a.Size(), a.Len()
		flushed, ok, err := a.Add(r)
		if err != nil {
			t.Fatalf("Add(record %d): %v", i, err)
		}
		if ok != (flushed != nil) {
			t.Fatalf("Add(record %d): ok = %v with %d bytes flushed", i, ok, len(flushed))
		}
		if !ok {
			continue
		}
		if len(flushed) != size {
			t.Fatalf("flushed %d bytes, Size said %d", len(flushed), size)
		}
		pk, ehk := a.FlushedKeys()
		out = append(out, aggregate{flushed, pk, ehk, n})
	}
	size, n := a.Size(), a.Len()
	data, pk, ehk, err := a.Flush()
	if err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if data != nil {
		if len(data) != size {
			t.Fatalf("flushed %d bytes, Size said %d", len(data), size)
		}
		out = append(out, aggregate{data, pk, ehk, n})
	}
	if a.Len() != 0 || a.Size() != 0 {
		t.Fatalf("after Flush: Len %d, Size %d", a.Len(), a.Size())
	}
	return out
}

// checkAggregates checks that aggs hold recs in order, each within max
// bytes and keyed by its first record.
func checkAggregates(t *testing.T, aggs []aggregate, recs []Record, max int) {
	t.Helper()
	var all []Record
	for i, g := range aggs {
		if len(g.data) > max {
			t.Errorf("aggregate %d is %d bytes, limit %d", i, len(g.data), max)
		}
		got, err := Deaggregate(g.data)
		if err != nil {
			t.Fatalf("aggregate %d: %v", i, err)
		}
		if len(got) != g.nRecords {
			t.Errorf("aggregate %d holds %d records, Len said %d", i, len(got), g.nRecords)
		}
		if g.pk != got[0].PartitionKey || g.ehk != got[0].ExplicitHashKey {
			t.Errorf("aggregate %d keys = %q, %q; first record has %q, %q", i, g.pk, g.ehk, got[0].PartitionKey, got[0].ExplicitHashKey)
		}
		all = append(all, got...)
	}
	if !recordsEqual(all, recs) {
		t.Fatalf("records differ after aggregation: got %d, want %d", len(all), len(recs))
	}
}

func TestAggregatorPacksUpToLimit(t *testing.T) {
	var recs []Record
	for i := range 2000 {
		r := Record{PartitionKey: fmt.Sprintf("key-%d", i%37), Data: bytes.Repeat([]byte{byte(i)}, i%250)}
		if i%5 == 0 {
			r.ExplicitHashKey = fmt.Sprint(i * 1_000_003)
		}
		recs = append(recs, r)
	}
	for _, max := range []int{300, 1000, 4096, 64 << 10} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			aggs := feed(t, NewAggregator(max), recs)
			checkAggregates(t, aggs, recs, max)
			// Each aggregate is full: the next record would not have fit.
			for i := 0; i+1 < len(aggs); i++ {
				n := 0
				for _, g := range aggs[:i+1] {
					n += g.nRecords
				}
				next := recs[n]
				d, err := Deaggregate(aggs[i].data)
				if err != nil {
					t.Fatal(err)
				}
				bigger, err := Aggregate(append(d, next))
				if err != nil {
					t.Fatal(err)
				}
				if len(bigger) <= max {
					t.Fatalf("aggregate %d flushed at %d bytes though the next record fit (%d <= %d)", i, len(aggs[i].data), len(bigger), max)
				}
			}
		})
	}
}

func TestAggregatorDefaultSize(t *testing.T) {
	a := NewAggregator(0)
	data := bytes.Repeat([]byte("x"), 100)
	var flushed []byte
	for i := 0; flushed == nil; i++ {
		var err error
		flushed, _, err = a.Add(Record{PartitionKey: fmt.Sprint("pk", i%100), Data: data})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(flushed) > DefaultMaxBytes || len(flushed) < DefaultMaxBytes-120 {
		t.Fatalf("default aggregate is %d bytes, want just under %d", len(flushed), DefaultMaxBytes)
	}
	if NewAggregator(-5).max != DefaultMaxBytes {
		t.Fatal("negative maxBytes does not mean DefaultMaxBytes")
	}
}

func TestAggregatorExactFit(t *testing.T) {
	r1 := Record{PartitionKey: "a", Data: []byte("first")}
	r2 := Record{PartitionKey: "b", ExplicitHashKey: "99", Data: []byte("second")}
	both, err := Aggregate([]Record{r1, r2})
	if err != nil {
		t.Fatal(err)
	}
	a := NewAggregator(len(both))
	for _, r := range []Record{r1, r2} {
		if flushed, ok, err := a.Add(r); err != nil || ok || flushed != nil {
			t.Fatalf("Add = %d bytes, %v, %v; want it to fit", len(flushed), ok, err)
		}
	}
	data, pk, ehk, err := a.Flush()
	if err != nil || !bytes.Equal(data, both) || pk != "a" || ehk != "" {
		t.Fatalf("Flush = %x, %q, %q, %v; want %x, \"a\", \"\"", data, pk, ehk, err, both)
	}

	a = NewAggregator(len(both) - 1)
	if _, ok, err := a.Add(r1); ok || err != nil {
		t.Fatalf("first Add = %v, %v", ok, err)
	}
	flushed, ok, err := a.Add(r2)
	if err != nil || !ok {
		t.Fatalf("second Add = %v, %v; want a flush", ok, err)
	}
	if pk, ehk := a.FlushedKeys(); pk != "a" || ehk != "" {
		t.Fatalf("FlushedKeys = %q, %q", pk, ehk)
	}
	if want, _ := Aggregate([]Record{r1}); !bytes.Equal(flushed, want) {
		t.Fatalf("flushed %x, want %x", flushed, want)
	}
	data, pk, ehk, err = a.Flush()
	if want, _ := Aggregate([]Record{r2}); err != nil || !bytes.Equal(data, want) || pk != "b" || ehk != "99" {
		t.Fatalf("Flush = %x, %q, %q, %v", data, pk, ehk, err)
	}
	if pk, ehk := a.FlushedKeys(); pk != "b" || ehk != "99" {
		t.Fatalf("FlushedKeys after Flush = %q, %q", pk, ehk)
	}
}

func TestAggregatorRejects(t *testing.T) {
	a := NewAggregator(100)
	if _, _, err := a.Add(Record{PartitionKey: "a", Data: []byte("small")}); err != nil {
		t.Fatal(err)
	}
	size := a.Size()
	for name, r := range map[string]Record{
		"too big":           {PartitionKey: "a", Data: make([]byte, 100)},
		"empty key":         {PartitionKey: "", Data: []byte("x")},
		"invalid hash key":  {PartitionKey: "a", ExplicitHashKey: "x"},
		"key too long":      {PartitionKey: strings.Repeat("k", 257)},
		"too big with tags": {PartitionKey: "a", Tags: []Tag{{Key: strings.Repeat("k", 90)}}},
	} {
		flushed, ok, err := a.Add(r)
		if err == nil || ok || flushed != nil {
			t.Errorf("%s: Add = %d bytes, %v, %v; want an error", name, len(flushed), ok, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "kpl: ") {
			t.Errorf("%s: error %q lacks the kpl: prefix", name, err)
		}
	}
	if a.Len() != 1 || a.Size() != size {
		t.Fatalf("rejected records changed the aggregator: Len %d, Size %d (was %d)", a.Len(), a.Size(), size)
	}
	// 20 bytes of magic and MD5, 3 for the key table entry, 106 for the
	// record: key, length, index field (2), data field (1+1+100).
	_, _, err := NewAggregator(100).Add(Record{PartitionKey: "a", Data: make([]byte, 100)})
	if want := "kpl: record needs a 129-byte aggregate, more than the 100-byte limit"; err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func TestAggregatorEmptyFlush(t *testing.T) {
	a := NewAggregator(0)
	data, pk, ehk, err := a.Flush()
	if data != nil || pk != "" || ehk != "" || err != nil {
		t.Fatalf("Flush of empty aggregator = %x, %q, %q, %v", data, pk, ehk, err)
	}
}

func TestAggregatorCopiesData(t *testing.T) {
	a := NewAggregator(0)
	buf := []byte("original")
	if _, _, err := a.Add(Record{PartitionKey: "a", Data: buf}); err != nil {
		t.Fatal(err)
	}
	copy(buf, "mutated!")
	data, _, _, err := a.Flush()
	if err != nil {
		t.Fatal(err)
	}
	recs, err := Deaggregate(data)
	if err != nil {
		t.Fatal(err)
	}
	if string(recs[0].Data) != "original" {
		t.Fatalf("data = %q, want the value at Add time", recs[0].Data)
	}
}

// An Aggregator is reusable after a flush: tables start over.
func TestAggregatorReuse(t *testing.T) {
	a := NewAggregator(0)
	for round := range 3 {
		recs := []Record{
			{PartitionKey: fmt.Sprint("r", round), ExplicitHashKey: fmt.Sprint(round), Data: []byte("x")},
			{PartitionKey: "shared", Data: []byte("y")},
		}
		aggs := feed(t, a, recs)
		if len(aggs) != 1 {
			t.Fatalf("round %d: %d aggregates", round, len(aggs))
		}
		want, err := Aggregate(recs)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(aggs[0].data, want) {
			t.Fatalf("round %d: got %x, want %x", round, aggs[0].data, want)
		}
	}
}
