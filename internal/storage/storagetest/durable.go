package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/freshet/freshet/internal/storage"
)

// snapshot is everything a backend holds, as its API shows it.
type snapshot struct {
	meta   []storage.Entry
	bounds map[string][2]uint64
	recs   map[string][]storage.StoredRecord
}

func takeSnapshot(t *testing.T, h *harness, logs []string) snapshot {
	t.Helper()
	entries, err := h.meta().List(bg, "")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	s := snapshot{meta: entries, bounds: map[string][2]uint64{}, recs: map[string][]storage.StoredRecord{}}
	for _, log := range logs {
		first, next := mustBounds(t, h.logs(), log)
		s.bounds[log] = [2]uint64{first, next}
		s.recs[log] = readAll(t, h.logs(), log)
	}
	return s
}

func (s snapshot) compare(t *testing.T, got snapshot) {
	t.Helper()
	if len(got.meta) != len(s.meta) {
		t.Fatalf("after reopen: %d meta entries, want %d", len(got.meta), len(s.meta))
	}
	for i, e := range got.meta {
		w := s.meta[i]
		if e.Key != w.Key || string(e.Value) != string(w.Value) || e.Rev != w.Rev {
			t.Fatalf("after reopen: meta entry %d = {%q %q %d}, want {%q %q %d}", i, e.Key, e.Value, e.Rev, w.Key, w.Value, w.Rev)
		}
	}
	for log, b := range s.bounds {
		if got.bounds[log] != b {
			t.Fatalf("after reopen: Bounds(%q) = %v, want %v", log, got.bounds[log], b)
		}
		sameRecords(t, fmt.Sprintf("after reopen, log %q", log), got.recs[log], s.recs[log])
	}
}

func maxRev(entries []storage.Entry) uint64 {
	var m uint64
	for _, e := range entries {
		m = max(m, e.Rev)
	}
	return m
}

func testDurableReopen(t *testing.T, h *harness) {
	m, ls := h.meta(), h.logs()
	ra := mustPut(t, m, "s/a", "a1", 0)
	ra = mustPut(t, m, "s/a", "a2", ra)
	rb := mustPut(t, m, "s/b", "b1", 0)
	rc := mustPut(t, m, "s/c", "c1", 0)
	if err := m.Delete(bg, "s/c", rc); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustPut(t, m, "t/bin", "\x00\xff\x01", 0)

	logs := []string{"l0", "l1", "l2", "gone"}
	var last *storage.Batch
	for i := range 6 {
		b0 := batchOf("l0", records(fmt.Sprint("l0-", i), 3))
		b1 := batchOf("l1", records(fmt.Sprint("l1-", i), 1+i))
		appendAfter(t, ls, lastArrival(last), b0)
		mustAppend(t, ls, b1, batchOf("gone", records("g", 2)))
		last = b1
	}
	mustAppend(t, ls, batchOf("l2", records("l2", 4)))
	if err := ls.Trim(bg, "l1", 5); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	if err := ls.DeleteLog(bg, "gone"); err != nil {
		t.Fatalf("DeleteLog: %v", err)
	}
	before := takeSnapshot(t, h, logs)
	if len(before.recs["l0"]) != 18 {
		t.Fatalf("log l0 holds %d records before reopen, want 18", len(before.recs["l0"]))
	}
	seekBefore := mustSeek(t, ls, "l0", before.recs["l0"][7].ArrivalMs)

	h.reopen()
	m, ls = h.meta(), h.logs()
	after := takeSnapshot(t, h, logs)
	before.compare(t, after)
	wantBounds(t, ls, "gone", 0, 0)
	if got := mustSeek(t, ls, "l0", before.recs["l0"][7].ArrivalMs); got != seekBefore {
		t.Fatalf("SeekTime after reopen = %d, want %d", got, seekBefore)
	}

	// Everything continues where it stopped.
	wantGet(t, m, "s/a", "a2", ra)
	ra2 := mustPut(t, m, "s/a", "a3", ra)
	if ra2 <= maxRev(before.meta) {
		t.Fatalf("revision after reopen %d not above %d", ra2, maxRev(before.meta))
	}
	rc2 := mustPut(t, m, "s/c", "c2", 0)
	if rc2 <= rc || rc2 <= ra2 {
		t.Fatalf("recreated key after reopen got revision %d (deleted at %d, last %d)", rc2, rc, ra2)
	}
	if _, err := m.Put(bg, "s/b", []byte("x"), rb+100); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("Put with a wrong revision after reopen: %v, want ErrConflict", err)
	}
	b := batchOf("l1", records("new", 2))
	mustAppend(t, ls, b)
	if want := before.bounds["l1"][1]; b.FirstOffset != want {
		t.Fatalf("append after reopen: FirstOffset %d, want %d", b.FirstOffset, want)
	}
	if b.ArrivalMs < last.ArrivalMs {
		t.Fatalf("append after reopen: ArrivalMs %d before %d", b.ArrivalMs, last.ArrivalMs)
	}
	wantBounds(t, ls, "l1", 5, before.bounds["l1"][1]+2)

	// And a second reopen sees the new state too.
	mid := takeSnapshot(t, h, logs)
	h.reopen()
	mid.compare(t, takeSnapshot(t, h, logs))
}

