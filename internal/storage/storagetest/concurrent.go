package storagetest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/storage"
)

// tagged is a record payload naming its writer, the writer's append number
// and the record's place in that append.
type tagged struct{ g, i, j uint32 }

func (tg tagged) record() storage.Record {
	d := make([]byte, 12, 40)
	binary.BigEndian.PutUint32(d, tg.g)
	binary.BigEndian.PutUint32(d[4:], tg.i)
	binary.BigEndian.PutUint32(d[8:], tg.j)
	d = append(d, "padding-padding-padding"[:tg.j%23]...)
	return storage.Record{PartitionKey: fmt.Appendf(nil, "g%d", tg.g), Data: d}
}

func parseTagged(r storage.StoredRecord) (tagged, error) {
	if len(r.Data) < 12 {
		return tagged{}, fmt.Errorf("offset %d: %d-byte payload is not a tagged record", r.Offset, len(r.Data))
	}
	tg := tagged{
		g: binary.BigEndian.Uint32(r.Data),
		i: binary.BigEndian.Uint32(r.Data[4:]),
		j: binary.BigEndian.Uint32(r.Data[8:]),
	}
	if want := tg.record(); string(want.Data) != string(r.Data) || string(want.PartitionKey) != string(r.PartitionKey) {
		return tagged{}, fmt.Errorf("offset %d: corrupt record %q / %q", r.Offset, r.PartitionKey, r.Data)
	}
	return tg, nil
}

// placed is where an acknowledged append put one record.
type placed struct {
	log    string
	offset uint64
}

// ledger records what acknowledged appends wrote, for checking afterwards.
type ledger struct {
	mu   sync.Mutex
	want map[placed]tagged
}

func (l *ledger) add(b *storage.Batch, g, i uint32, firstJ int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for j := range b.Records {
		l.want[placed{b.Log, b.FirstOffset + uint64(j)}] = tagged{g, i, uint32(firstJ + j)}
	}
}

// verify reads every log back and checks it holds exactly the acknowledged
// records, contiguous from 0, each writer's appends in its own order,
// arrival times never decreasing.
func (l *ledger) verify(t *testing.T, ls storage.LogStore, logs []string) {
	t.Helper()
	total := 0
	for _, log := range logs {
		recs := readAll(t, ls, log)
		first, next := mustBounds(t, ls, log)
		if first != 0 || next != uint64(len(recs)) {
			t.Fatalf("log %q: Bounds %d, %d with %d records read", log, first, next, len(recs))
		}
		lastI := map[uint32]int64{}
		lastArrival := int64(0)
		for k, r := range recs {
			if r.Offset != uint64(k) {
				t.Fatalf("log %q: record %d has offset %d: gap or duplicate", log, k, r.Offset)
			}
			tg, err := parseTagged(r)
			if err != nil {
				t.Fatalf("log %q: %v", log, err)
			}
			want, ok := l.want[placed{log, r.Offset}]
			if !ok {
				t.Fatalf("log %q offset %d holds %+v, which no acknowledged append wrote there", log, r.Offset, tg)
			}
			if want != tg {
				t.Fatalf("log %q offset %d holds %+v, want %+v", log, r.Offset, tg, want)
			}
			if prev, ok := lastI[tg.g]; ok && int64(tg.i) < prev {
				t.Fatalf("log %q offset %d: writer %d's append %d after its append %d", log, r.Offset, tg.g, tg.i, prev)
			}
			lastI[tg.g] = int64(tg.i)
			if r.ArrivalMs < lastArrival {
				t.Fatalf("log %q offset %d: arrival %d before the previous record's %d", log, r.Offset, r.ArrivalMs, lastArrival)
			}
			lastArrival = r.ArrivalMs
		}
		total += len(recs)
	}
	if total != len(l.want) {
		t.Fatalf("read %d records, %d were acknowledged", total, len(l.want))
	}
}

