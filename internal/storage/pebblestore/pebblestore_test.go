package pebblestore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/storage"
	"github.com/freshet/freshet/internal/storage/storagetest"
)

func openTest(t testing.TB, dir string, mode SyncMode) *Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, Sync: mode, Interval: 20 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	for _, mode := range []SyncMode{SyncAlways, SyncInterval, SyncNever} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			storagetest.Run(t, storagetest.Factory{
				Open:    func(t *testing.T, dir string) storage.Backend { return openTest(t, dir, mode) },
				Durable: true,
			})
		})
	}
}

func TestParseSyncMode(t *testing.T) {
	for _, c := range []struct {
		in   string
		want SyncMode
		ok   bool
	}{
		{"always", SyncAlways, true},
		{"interval", SyncInterval, true},
		{"never", SyncNever, true},
		{"", 0, false},
		{"Always", 0, false},
		{"sometimes", 0, false},
	} {
		got, err := ParseSyncMode(c.in)
		if c.ok != (err == nil) || got != c.want {
			t.Errorf("ParseSyncMode(%q) = %v, %v; want %v, ok=%v", c.in, got, err, c.want, c.ok)
		}
		if c.ok && got.String() != c.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), c.in)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(Options{}); err == nil {
		t.Error("Open without a directory succeeded")
	}
	if _, err := Open(Options{Dir: t.TempDir(), Sync: SyncMode(9)}); err == nil {
		t.Error("Open with an invalid sync mode succeeded")
	}
}

// TestSyncModes writes through each mode, closes and checks a reopen in
// every mode sees everything.
func TestSyncModes(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []SyncMode{SyncAlways, SyncInterval, SyncNever} {
		t.Run(mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			s := openTest(t, dir, mode)
			b := &storage.Batch{Log: "l", Records: []storage.Record{{PartitionKey: []byte("k"), Data: []byte("v")}}}
			for range 20 {
				if err := s.Logs().Append(ctx, []*storage.Batch{b}); err != nil {
					t.Fatalf("Append: %v", err)
				}
			}
			rev, err := s.Meta().Put(ctx, "k", []byte("v"), 0)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if mode == SyncInterval {
				// The syncer clears the flag once it has synced.
				deadline := time.Now().Add(5 * time.Second)
				for s.unsynced.Load() && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				if s.unsynced.Load() {
					t.Fatal("SyncInterval never synced")
				}
			}
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			for _, again := range []SyncMode{SyncAlways, SyncInterval, SyncNever} {
				s := openTest(t, dir, again)
				first, next, err := s.Logs().Bounds(ctx, "l")
				if err != nil || first != 0 || next != 20 {
					t.Fatalf("reopened as %v: Bounds = %d, %d, %v; want 0, 20", again, first, next, err)
				}
				if _, r, err := s.Meta().Get(ctx, "k"); err != nil || r != rev {
					t.Fatalf("reopened as %v: Get = rev %d, %v; want %d", again, r, err, rev)
				}
				if err := s.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
			}
		})
	}
}

// TestGroupCommit appends from many goroutines and checks the writer
// grouped them into fewer commits, every append landing once.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir(), SyncAlways)
	defer s.Close()
	const goroutines, appends = 32, 50
	var wg sync.WaitGroup
	offsets := make([][]uint64, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := range appends {
				b := &storage.Batch{Log: fmt.Sprint("log", g%4), Records: []storage.Record{{Data: fmt.Appendf(nil, "%d/%d", g, i)}}}
				if err := s.Logs().Append(ctx, []*storage.Batch{b}); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				offsets[g] = append(offsets[g], b.FirstOffset)
			}
		})
	}
	wg.Wait()
	total := 0
	for l := range 4 {
		first, next, err := s.Logs().Bounds(ctx, fmt.Sprint("log", l))
		if err != nil || first != 0 {
			t.Fatalf("Bounds: %d, %d, %v", first, next, err)
		}
		recs, err := s.Logs().Read(ctx, fmt.Sprint("log", l), 0, 10000, 0)
		if err != nil || uint64(len(recs)) != next {
			t.Fatalf("Read: %d records, %v; want %d", len(recs), err, next)
		}
		seen := map[string]bool{}
		for i, r := range recs {
			if r.Offset != uint64(i) || seen[string(r.Data)] {
				t.Fatalf("log%d record %d: offset %d, data %q (dup %v)", l, i, r.Offset, r.Data, seen[string(r.Data)])
			}
			seen[string(r.Data)] = true
		}
		total += len(recs)
	}
	if total != goroutines*appends {
		t.Fatalf("%d records, want %d", total, goroutines*appends)
	}
	commits := s.w.commits.Load()
	t.Logf("%d appends in %d commits", goroutines*appends, commits)
	if commits >= goroutines*appends {
		t.Errorf("%d commits for %d concurrent appends: no group commit", commits, goroutines*appends)
	}
}

