package storagetest

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/storage"
)

func testAppendMultiLog(t *testing.T, h *harness) {
	ls := h.logs()
	before := time.Now().UnixMilli()
	a1 := batchOf("a", records("a1", 3))
	b1 := batchOf("b", records("b1", 2))
	a2 := batchOf("a", records("a2", 4))
	c1 := batchOf("c", records("c1", 1))
	mustAppend(t, ls, a1, b1, a2, c1)
	after := time.Now().UnixMilli()

	for _, c := range []struct {
		b     *storage.Batch
		first uint64
	}{{a1, 0}, {b1, 0}, {a2, 3}, {c1, 0}} {
		if c.b.FirstOffset != c.first {
			t.Fatalf("batch for %q: FirstOffset %d, want %d", c.b.Log, c.b.FirstOffset, c.first)
		}
		if c.b.ArrivalMs < before || c.b.ArrivalMs > after {
			t.Fatalf("batch for %q: ArrivalMs %d outside [%d, %d]", c.b.Log, c.b.ArrivalMs, before, after)
		}
	}
	if a2.ArrivalMs < a1.ArrivalMs {
		t.Fatalf("second batch of a arrived at %d, before the first (%d)", a2.ArrivalMs, a1.ArrivalMs)
	}
	wantBounds(t, ls, "a", 0, 7)
	wantBounds(t, ls, "b", 0, 2)
	wantBounds(t, ls, "c", 0, 1)

	got := mustRead(t, ls, "a", 0, 100, 0)
	checkRecords(t, got, 0, append(records("a1", 3), records("a2", 4)...))
	for i, r := range got {
		want := a1.ArrivalMs
		if i >= 3 {
			want = a2.ArrivalMs
		}
		if r.ArrivalMs != want {
			t.Fatalf("a record %d: ArrivalMs %d, want %d", i, r.ArrivalMs, want)
		}
	}
	checkRecords(t, mustRead(t, ls, "b", 0, 100, 0), 0, records("b1", 2))
	checkRecords(t, mustRead(t, ls, "c", 0, 100, 0), 0, records("c1", 1))

	// A second call continues every log where it stopped, arrival times
	// never going back.
	a3 := batchOf("a", records("a3", 2))
	b2 := batchOf("b", records("b2", 1))
	mustAppend(t, ls, b2, a3)
	if a3.FirstOffset != 7 || b2.FirstOffset != 2 {
		t.Fatalf("second call: FirstOffsets a=%d b=%d, want 7, 2", a3.FirstOffset, b2.FirstOffset)
	}
	if a3.ArrivalMs < a2.ArrivalMs || b2.ArrivalMs < b1.ArrivalMs {
		t.Fatalf("arrival went back: a %d -> %d, b %d -> %d", a2.ArrivalMs, a3.ArrivalMs, b1.ArrivalMs, b2.ArrivalMs)
	}
	checkRecords(t, mustRead(t, ls, "a", 7, 100, 0), 7, records("a3", 2))
}

// testAppendCallerArrival: a caller's own arrival time is kept, but never
// lets a log's arrival times go back.
func testAppendCallerArrival(t *testing.T, h *harness) {
	ls := h.logs()
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli()
	first := batchOf("t", records("t1", 2))
	first.ArrivalMs = past
	mustAppend(t, ls, first)
	if first.ArrivalMs != past {
		t.Fatalf("caller arrival %d replaced by %d", past, first.ArrivalMs)
	}
	earlier := batchOf("t", records("t2", 1))
	earlier.ArrivalMs = past - 5000
	later := batchOf("t", records("t3", 1))
	later.ArrivalMs = past + 60000
	mustAppend(t, ls, earlier, later)
	if earlier.ArrivalMs != past || later.ArrivalMs != past+60000 {
		t.Fatalf("arrivals %d, %d; want %d (clamped up), %d", earlier.ArrivalMs, later.ArrivalMs, past, past+60000)
	}
	got := mustRead(t, ls, "t", 0, 10, 0)
	if len(got) != 4 || got[2].ArrivalMs != past || got[3].ArrivalMs != past+60000 {
		t.Fatalf("read back arrivals: %+v", got)
	}
	if off, err := ls.SeekTime(bg, "t", past+1); err != nil || off != 3 {
		t.Fatalf("SeekTime just after the first arrival: %d, %v; want 3", off, err)
	}
}

func testAppendEmpty(t *testing.T, h *harness) {
	ls := h.logs()
	if err := ls.Append(bg, nil); err != nil {
		t.Fatalf("Append(nil): %v", err)
	}
	mustAppend(t, ls, batchOf("e", records("e", 3)))
	empty := batchOf("e", nil)
	more := batchOf("e", records("f", 2))
	mustAppend(t, ls, empty, more)
	if empty.FirstOffset != 3 || more.FirstOffset != 3 {
		t.Fatalf("empty batch: FirstOffsets %d, %d; want 3, 3", empty.FirstOffset, more.FirstOffset)
	}
	wantBounds(t, ls, "e", 0, 5)
	checkRecords(t, mustRead(t, ls, "e", 3, 100, 0), 3, records("f", 2))
}

