package pebblestore

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/freshet/freshet/internal/storage"
)

const crashDirEnv = "FRESHET_PEBBLESTORE_CRASH_DIR"

// TestCrashChild is the helper process of TestCrashRecovery: it writes
// until it is killed, printing every acknowledged write.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashRecovery")
	}
	s, err := Open(Options{Dir: dir, Sync: SyncAlways})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	ctx := context.Background()
	var rev uint64
	for i := 0; ; i++ {
		b1 := &storage.Batch{Log: "a", Records: []storage.Record{{PartitionKey: []byte("k"), Data: []byte(strconv.Itoa(i))}}}
		b2 := &storage.Batch{Log: "t", Records: []storage.Record{{Data: []byte(strconv.Itoa(i))}, {Data: []byte(strconv.Itoa(i))}}}
		if err := s.Logs().Append(ctx, []*storage.Batch{b1, b2}); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println("append", i, b1.FirstOffset, b2.FirstOffset)
		if i%10 == 9 {
			// Trim everything: the horizon alone must survive the crash.
			if err := s.Logs().Trim(ctx, "t", b2.FirstOffset+2); err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
			fmt.Println("trim", b2.FirstOffset+2)
			if rev, err = s.Meta().Put(ctx, "counter", []byte(strconv.Itoa(i)), rev); err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
			fmt.Println("put", rev, i)
		}
	}
}

// TestCrashRecovery kills a writing process with SIGKILL and checks the
// reopened store holds every acknowledged write and reuses no offset.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a helper process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type ack struct{ a, t uint64 }
	acks := map[int]ack{}
	var trimmed, rev uint64
	var revValue int
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acks) < 400 {
		var i int
		var x, y uint64
		line := sc.Text()
		switch {
		case sscan(line, "append %d %d %d", &i, &x, &y):
			acks[i] = ack{x, y}
		case sscan(line, "trim %d", &x):
			trimmed = x
		case sscan(line, "put %d %d", &x, &i):
			rev, revValue = x, i
		default:
			t.Logf("child: %s", line)
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if len(acks) < 400 {
		t.Fatalf("child acknowledged only %d appends", len(acks))
	}

	s := openTest(t, dir, SyncAlways)
	defer s.Close()
	ctx := context.Background()
	recs, err := s.Logs().Read(ctx, "a", 0, 1<<20, 0)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for i, r := range recs {
		if r.Offset != uint64(i) || string(r.Data) != strconv.Itoa(i) {
			t.Fatalf("log a record %d: offset %d data %q", i, r.Offset, r.Data)
		}
	}
	for i, a := range acks {
		if a.a >= uint64(len(recs)) {
			t.Fatalf("acknowledged append %d at offset %d lost (log a holds %d)", i, a.a, len(recs))
		}
	}
	first, next, err := s.Logs().Bounds(ctx, "t")
	if err != nil {
		t.Fatalf("Bounds: %v", err)
	}
	if first < trimmed || next < first || next != 2*uint64(len(recs)) {
		t.Fatalf("log t: Bounds %d, %d; acknowledged trim %d, log a holds %d", first, next, trimmed, len(recs))
	}
	v, r, err := s.Meta().Get(ctx, "counter")
	if err != nil || r < rev {
		t.Fatalf("counter: rev %d, %v; acknowledged rev %d", r, err, rev)
	}
	if n, _ := strconv.Atoi(string(v)); n < revValue {
		t.Fatalf("counter = %s, acknowledged %d", v, revValue)
	}
	b := &storage.Batch{Log: "t", Records: []storage.Record{{Data: []byte("after")}}}
	if err := s.Logs().Append(ctx, []*storage.Batch{b}); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if b.FirstOffset != next {
		t.Fatalf("append after the crash at %d, want %d", b.FirstOffset, next)
	}
	t.Logf("%d acknowledged, %d recovered, horizon %d", len(acks), len(recs), first)
}

func sscan(s, format string, args ...any) bool {
	n, err := fmt.Sscanf(s, format, args...)
	return err == nil && n == len(args)
}