// TestReopenLarge reopens a store holding many logs and records and checks
// bounds, contents and the time index.
func TestReopenLarge(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir, SyncNever)
	const logs, perLog = 50, 400
	for i := range perLog / 100 {
		var batches []*storage.Batch
		for l := range logs {
			b := &storage.Batch{Log: fmt.Sprint("shard-", l)}
			for j := range 100 {
				b.Records = append(b.Records, storage.Record{PartitionKey: []byte{byte(j)}, Data: fmt.Appendf(nil, "%d-%d-%d", l, i, j)})
			}
			batches = append(batches, b)
		}
		if err := s.Logs().Append(ctx, batches); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	for l := range logs {
		if err := s.Logs().Trim(ctx, fmt.Sprint("shard-", l), uint64(l)); err != nil {
			t.Fatalf("Trim: %v", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openTest(t, dir, SyncAlways)
	defer s.Close()
	if len(s.logs) != logs {
		t.Fatalf("recovered %d logs, want %d", len(s.logs), logs)
	}
	for l := range logs {
		name := fmt.Sprint("shard-", l)
		first, next, err := s.Logs().Bounds(ctx, name)
		if err != nil || first != uint64(l) || next != perLog {
			t.Fatalf("%s: Bounds = %d, %d, %v; want %d, %d", name, first, next, err, l, perLog)
		}
		recs, err := s.Logs().Read(ctx, name, 0, perLog, 0)
		if err != nil || len(recs) != perLog-l {
			t.Fatalf("%s: Read = %d records, %v", name, len(recs), err)
		}
		if want := fmt.Sprintf("%d-%d-%d", l, l/100, l%100); l < perLog && string(recs[0].Data) != want {
			t.Fatalf("%s: first record %q, want %q", name, recs[0].Data, want)
		}
		if off, err := s.Logs().SeekTime(ctx, name, 0); err != nil || off != uint64(l) {
			t.Fatalf("%s: SeekTime(0) = %d, %v; want %d", name, off, err, l)
		}
	}
}

func TestKeys(t *testing.T) {
	// Chunk prefixes of different logs never prefix one another.
	names := []string{"", "a", "ab", "a\x01", "b", string(make([]byte, 200))}
	for _, x := range names {
		for _, y := range names {
			px, py := logPrefix(prefixChunk, x), logPrefix(prefixChunk, y)
			if x != y && len(px) <= len(py) && string(py[:len(px)]) == string(px) {
				t.Errorf("chunk prefix of %q is a prefix of %q's", x, y)
			}
		}
	}
	for _, c := range []struct{ in, want string }{
		{"a", "b"}, {"a\xff", "b"}, {"m\xff\xff", "n"}, {"\xff", ""},
	} {
		if got := string(prefixEnd([]byte(c.in))); got != c.want {
			t.Errorf("prefixEnd(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	next, first, last, err := decodeState(encodeState(nil, 10, 4, -3))
	if err != nil || next != 10 || first != 4 || last != -3 {
		t.Errorf("state round trip: %d %d %d %v", next, first, last, err)
	}
	if _, _, _, err := decodeState(encodeState(nil, 3, 4, 0)); err == nil {
		t.Error("state with horizon beyond next decoded")
	}
}

func TestChunkCodec(t *testing.T) {
	recs := []storage.Record{
		{PartitionKey: []byte("partition"), Data: []byte("\x00payload\xff")},
		{},
		{PartitionKey: make([]byte, 256), Data: make([]byte, 300)}, // two-byte lengths
	}
	n, bodyLen := splitChunk(recs)
	if n != len(recs) {
		t.Fatalf("splitChunk took %d of %d small records", n, len(recs))
	}
	v := make([]byte, chunkValueLen(n, bodyLen))
	encodeChunk(v, -1234567, recs)
	c, err := decodeChunk(41, v)
	if err != nil || c.first != 39 || c.last != 41 || c.count != 3 || c.arrival != -1234567 {
		t.Fatalf("chunk header round trip: %+v, %v", c, err)
	}
	body := c.body
	for i, want := range recs {
		pk, data, n, err := nextRecord(body)
		if err != nil || string(pk) != string(want.PartitionKey) || string(data) != string(want.Data) {
			t.Fatalf("record %d: %q %q %v", i, pk, data, err)
		}
		if cap(pk) != len(pk) || cap(data) != len(data) {
			t.Fatalf("record %d: slices not capped", i)
		}
		body = body[n:]
	}
	if len(body) != 0 {
		t.Fatalf("%d bytes left after the last record", len(body))
	}
	// Corrupt values fail to decode rather than panic.
	if _, err := decodeChunk(1, v); err == nil {
		t.Error("chunk of 3 records ending at offset 1 decoded")
	}
	for i := range chunkHeaderMin {
		if _, err := decodeChunk(41, v[:i]); err == nil {
			t.Errorf("chunk truncated to %d bytes decoded", i)
		}
	}
	bad := append([]byte(nil), v...)
	bad[0] = chunkFormat + 1
	if _, err := decodeChunk(41, bad); err == nil {
		t.Error("chunk of an unknown format decoded")
	}
	c, _ = decodeChunk(41, v)
	for i := range len(c.body) {
		if _, _, n, err := nextRecord(c.body[:i]); err == nil && n > i {
			t.Errorf("record read past a body truncated to %d bytes", i)
		}
	}
}

func TestSplitChunk(t *testing.T) {
	small := make([]storage.Record, 2500)
	if n, _ := splitChunk(small); n != maxChunkRecords {
		t.Errorf("splitChunk of %d empty records took %d, want %d", len(small), n, maxChunkRecords)
	}
	big := []storage.Record{{Data: make([]byte, 3*maxChunkBytes)}, {Data: []byte("x")}}
	if n, l := splitChunk(big); n != 1 || l != recordLen(&big[0]) {
		t.Errorf("splitChunk of an oversized record took %d records of %d bytes, want it alone", n, l)
	}
	half := []storage.Record{{Data: make([]byte, maxChunkBytes/2)}, {Data: make([]byte, maxChunkBytes/2)}}
	if n, l := splitChunk(half); n != 1 || l > maxChunkBytes {
		t.Errorf("splitChunk of two half-limit records took %d (%d bytes), want 1", n, l)
	}
	if n, l := splitChunk(nil); n != 0 || l != 0 {
		t.Errorf("splitChunk(nil) = %d, %d", n, l)
	}
}