func testReadLimits(t *testing.T, h *harness) {
	ls := h.logs()
	recs := make([]storage.Record, 10)
	for i := range recs {
		// 2 bytes of key plus 98 of data: 100 bytes a record.
		recs[i] = storage.Record{PartitionKey: []byte{'k', byte('0' + i)}, Data: bytes.Repeat([]byte{byte(i)}, 98)}
	}
	mustAppend(t, ls, batchOf("l", recs))

	cases := []struct {
		from     uint64
		max      int
		maxBytes int
		want     int
	}{
		{0, 100, 0, 10},
		{0, 10, 0, 10},
		{3, 4, 0, 4},
		{0, 100, 250, 2},
		{0, 100, 300, 3},
		{0, 100, 299, 2},
		{2, 100, 1, 1},
		{0, 1, 1 << 20, 1},
		{9, 100, 0, 1},
		{9, 100, 50, 1},
		{0, 0, 0, 0},
		{0, -1, 0, 0},
		{0, 4, 1000, 4},
	}
	for _, c := range cases {
		got := mustRead(t, ls, "l", c.from, c.max, c.maxBytes)
		if len(got) != c.want {
			t.Fatalf("Read(from %d, max %d, maxBytes %d) returned %d records, want %d",
				c.from, c.max, c.maxBytes, len(got), c.want)
		}
		end := min(int(c.from)+c.want, len(recs))
		checkRecords(t, got, c.from, recs[c.from:end])
	}
}

func testReadUnknownAndBeyond(t *testing.T, h *harness) {
	ls := h.logs()
	got, err := ls.Read(bg, "nope", 0, 10, 0)
	if err != nil || len(got) != 0 {
		t.Fatalf("Read(unknown) = %d records, %v; want none, nil", len(got), err)
	}
	mustAppend(t, ls, batchOf("l", records("l", 5)))
	for _, from := range []uint64{5, 6, 1000, math.MaxUint64} {
		if got := mustRead(t, ls, "l", from, 10, 0); len(got) != 0 {
			t.Fatalf("Read(from %d) beyond the tip returned %d records", from, len(got))
		}
	}
	// Names are exact: no prefix or suffix matches.
	mustAppend(t, ls, batchOf("l2", records("l2", 1)))
	for _, name := range []string{"", "L", "l ", "l2x"} {
		if got := mustRead(t, ls, name, 0, 10, 0); len(got) != 0 {
			t.Fatalf("Read(%q) returned %d records of another log", name, len(got))
		}
	}
	checkRecords(t, mustRead(t, ls, "l", 0, 10, 0), 0, records("l", 5))
}

func testBounds(t *testing.T, h *harness) {
	ls := h.logs()
	wantBounds(t, ls, "x", 0, 0)
	for i := 1; i <= 5; i++ {
		mustAppend(t, ls, batchOf("x", records("x", i)))
	}
	wantBounds(t, ls, "x", 0, 15)
	wantBounds(t, ls, "y", 0, 0)
}

// appendAfter appends b once the clock has passed ms, so b's arrival time
// is strictly greater than ms.
func appendAfter(t *testing.T, ls storage.LogStore, ms int64, b *storage.Batch) {
	t.Helper()
	for time.Now().UnixMilli() <= ms {
		time.Sleep(200 * time.Microsecond)
	}
	mustAppend(t, ls, b)
	if b.ArrivalMs <= ms {
		t.Fatalf("batch appended after %d ms got ArrivalMs %d", ms, b.ArrivalMs)
	}
}

