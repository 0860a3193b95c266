package storagetest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/freshet/freshet/internal/storage"
)

// These cases probe a log at and between the edges of its appended
// batches, which a backend may store as units: reads starting, trims
// cutting and byte limits stopping inside a batch, time seeks at batch
// boundaries, and batches too large to keep as one unit.

// model is what a log should hold: its records in offset order from 0, the
// arrival time of each, and the trim horizon.
type model struct {
	recs    []storage.Record
	arrival []int64
	first   uint64
}

func (m *model) append(b *storage.Batch) {
	for range b.Records {
		m.arrival = append(m.arrival, b.ArrivalMs)
	}
	m.recs = append(m.recs, b.Records...)
}

// read is the contract of LogStore.Read applied to the model.
func (m *model) read(from uint64, limit, maxBytes int) []storage.StoredRecord {
	var out []storage.StoredRecord
	total := 0
	for off := max(from, m.first); off < uint64(len(m.recs)) && len(out) < limit; off++ {
		r := m.recs[off]
		size := len(r.PartitionKey) + len(r.Data)
		if maxBytes > 0 && len(out) > 0 && total+size > maxBytes {
			break
		}
		total += size
		out = append(out, storage.StoredRecord{Offset: off, ArrivalMs: m.arrival[off], PartitionKey: r.PartitionKey, Data: r.Data})
	}
	return out
}

// seek is the contract of LogStore.SeekTime applied to the model.
func (m *model) seek(ms int64) uint64 {
	for off := m.first; off < uint64(len(m.recs)); off++ {
		if m.arrival[off] >= ms {
			return off
		}
	}
	return uint64(len(m.recs))
}

// check compares reads starting at every offset in [from, to) with the
// model, under each limit and byte limit, and time seeks at every batch's
// arrival and just around it.
func (m *model) check(t *testing.T, ls storage.LogStore, log string, from, to uint64, limits, byteLimits []int) {
	t.Helper()
	wantBounds(t, ls, log, m.first, uint64(len(m.recs)))
	for off := from; off < to; off++ {
		for _, limit := range limits {
			for _, maxBytes := range byteLimits {
				what := fmt.Sprintf("Read(%q, %d, %d, %d)", log, off, limit, maxBytes)
				sameRecords(t, what, mustRead(t, ls, log, off, limit, maxBytes), m.read(off, limit, maxBytes))
			}
		}
	}
	for i, a := range m.arrival {
		if i > 0 && m.arrival[i-1] == a {
			continue
		}
		for _, ms := range []int64{a - 1, a, a + 1} {
			if got, want := mustSeek(t, ls, log, ms), m.seek(ms); got != want {
				t.Fatalf("SeekTime(%q, %d) = %d, want %d", log, ms, got, want)
			}
		}
	}
}

// appendModel appends batches of the given sizes to log, each in a later
// millisecond than the last, and records them in m. Record i of the log
// has a partition key of 1 + i%5 bytes and 10 + i%13 bytes of data.
func appendModel(t *testing.T, ls storage.LogStore, log string, m *model, sizes ...int) {
	t.Helper()
	for _, n := range sizes {
		b := &storage.Batch{Log: log}
		for range n {
			i := len(m.recs) + len(b.Records)
			b.Records = append(b.Records, storage.Record{
				PartitionKey: bytes.Repeat([]byte{'a' + byte(i%26)}, 1+i%5),
				Data:         fmt.Appendf(nil, "%d-%s", i, bytes.Repeat([]byte{'.'}, 10+i%13)),
			})
		}
		last := int64(0)
		if len(m.arrival) > 0 {
			last = m.arrival[len(m.arrival)-1]
		}
		appendAfter(t, ls, last, b)
		m.append(b)
	}
}

// testReadAcrossBatches reads from every offset of batches of assorted
// sizes, with limits and byte limits that stop inside and across them.
func testReadAcrossBatches(t *testing.T, h *harness) {
	ls := h.logs()
	m := &model{}
	appendModel(t, ls, "x", m, 1, 7, 40, 2, 1, 25)
	n := uint64(len(m.recs))
	m.check(t, ls, "x", 0, n+2, []int{1, 2, 6, 30, 1000}, []int{0, 1, 30, 100, 700})
}

// testTrimInsideBatch trims at offsets inside, at the start of and at the
// end of batches, checking every read and seek after each trim, and after
// a reopen for durable backends.
func testTrimInsideBatch(t *testing.T, h *harness) {
	ls := h.logs()
	m := &model{}
	appendModel(t, ls, "t", m, 10, 10, 1, 10, 5)
	for _, cut := range []uint64{3, 4, 10, 15, 20, 21, 22, 31, 36} {
		if err := ls.Trim(bg, "t", cut); err != nil {
			t.Fatalf("Trim(%d): %v", cut, err)
		}
		m.first = cut
		n := uint64(len(m.recs))
		m.check(t, ls, "t", 0, n+1, []int{1, 3, 100}, []int{0, 40})
		if h.f.Durable && (cut == 4 || cut == 21) {
			h.reopen()
			ls = h.logs()
			m.check(t, ls, "t", 0, n+1, []int{1, 3, 100}, []int{0, 40})
		}
	}
	// Appends continue at the tip of a log trimmed to it.
	appendModel(t, ls, "t", m, 4)
	m.check(t, ls, "t", 30, uint64(len(m.recs)), []int{2, 100}, []int{0})
}

// testLargeBatch appends batches far beyond any sensible unit of storage,
// by count and by bytes, and reads, seeks and trims across them.
func testLargeBatch(t *testing.T, h *harness) {
	ls := h.logs()
	m := &model{}
	appendModel(t, ls, "many", m, 2, 4500, 3)
	n := uint64(len(m.recs))
	// Read every offset near the ends and a sample in between.
	for _, r := range [][2]uint64{{0, 10}, {995, 1006}, {1995, 2006}, {4490, n + 1}} {
		m.check(t, ls, "many", r[0], r[1], []int{1, 7, 3000}, []int{0, 500})
	}
	sameRecords(t, "Read(many, all)", mustRead(t, ls, "many", 0, int(n), 0), m.read(0, int(n), 0))
	if err := ls.Trim(bg, "many", 2999); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	m.first = 2999
	m.check(t, ls, "many", 2990, 3010, []int{1, 2000}, []int{0, 100})

	// A few megabytes in records of 300 KiB.
	big := &storage.Batch{Log: "big"}
	for i := range 12 {
		d := bytes.Repeat([]byte{byte(i)}, 300<<10)
		d = fmt.Appendf(d, "#%d", i)
		big.Records = append(big.Records, storage.Record{PartitionKey: fmt.Appendf(nil, "pk%d", i), Data: d})
	}
	mb := &model{}
	mustAppend(t, ls, big)
	mb.append(big)
	mb.check(t, ls, "big", 0, 13, []int{1, 5, 100}, []int{0, 1, 700 << 10, 1 << 20})
	if err := ls.Trim(bg, "big", 5); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	mb.first = 5
	mb.check(t, ls, "big", 0, 13, []int{1, 100}, []int{0, 700 << 10})
	if h.f.Durable {
		h.reopen()
		mb.check(t, h.logs(), "big", 0, 13, []int{1, 100}, []int{0, 700 << 10})
		m.check(t, h.logs(), "many", 2990, 3010, []int{1, 2000}, []int{0, 100})
	}
}