func lastArrival(b *storage.Batch) int64 {
	if b == nil {
		return 0
	}
	return b.ArrivalMs
}

func testDurableTrimmedAll(t *testing.T, h *harness) {
	ls := h.logs()
	mustAppend(t, ls, batchOf("t", records("t", 10)), batchOf("p", records("p", 10)))
	if err := ls.Trim(bg, "t", 10); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	if err := ls.Trim(bg, "p", 6); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	h.reopen()
	ls = h.logs()
	wantBounds(t, ls, "t", 10, 10)
	wantBounds(t, ls, "p", 6, 10)
	if got := mustRead(t, ls, "t", 0, 100, 0); len(got) != 0 {
		t.Fatalf("Read after reopen returned %d trimmed records", len(got))
	}
	checkRecords(t, mustRead(t, ls, "p", 0, 100, 0), 6, records("p", 10)[6:])
	if got := mustSeek(t, ls, "t", 0); got != 10 {
		t.Fatalf("SeekTime on an emptied log after reopen = %d, want 10", got)
	}
	b := batchOf("t", records("u", 2))
	mustAppend(t, ls, b)
	if b.FirstOffset != 10 {
		t.Fatalf("offsets reused after a restart: FirstOffset %d, want 10", b.FirstOffset)
	}
	// Trimming everything again and restarting twice still never reuses.
	if err := ls.Trim(bg, "t", 12); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	h.reopen()
	h.reopen()
	wantBounds(t, h.logs(), "t", 12, 12)
	b = batchOf("t", records("v", 1))
	mustAppend(t, h.logs(), b)
	if b.FirstOffset != 12 {
		t.Fatalf("offsets reused after two restarts: FirstOffset %d, want 12", b.FirstOffset)
	}
}

func testDurableDeleted(t *testing.T, h *harness) {
	m, ls := h.meta(), h.logs()
	rev := mustPut(t, m, "k", "v", 0)
	if err := m.Delete(bg, "k", rev); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustAppend(t, ls, batchOf("d", records("d", 3)), batchOf("e", records("e", 1)))
	if err := ls.DeleteLog(bg, "d"); err != nil {
		t.Fatalf("DeleteLog: %v", err)
	}
	h.reopen()
	m, ls = h.meta(), h.logs()
	if _, _, err := m.Get(bg, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("deleted key after reopen: %v, want ErrNotFound", err)
	}
	wantBounds(t, ls, "d", 0, 0)
	if got := mustRead(t, ls, "d", 0, 10, 0); len(got) != 0 {
		t.Fatalf("deleted log after reopen returned %d records", len(got))
	}
	wantBounds(t, ls, "e", 0, 1)
	rev2 := mustPut(t, m, "k", "w", 0)
	if rev2 <= rev {
		t.Fatalf("key recreated after reopen got revision %d, not above %d", rev2, rev)
	}
}

func testDurableConcurrentThenReopen(t *testing.T, h *harness) {
	ls := h.logs()
	logs := []string{"a", "b", "c"}
	led := &ledger{want: map[placed]tagged{}}
	var wg sync.WaitGroup
	for g := range uint32(6) {
		wg.Go(func() {
			for i := range uint32(60) {
				b := &storage.Batch{Log: logs[(g+i)%3], Records: []storage.Record{tagged{g, i, 0}.record(), tagged{g, i, 1}.record()}}
				if err := ls.Append(bg, []*storage.Batch{b}); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				led.add(b, g, i, 0)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	h.reopen()
	led.verify(t, h.logs(), logs)
}