func testSeekTime(t *testing.T, h *harness) {
	ls := h.logs()
	if got := mustSeek(t, ls, "unknown", 0); got != 0 {
		t.Fatalf("SeekTime(unknown) = %d, want 0", got)
	}
	// 25 batches of 1..3 records, each in a later millisecond.
	var batches []*storage.Batch
	last := int64(0)
	for i := range 25 {
		b := batchOf("s", records("s", 1+i%3))
		appendAfter(t, ls, last, b)
		batches = append(batches, b)
		last = b.ArrivalMs
	}
	_, next := mustBounds(t, ls, "s")
	first := batches[0]
	for _, c := range []struct {
		ms   int64
		want uint64
	}{
		{math.MinInt64, 0},
		{0, 0},
		{first.ArrivalMs, 0},
		{last, batches[len(batches)-1].FirstOffset},
		{last + 1, next},
		{math.MaxInt64, next},
	} {
		if got := mustSeek(t, ls, "s", c.ms); got != c.want {
			t.Fatalf("SeekTime(%d) = %d, want %d", c.ms, got, c.want)
		}
	}
	for i, b := range batches {
		if got := mustSeek(t, ls, "s", b.ArrivalMs); got != b.FirstOffset {
			t.Fatalf("SeekTime(batch %d arrival %d) = %d, want %d", i, b.ArrivalMs, got, b.FirstOffset)
		}
		if i == 0 {
			continue
		}
		// Any time after the previous batch lands on this one.
		if got := mustSeek(t, ls, "s", batches[i-1].ArrivalMs+1); got != b.FirstOffset {
			t.Fatalf("SeekTime(just after batch %d) = %d, want %d", i-1, got, b.FirstOffset)
		}
	}

	// After a trim in the middle of batch 10, earlier times land on the
	// horizon.
	cut := batches[10].FirstOffset + 1
	if len(batches[10].Records) < 2 {
		cut = batches[10].FirstOffset
	}
	if err := ls.Trim(bg, "s", cut); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	for _, c := range []struct {
		ms   int64
		want uint64
	}{
		{0, cut},
		{batches[3].ArrivalMs, cut},
		{batches[10].ArrivalMs, cut},
		{batches[11].ArrivalMs, batches[11].FirstOffset},
		{last + 1, next},
	} {
		if got := mustSeek(t, ls, "s", c.ms); got != c.want {
			t.Fatalf("after Trim(%d): SeekTime(%d) = %d, want %d", cut, c.ms, got, c.want)
		}
	}
}

func testTrim(t *testing.T, h *harness) {
	ls := h.logs()
	recs := records("t", 10)
	mustAppend(t, ls, batchOf("t", recs))
	mustAppend(t, ls, batchOf("other", records("o", 3)))
	if err := ls.Trim(bg, "t", 4); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	wantBounds(t, ls, "t", 4, 10)
	checkRecords(t, mustRead(t, ls, "t", 0, 100, 0), 4, recs[4:])
	checkRecords(t, mustRead(t, ls, "t", 2, 3, 0), 4, recs[4:7])
	checkRecords(t, mustRead(t, ls, "t", 6, 100, 0), 6, recs[6:])
	two := len(recs[4].PartitionKey) + len(recs[4].Data) + len(recs[5].PartitionKey) + len(recs[5].Data)
	checkRecords(t, mustRead(t, ls, "t", 0, 100, two), 4, recs[4:6])

	// Trimming below the horizon does nothing.
	if err := ls.Trim(bg, "t", 2); err != nil {
		t.Fatalf("Trim below horizon: %v", err)
	}
	wantBounds(t, ls, "t", 4, 10)
	if err := ls.Trim(bg, "t", 4); err != nil {
		t.Fatalf("Trim at horizon: %v", err)
	}
	wantBounds(t, ls, "t", 4, 10)

	// Other logs are untouched, unknown logs are fine.
	wantBounds(t, ls, "other", 0, 3)
	checkRecords(t, mustRead(t, ls, "other", 0, 100, 0), 0, records("o", 3))
	if err := ls.Trim(bg, "unknown", 5); err != nil {
		t.Fatalf("Trim(unknown): %v", err)
	}
	wantBounds(t, ls, "unknown", 0, 0)

	// Appends continue at the tip.
	b := batchOf("t", records("t2", 2))
	mustAppend(t, ls, b)
	if b.FirstOffset != 10 {
		t.Fatalf("append after trim: FirstOffset %d, want 10", b.FirstOffset)
	}
	if err := ls.Trim(bg, "t", 11); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	wantBounds(t, ls, "t", 11, 12)
	checkRecords(t, mustRead(t, ls, "t", 0, 100, 0), 11, records("t2", 2)[1:])
}

func testTrimAll(t *testing.T, h *harness) {
	ls := h.logs()
	mustAppend(t, ls, batchOf("t", records("t", 10)))
	if err := ls.Trim(bg, "t", 1000); err != nil {
		t.Fatalf("Trim beyond the tip: %v", err)
	}
	wantBounds(t, ls, "t", 10, 10)
	if got := mustRead(t, ls, "t", 0, 100, 0); len(got) != 0 {
		t.Fatalf("Read after trimming everything returned %d records", len(got))
	}
	if got := mustSeek(t, ls, "t", 0); got != 10 {
		t.Fatalf("SeekTime on an emptied log = %d, want 10", got)
	}
	b := batchOf("t", records("u", 3))
	mustAppend(t, ls, b)
	if b.FirstOffset != 10 {
		t.Fatalf("append after trimming everything: FirstOffset %d, want 10", b.FirstOffset)
	}
	wantBounds(t, ls, "t", 10, 13)
	checkRecords(t, mustRead(t, ls, "t", 0, 100, 0), 10, records("u", 3))
}

