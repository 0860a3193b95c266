package pebblestore

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble"

	"github.com/freshet/freshet/internal/storage"
)

// v1Record is a record as layout version 1 stored it.
type v1Record struct {
	log     string
	off     uint64
	arrival int64
	pk      string
	data    string
}

func writeV1(t *testing.T, dir string, recs []v1Record, states map[string][3]uint64, meta map[string]string) {
	t.Helper()
	db, err := pebble.Open(dir, &pebble.Options{FormatMajorVersion: pebble.FormatNewest})
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	_ = b.Set([]byte(keyVersion), []byte{1}, nil)
	for _, r := range recs {
		k := binary.BigEndian.AppendUint64(logPrefix(prefixRecordV1, r.log), r.off)
		v := binary.BigEndian.AppendUint64(nil, uint64(r.arrival))
		v = binary.AppendUvarint(v, uint64(len(r.pk)))
		v = append(append(v, r.pk...), r.data...)
		_ = b.Set(k, v, nil)
	}
	for log, st := range states {
		_ = b.Set(stateKey(log), encodeState(nil, st[0], st[1], int64(st[2])), nil)
	}
	rev := uint64(0)
	for k, v := range meta {
		rev++
		_ = b.Set(metaKey(k), append(binary.BigEndian.AppendUint64(nil, rev), v...), nil)
	}
	_ = b.Set([]byte(keyMetaRev), binary.BigEndian.AppendUint64(nil, rev), nil)
	// What a migration that died part way could have left: it must go.
	_ = b.Set(chunkKey(logPrefix(prefixChunk, "a"), 2), []byte("leftover"), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateV1 opens a database written with one key per record and
// checks that records, arrival times, horizons, next offsets and metadata
// all survive the migration to chunks.
func TestMigrateV1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var recs []v1Record
	// Log "a": offsets 3..2502 (0..2 trimmed), arrival changing every 7
	// records, so runs break on arrival and on the 1,000-record cap.
	for off := uint64(3); off < 2503; off++ {
		recs = append(recs, v1Record{"a", off, 1000 + int64(off/7), fmt.Sprint("pk", off%5), fmt.Sprint("data-", off)})
	}
	// Log "ab": two records too big to share a chunk, then an empty one.
	big := string(make([]byte, 40<<10))
	recs = append(recs,
		v1Record{"ab", 0, 5, "x", big},
		v1Record{"ab", 1, 5, "y", big},
		v1Record{"ab", 2, 5, "", ""},
	)
	states := map[string][3]uint64{
		"a":     {2503, 3, 1000 + 2502/7},
		"ab":    {3, 0, 5},
		"empty": {10, 10, 9}, // trimmed to the tip
	}
	writeV1(t, dir, recs, states, map[string]string{"k": "v"})

	for round := range 2 { // the second open finds layout 2
		s := openTest(t, dir, SyncAlways)
		for log, st := range states {
			first, next, err := s.Logs().Bounds(ctx, log)
			if err != nil || first != st[1] || next != st[0] {
				t.Fatalf("round %d: Bounds(%q) = %d, %d, %v; want %d, %d", round, log, first, next, err, st[1], st[0])
			}
		}
		got := map[string][]storage.StoredRecord{}
		for _, log := range []string{"a", "ab", "empty"} {
			got[log], _ = s.Logs().Read(ctx, log, 0, 1<<20, 0)
		}
		i := 0
		for _, log := range []string{"a", "ab"} {
			for _, r := range got[log] {
				w := recs[i]
				if r.Offset != w.off || r.ArrivalMs != w.arrival || string(r.PartitionKey) != w.pk || string(r.Data) != w.data {
					t.Fatalf("round %d: %s record %d = {%d %d %q %.20q}, want %+.60v", round, log, i, r.Offset, r.ArrivalMs, r.PartitionKey, r.Data, w)
				}
				i++
			}
		}
		if i != len(recs) || len(got["empty"]) != 0 {
			t.Fatalf("round %d: read %d records, want %d", round, i, len(recs))
		}
		if off, err := s.Logs().SeekTime(ctx, "a", 1000+100); err != nil || off != 700 {
			t.Fatalf("round %d: SeekTime = %d, %v; want 700", round, off, err)
		}
		if _, rev, err := s.Meta().Get(ctx, "k"); err != nil || rev != 1 {
			t.Fatalf("round %d: meta Get: rev %d, %v", round, rev, err)
		}
		if round == 0 {
			chunks, old := 0, 0
			iter, _ := s.db.NewIter(nil)
			for valid := iter.First(); valid; valid = iter.Next() {
				switch iter.Key()[0] {
				case prefixChunk:
					chunks++
				case prefixRecordV1:
					old++
				}
			}
			_ = iter.Close()
			// a: one chunk per arrival time, 0 to 2502/7; ab: the big
			// records apart, the empty one with the second.
			if want := 1 + 2502/7 + 2; chunks != want || old != 0 {
				t.Fatalf("after migration: %d chunks (want %d), %d layout 1 records", chunks, want, old)
			}
			b := &storage.Batch{Log: "a", Records: []storage.Record{{Data: []byte("new")}}}
			if err := s.Logs().Append(ctx, []*storage.Batch{b}); err != nil || b.FirstOffset != 2503 {
				t.Fatalf("append after migration at %d, %v; want 2503", b.FirstOffset, err)
			}
			recs = append(recs[:2500], append([]v1Record{{"a", 2503, b.ArrivalMs, "", "new"}}, recs[2500:]...)...)
			states["a"] = [3]uint64{2504, 3, 0}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