func testConcurrentAppend(t *testing.T, h *harness) {
	ls := h.logs()
	const writers, appends = 8, 200
	logs := []string{"c0", "c1", "c2", "c3"}
	led := &ledger{want: map[placed]tagged{}}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for g := range uint32(writers) {
		wg.Go(func() {
			for i := range uint32(appends) {
				n := 1 + int(i%3)
				b := &storage.Batch{Log: logs[(g+i)%4]}
				for j := range n {
					b.Records = append(b.Records, tagged{g, i, uint32(j)}.record())
				}
				batches := []*storage.Batch{b}
				// Every fifth append also writes to a second log and a second
				// batch to the first: one atomic call.
				var b2, b3 *storage.Batch
				if i%5 == 0 {
					b2 = &storage.Batch{Log: logs[(g+i+1)%4], Records: []storage.Record{tagged{g, i, 100}.record()}}
					b3 = &storage.Batch{Log: b.Log, Records: []storage.Record{tagged{g, i, uint32(n)}.record()}}
					batches = append(batches, b2, b3)
				}
				if err := ls.Append(bg, batches); err != nil {
					errs <- fmt.Errorf("Append: %w", err)
					return
				}
				led.add(b, g, i, 0)
				if b2 != nil {
					if b3.FirstOffset != b.FirstOffset+uint64(n) {
						errs <- fmt.Errorf("second batch for %q at %d, want right after the first (%d)", b.Log, b3.FirstOffset, b.FirstOffset+uint64(n))
						return
					}
					led.add(b2, g, i, 100)
					led.add(b3, g, i, n)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	led.verify(t, ls, logs)
}

func testConcurrentReadVisibility(t *testing.T, h *harness) {
	ls := h.logs()
	const writers, appends, readers = 4, 150, 3
	var (
		wg       sync.WaitGroup
		done     atomic.Bool
		failures = make(chan error, writers+readers)
	)
	fail := func(format string, args ...any) {
		select {
		case failures <- fmt.Errorf(format, args...):
		default:
		}
	}
	for g := range uint32(writers) {
		wg.Go(func() {
			for i := range uint32(appends) {
				b := &storage.Batch{Log: "v"}
				for j := range 1 + i%2 {
					b.Records = append(b.Records, tagged{g, i, j}.record())
				}
				if err := ls.Append(bg, []*storage.Batch{b}); err != nil {
					fail("Append: %v", err)
					return
				}
				// Read your own write: once Append returns the records are
				// visible.
				got, err := ls.Read(bg, "v", b.FirstOffset, len(b.Records), 0)
				if err != nil || len(got) != len(b.Records) || got[0].Offset != b.FirstOffset {
					fail("Read right after Append at %d: %d records, %v", b.FirstOffset, len(got), err)
					return
				}
				for k, r := range got {
					tg, err := parseTagged(r)
					if err != nil || tg != (tagged{g, i, uint32(k)}) {
						fail("own record at %d is %+v (%v), want %+v", r.Offset, tg, err, tagged{g, i, uint32(k)})
						return
					}
				}
			}
		})
	}
	var rg sync.WaitGroup
	for range readers {
		rg.Go(func() {
			var from uint64
			lastI := map[uint32]int64{}
			lastNext := uint64(0)
			for {
				finished := done.Load()
				_, next, err := ls.Bounds(bg, "v")
				if err != nil {
					fail("Bounds: %v", err)
					return
				}
				if next < lastNext {
					fail("Bounds next went back from %d to %d", lastNext, next)
					return
				}
				lastNext = next
				recs, err := ls.Read(bg, "v", from, 1+rand.IntN(20), 0)
				if err != nil {
					fail("Read: %v", err)
					return
				}
				if from < next && len(recs) == 0 {
					fail("Read(%d) returned nothing though Bounds said next is %d", from, next)
					return
				}
				for k, r := range recs {
					if r.Offset != from+uint64(k) {
						fail("reader asked for %d and got offset %d at position %d: gap or reordering", from, r.Offset, k)
						return
					}
					tg, err := parseTagged(r)
					if err != nil {
						fail("reader: %v", err)
						return
					}
					if prev, ok := lastI[tg.g]; ok && int64(tg.i) < prev {
						fail("reader saw writer %d's append %d after its append %d", tg.g, tg.i, prev)
						return
					}
					lastI[tg.g] = int64(tg.i)
				}
				from += uint64(len(recs))
				if finished && len(recs) == 0 {
					if from != next {
						fail("reader stopped at %d, log ends at %d", from, next)
					}
					return
				}
				if len(recs) == 0 {
					time.Sleep(50 * time.Microsecond)
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	rg.Wait()
	close(failures)
	for err := range failures {
		t.Fatal(err)
	}
	first, next := mustBounds(t, ls, "v")
	if first != 0 || next != writers*appends*3/2 {
		t.Fatalf("Bounds = %d, %d; want 0, %d", first, next, writers*appends*3/2)
	}
}

func testContextCancel(t *testing.T, h *harness) {
	ls, m := h.logs(), h.meta()
	ctx, cancel := context.WithCancel(bg)
	cancel()
	b := batchOf("x", records("x", 3))
	if err := ls.Append(ctx, []*storage.Batch{b}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Append with a cancelled context: %v, want context.Canceled", err)
	}
	wantBounds(t, ls, "x", 0, 0)
	if _, err := m.Put(ctx, "k", []byte("v"), 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context: %v, want context.Canceled", err)
	}
	if _, _, err := m.Get(bg, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get after a cancelled Put: %v, want ErrNotFound", err)
	}

	// Appends whose contexts end at random moments: the ones that fail
	// append nothing, the ones that succeed are whole and in place.
	const writers, appends = 6, 80
	logs := []string{"r0", "r1"}
	led := &ledger{want: map[placed]tagged{}}
	var wg sync.WaitGroup
	var failed, succeeded atomic.Int64
	for g := range uint32(writers) {
		wg.Go(func() {
			for i := range uint32(appends) {
				ctx, cancel := context.WithCancel(bg)
				switch i % 4 {
				case 0:
					cancel()
				case 1:
					go cancel()
				case 2:
					time.AfterFunc(time.Duration(rand.IntN(200))*time.Microsecond, cancel)
				}
				b1 := &storage.Batch{Log: logs[0], Records: []storage.Record{tagged{g, i, 0}.record(), tagged{g, i, 1}.record()}}
				b2 := &storage.Batch{Log: logs[1], Records: []storage.Record{tagged{g, i, 2}.record()}}
				err := ls.Append(ctx, []*storage.Batch{b1, b2})
				cancel()
				switch {
				case err == nil:
					succeeded.Add(1)
					led.add(b1, g, i, 0)
					led.add(b2, g, i, 2)
				case errors.Is(err, context.Canceled):
					failed.Add(1)
				default:
					t.Errorf("Append: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if failed.Load() == 0 || succeeded.Load() == 0 {
		t.Fatalf("%d appends failed and %d succeeded; want some of each", failed.Load(), succeeded.Load())
	}
	led.verify(t, ls, logs)
}

func testClosed(t *testing.T, h *harness) {
	ls, m := h.logs(), h.meta()
	mustAppend(t, ls, batchOf("l", records("l", 2)))
	rev := mustPut(t, m, "k", "v", 0)
	if err := h.b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := h.b.Close(); err != nil {
		t.Fatalf("second Close: %v, want nil", err)
	}
	_, _, err := m.Get(bg, "k")
	wantErr(t, "Get", err, storage.ErrClosed)
	_, err = m.Put(bg, "k", []byte("w"), rev)
	wantErr(t, "Put", err, storage.ErrClosed)
	wantErr(t, "Delete", m.Delete(bg, "k", rev), storage.ErrClosed)
	_, err = m.List(bg, "")
	wantErr(t, "List", err, storage.ErrClosed)
	wantErr(t, "Append", ls.Append(bg, []*storage.Batch{batchOf("l", records("l", 1))}), storage.ErrClosed)
	_, err = ls.Read(bg, "l", 0, 10, 0)
	wantErr(t, "Read", err, storage.ErrClosed)
	_, _, err = ls.Bounds(bg, "l")
	wantErr(t, "Bounds", err, storage.ErrClosed)
	_, err = ls.SeekTime(bg, "l", 0)
	wantErr(t, "SeekTime", err, storage.ErrClosed)
	wantErr(t, "Trim", ls.Trim(bg, "l", 1), storage.ErrClosed)
	wantErr(t, "DeleteLog", ls.DeleteLog(bg, "l"), storage.ErrClosed)
	// Handles fetched after Close fail the same way.
	wantErr(t, "Append via a new handle", h.b.Logs().Append(bg, []*storage.Batch{batchOf("l", records("l", 1))}), storage.ErrClosed)
	if h.b.Name() == "" {
		t.Fatal("Name is empty")
	}
}
