package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/freshet/freshet/internal/storage"
)

// Factory opens the backend under test.
type Factory struct {
	// Open opens (or reopens) a backend on dir. Durable backends keep data
	// across Close+Open on the same dir. Open fails the test on error.
	Open func(t *testing.T, dir string) storage.Backend
	// Durable makes Run also check that data survives Close and reopen.
	Durable bool
}

type testCase struct {
	name string
	fn   func(t *testing.T, h *harness)
}

// Run runs the conformance suite against the backend f opens, each check as
// a parallel subtest with a backend of its own.
func Run(t *testing.T, f Factory) {
	t.Helper()
	if f.Open == nil {
		t.Fatal("storagetest: Factory.Open is nil")
	}
	cases := []testCase{
		{"MetaPutGet", testMetaPutGet},
		{"MetaNotFound", testMetaNotFound},
		{"MetaDelete", testMetaDelete},
		{"MetaRevisionsIncrease", testMetaRevisionsIncrease},
		{"MetaList", testMetaList},
		{"MetaValueCopies", testMetaValueCopies},
		{"MetaConcurrentCAS", testMetaConcurrentCAS},
		{"AppendMultiLog", testAppendMultiLog},
		{"AppendEmpty", testAppendEmpty},
		{"AppendCallerArrival", testAppendCallerArrival},
		{"ReadLimits", testReadLimits},
		{"ReadUnknownAndBeyond", testReadUnknownAndBeyond},
		{"Bounds", testBounds},
		{"SeekTime", testSeekTime},
		{"Trim", testTrim},
		{"TrimAll", testTrimAll},
		{"DeleteLog", testDeleteLog},
		{"BinaryData", testBinaryData},
		{"EmptyData", testEmptyData},
		{"LargeRecord", testLargeRecord},
		{"ReadAcrossBatches", testReadAcrossBatches},
		{"TrimInsideBatch", testTrimInsideBatch},
		{"LargeBatch", testLargeBatch},
		{"DataCopies", testDataCopies},
		{"ConcurrentAppend", testConcurrentAppend},
		{"ConcurrentReadVisibility", testConcurrentReadVisibility},
		{"ContextCancel", testContextCancel},
		{"Closed", testClosed},
	}
	if f.Durable {
		cases = append(cases,
			testCase{"DurableReopen", testDurableReopen},
			testCase{"DurableTrimmedAll", testDurableTrimmedAll},
			testCase{"DurableDeleted", testDurableDeleted},
			testCase{"DurableConcurrentThenReopen", testDurableConcurrentThenReopen},
		)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newHarness(t, f))
		})
	}
}

// harness is one backend under test, reopenable on the same directory.
type harness struct {
	t   *testing.T
	f   Factory
	dir string
	b   storage.Backend
}

func newHarness(t *testing.T, f Factory) *harness {
	h := &harness{t: t, f: f, dir: t.TempDir()}
	h.b = f.Open(t, h.dir)
	if h.b == nil {
		t.Fatal("Factory.Open returned nil")
	}
	t.Cleanup(func() {
		if err := h.b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

func (h *harness) meta() storage.MetaStore { return h.b.Meta() }
func (h *harness) logs() storage.LogStore  { return h.b.Logs() }

// reopen closes the backend and opens it again on the same directory.
func (h *harness) reopen() {
	h.t.Helper()
	if err := h.b.Close(); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
	h.b = h.f.Open(h.t, h.dir)
	if h.b == nil {
		h.t.Fatal("Factory.Open returned nil on reopen")
	}
}

var bg = context.Background()

// records returns n distinct records whose content names tag and index.
func records(tag string, n int) []storage.Record {
	out := make([]storage.Record, n)
	for i := range out {
		out[i] = storage.Record{
			PartitionKey: fmt.Appendf(nil, "%s-pk-%d", tag, i),
			Data:         fmt.Appendf(nil, "%s-data-%d-%s", tag, i, bytes.Repeat([]byte{'x'}, i%17)),
		}
	}
	return out
}

func batchOf(log string, recs []storage.Record) *storage.Batch {
	return &storage.Batch{Log: log, Records: recs}
}

func mustAppend(t *testing.T, ls storage.LogStore, batches ...*storage.Batch) {
	t.Helper()
	if err := ls.Append(bg, batches); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

func mustRead(t *testing.T, ls storage.LogStore, log string, from uint64, limit, maxBytes int) []storage.StoredRecord {
	t.Helper()
	got, err := ls.Read(bg, log, from, limit, maxBytes)
	if err != nil {
		t.Fatalf("Read(%q, %d, %d, %d): %v", log, from, limit, maxBytes, err)
	}
	return got
}

func mustBounds(t *testing.T, ls storage.LogStore, log string) (uint64, uint64) {
	t.Helper()
	first, next, err := ls.Bounds(bg, log)
	if err != nil {
		t.Fatalf("Bounds(%q): %v", log, err)
	}
	return first, next
}

func wantBounds(t *testing.T, ls storage.LogStore, log string, first, next uint64) {
	t.Helper()
	f, n := mustBounds(t, ls, log)
	if f != first || n != next {
		t.Fatalf("Bounds(%q) = %d, %d; want %d, %d", log, f, n, first, next)
	}
}

func mustSeek(t *testing.T, ls storage.LogStore, log string, ms int64) uint64 {
	t.Helper()
	off, err := ls.SeekTime(bg, log, ms)
	if err != nil {
		t.Fatalf("SeekTime(%q, %d): %v", log, ms, err)
	}
	return off
}

// readAll reads log from its trim horizon to its tip in small pages.
func readAll(t *testing.T, ls storage.LogStore, log string) []storage.StoredRecord {
	t.Helper()
	first, next := mustBounds(t, ls, log)
	var out []storage.StoredRecord
	for from := first; from < next; {
		page := mustRead(t, ls, log, from, 7, 0)
		if len(page) == 0 {
			t.Fatalf("Read(%q, %d) returned nothing below next %d", log, from, next)
		}
		out = append(out, page...)
		from = page[len(page)-1].Offset + 1
	}
	return out
}

// checkRecords checks that got holds want at offsets first, first+1, ...
func checkRecords(t *testing.T, got []storage.StoredRecord, first uint64, want []storage.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i, r := range got {
		if r.Offset != first+uint64(i) {
			t.Fatalf("record %d: offset %d, want %d", i, r.Offset, first+uint64(i))
		}
		if !bytes.Equal(r.PartitionKey, want[i].PartitionKey) {
			t.Fatalf("record %d: partition key %q, want %q", i, r.PartitionKey, want[i].PartitionKey)
		}
		if !bytes.Equal(r.Data, want[i].Data) {
			t.Fatalf("record %d: data %q, want %q", i, short(r.Data), short(want[i].Data))
		}
	}
}

// sameRecords checks that two reads returned identical records.
func sameRecords(t *testing.T, what string, got, want []storage.StoredRecord) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Offset != w.Offset || g.ArrivalMs != w.ArrivalMs ||
			!bytes.Equal(g.PartitionKey, w.PartitionKey) || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("%s: record %d = {%d %d %q %q}, want {%d %d %q %q}", what, i,
				g.Offset, g.ArrivalMs, g.PartitionKey, short(g.Data),
				w.Offset, w.ArrivalMs, w.PartitionKey, short(w.Data))
		}
	}
}

func short(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}
