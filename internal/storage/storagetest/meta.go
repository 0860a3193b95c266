package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/freshet/freshet/internal/storage"
)

func mustPut(t *testing.T, m storage.MetaStore, key, value string, expect uint64) uint64 {
	t.Helper()
	rev, err := m.Put(bg, key, []byte(value), expect)
	if err != nil {
		t.Fatalf("Put(%q, expect %d): %v", key, expect, err)
	}
	if rev == 0 {
		t.Fatalf("Put(%q) returned revision 0", key)
	}
	return rev
}

func wantGet(t *testing.T, m storage.MetaStore, key, value string, rev uint64) {
	t.Helper()
	v, r, err := m.Get(bg, key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if string(v) != value || r != rev {
		t.Fatalf("Get(%q) = %q rev %d; want %q rev %d", key, v, r, value, rev)
	}
}

func testMetaPutGet(t *testing.T, h *harness) {
	m := h.meta()
	r1 := mustPut(t, m, "streams/a", "one", 0)
	wantGet(t, m, "streams/a", "one", r1)

	_, err := m.Put(bg, "streams/a", []byte("again"), 0)
	wantErr(t, "Put existing with expect 0", err, storage.ErrConflict)
	_, err = m.Put(bg, "streams/a", []byte("stale"), r1+1)
	wantErr(t, "Put with a wrong revision", err, storage.ErrConflict)
	wantGet(t, m, "streams/a", "one", r1)

	r2 := mustPut(t, m, "streams/a", "two", r1)
	if r2 <= r1 {
		t.Fatalf("revision went from %d to %d", r1, r2)
	}
	wantGet(t, m, "streams/a", "two", r2)
	_, err = m.Put(bg, "streams/a", []byte("stale"), r1)
	wantErr(t, "Put with the previous revision", err, storage.ErrConflict)

	// Other keys are independent.
	rb := mustPut(t, m, "streams/b", "", 0)
	wantGet(t, m, "streams/b", "", rb)
	wantGet(t, m, "streams/a", "two", r2)
}

func testMetaNotFound(t *testing.T, h *harness) {
	m := h.meta()
	_, _, err := m.Get(bg, "missing")
	wantErr(t, "Get missing", err, storage.ErrNotFound)
	wantErr(t, "Delete missing", m.Delete(bg, "missing", 0), storage.ErrNotFound)
	wantErr(t, "Delete missing with a revision", m.Delete(bg, "missing", 7), storage.ErrNotFound)
	_, err = m.Put(bg, "missing", []byte("x"), 7)
	wantErr(t, "Put missing with a revision", err, storage.ErrConflict)
	_, _, err = m.Get(bg, "missing")
	wantErr(t, "Get after failed Put", err, storage.ErrNotFound)
}

func testMetaDelete(t *testing.T, h *harness) {
	m := h.meta()
	r1 := mustPut(t, m, "k", "v", 0)
	wantErr(t, "Delete with a wrong revision", m.Delete(bg, "k", r1+1), storage.ErrConflict)
	wantErr(t, "Delete with revision 0", m.Delete(bg, "k", 0), storage.ErrConflict)
	wantGet(t, m, "k", "v", r1)
	if err := m.Delete(bg, "k", r1); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, _, err := m.Get(bg, "k")
	wantErr(t, "Get deleted", err, storage.ErrNotFound)
	wantErr(t, "Delete twice", m.Delete(bg, "k", r1), storage.ErrNotFound)
	_, err = m.Put(bg, "k", []byte("w"), r1)
	wantErr(t, "Put deleted with its old revision", err, storage.ErrConflict)
	r2 := mustPut(t, m, "k", "w", 0)
	if r2 <= r1 {
		t.Fatalf("recreated key got revision %d, not above %d", r2, r1)
	}
	wantGet(t, m, "k", "w", r2)
}

func testMetaRevisionsIncrease(t *testing.T, h *harness) {
	m := h.meta()
	var last uint64
	rev := uint64(0)
	for i := range 50 {
		switch {
		case i%7 == 6:
			if err := m.Delete(bg, "k", rev); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			rev = 0
			// Churn other keys so a global counter would move too.
			mustPut(t, m, "other/"+strconv.Itoa(i), "x", 0)
		default:
			rev = mustPut(t, m, "k", strconv.Itoa(i), rev)
			if rev <= last {
				t.Fatalf("step %d: revision %d not above %d", i, rev, last)
			}
			last = rev
		}
	}
}

func testMetaList(t *testing.T, h *harness) {
	m := h.meta()
	keys := []string{"a/1", "a/2", "a/10", "a/", "b/1", "a0", "ab/1", "", "a/\xff", "a/1/x"}
	rand.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	revs := map[string]uint64{}
	for _, k := range keys {
		revs[k] = mustPut(t, m, k, "v:"+k, 0)
	}
	// Update one and delete one so List must reflect the latest state.
	revs["a/2"] = mustPut(t, m, "a/2", "v:a/2", revs["a/2"])
	if err := m.Delete(bg, "a/10", revs["a/10"]); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	delete(revs, "a/10")

	check := func(prefix string) {
		t.Helper()
		got, err := m.List(bg, prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		var want []string
		for k := range revs {
			if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
				want = append(want, k)
			}
		}
		slices.Sort(want)
		if len(got) != len(want) {
			t.Fatalf("List(%q) returned %d entries, want %d (%q)", prefix, len(got), len(want), want)
		}
		for i, e := range got {
			if e.Key != want[i] || string(e.Value) != "v:"+want[i] || e.Rev != revs[want[i]] {
				t.Fatalf("List(%q)[%d] = {%q %q %d}, want {%q %q %d}", prefix, i,
					e.Key, e.Value, e.Rev, want[i], "v:"+want[i], revs[want[i]])
			}
		}
	}
	for _, p := range []string{"", "a", "a/", "a/1", "b/", "ab", "c", "a/\xff", "zz"} {
		check(p)
	}
}

func testMetaValueCopies(t *testing.T, h *harness) {
	m := h.meta()
	in := []byte("original")
	rev, err := m.Put(bg, "k", in, 0)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	copy(in, "XXXXXXXX")
	wantGet(t, m, "k", "original", rev)
	v, _, err := m.Get(bg, "k")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	copy(v, "YYYYYYYY")
	wantGet(t, m, "k", "original", rev)
	list, err := m.List(bg, "k")
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	copy(list[0].Value, "ZZZZZZZZ")
	wantGet(t, m, "k", "original", rev)

	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	rev, err = m.Put(bg, "bin", bin, 0)
	if err != nil {
		t.Fatalf("Put binary: %v", err)
	}
	got, r, err := m.Get(bg, "bin")
	if err != nil || r != rev || !bytes.Equal(got, bin) {
		t.Fatalf("Get binary = %x rev %d, %v; want %x rev %d", got, r, err, bin, rev)
	}
}

func testMetaConcurrentCAS(t *testing.T, h *harness) {
	m := h.meta()
	const workers, incs = 8, 25
	mustPut(t, m, "counter", "0", 0)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for done := 0; done < incs; {
				v, rev, err := m.Get(bg, "counter")
				if err != nil {
					errs <- fmt.Errorf("Get: %w", err)
					return
				}
				n, err := strconv.Atoi(string(v))
				if err != nil {
					errs <- fmt.Errorf("counter holds %q", v)
					return
				}
				_, err = m.Put(bg, "counter", []byte(strconv.Itoa(n+1)), rev)
				switch {
				case err == nil:
					done++
				case !errors.Is(err, storage.ErrConflict):
					errs <- fmt.Errorf("Put: %w", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	v, _, err := m.Get(bg, "counter")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if want := strconv.Itoa(workers * incs); string(v) != want {
		t.Fatalf("counter = %s, want %s: a compare-and-set let a lost update through", v, want)
	}
}