func testDeleteLog(t *testing.T, h *harness) {
	ls := h.logs()
	mustAppend(t, ls, batchOf("d", records("d", 5)), batchOf("keep", records("k", 4)))
	if err := ls.DeleteLog(bg, "d"); err != nil {
		t.Fatalf("DeleteLog: %v", err)
	}
	wantBounds(t, ls, "d", 0, 0)
	if got := mustRead(t, ls, "d", 0, 100, 0); len(got) != 0 {
		t.Fatalf("Read of a deleted log returned %d records", len(got))
	}
	if got := mustSeek(t, ls, "d", 0); got != 0 {
		t.Fatalf("SeekTime of a deleted log = %d, want 0", got)
	}
	if err := ls.DeleteLog(bg, "d"); err != nil {
		t.Fatalf("DeleteLog twice: %v", err)
	}
	if err := ls.DeleteLog(bg, "never"); err != nil {
		t.Fatalf("DeleteLog(unknown): %v", err)
	}
	wantBounds(t, ls, "keep", 0, 4)
	checkRecords(t, mustRead(t, ls, "keep", 0, 100, 0), 0, records("k", 4))
}

func testBinaryData(t *testing.T, h *harness) {
	ls := h.logs()
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	rev := make([]byte, 256)
	for i := range rev {
		rev[i] = byte(255 - i)
	}
	recs := []storage.Record{
		{PartitionKey: all, Data: all},
		{PartitionKey: []byte{0}, Data: rev},
		{PartitionKey: []byte{0xff, 0xfe}, Data: []byte{0, 0, 0, 0}},
		{PartitionKey: []byte("k"), Data: bytes.Repeat(all, 40)},
	}
	mustAppend(t, ls, batchOf("bin\x00\xff", recs))
	checkRecords(t, mustRead(t, ls, "bin\x00\xff", 0, 10, 0), 0, recs)
	wantBounds(t, ls, "bin", 0, 0)
}

func testEmptyData(t *testing.T, h *harness) {
	ls := h.logs()
	recs := []storage.Record{
		{},
		{PartitionKey: []byte{}, Data: []byte{}},
		{PartitionKey: []byte("k"), Data: nil},
		{PartitionKey: nil, Data: []byte("d")},
	}
	mustAppend(t, ls, batchOf("", recs))
	got := mustRead(t, ls, "", 0, 10, 0)
	checkRecords(t, got, 0, recs)
	// Records with no bytes at all still count one each against max.
	if got := mustRead(t, ls, "", 0, 2, 1); len(got) != 2 {
		t.Fatalf("Read(max 2, maxBytes 1) of empty records returned %d, want 2", len(got))
	}
}

func testLargeRecord(t *testing.T, h *harness) {
	ls := h.logs()
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	recs := []storage.Record{{PartitionKey: []byte("big"), Data: big}, {PartitionKey: []byte("s"), Data: []byte("small")}}
	mustAppend(t, ls, batchOf("big", recs))
	checkRecords(t, mustRead(t, ls, "big", 0, 10, 1000), 0, recs[:1])
	checkRecords(t, mustRead(t, ls, "big", 0, 10, 0), 0, recs)
}

func testDataCopies(t *testing.T, h *harness) {
	ls := h.logs()
	recs := []storage.Record{
		{PartitionKey: []byte("pk1"), Data: []byte("first")},
		{PartitionKey: []byte("pk2"), Data: []byte("second")},
	}
	want := []storage.Record{
		{PartitionKey: []byte("pk1"), Data: []byte("first")},
		{PartitionKey: []byte("pk2"), Data: []byte("second")},
	}
	mustAppend(t, ls, batchOf("c", recs))
	// The caller may reuse its buffers once Append returns.
	copy(recs[0].Data, "XXXXX")
	copy(recs[1].PartitionKey, "YYY")
	got := mustRead(t, ls, "c", 0, 10, 0)
	checkRecords(t, got, 0, want)
	// What Read returns belongs to the caller: writing to it or appending
	// to one record must not change the store or the next record.
	copy(got[0].Data, "ZZZZZ")
	got[0].Data = append(got[0].Data, "-grown-over-the-neighbour"...)
	got[0].PartitionKey = append(got[0].PartitionKey, "!!!!!!!!"...)
	if string(got[1].Data) != "second" || string(got[1].PartitionKey) != "pk2" {
		t.Fatalf("appending to one returned record changed the next: %q %q", got[1].PartitionKey, got[1].Data)
	}
	checkRecords(t, mustRead(t, ls, "c", 0, 10, 0), 0, want)
}
