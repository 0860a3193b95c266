package bench

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

func TestPayloadRoundTrip(t *testing.T) {
	for _, size := range []int{HeaderSize, HeaderSize + 1, 100, fillerTableLen + 100, 3*fillerTableLen + 7} {
		buf := make([]byte, size)
		encodeRecord(buf, 7, 123456, 1_700_000_000_123_456_789)
		h, err := decodeHeader(buf)
		if err != nil {
			t.Fatalf("size %d: decode: %v", size, err)
		}
		want := header{putNanos: 1_700_000_000_123_456_789, producer: 7, seq: 123456}
		if h != want {
			t.Fatalf("size %d: header %+v, want %+v", size, h, want)
		}
		if !fillerIntact(buf, size, h) {
			t.Fatalf("size %d: filler not intact", size)
		}
		stampRecord(buf, 42)
		if h2, _ := decodeHeader(buf); h2.putNanos != 42 || !fillerIntact(buf, size, h2) {
			t.Fatalf("size %d: restamp broke the record: %+v", size, h2)
		}
		if size > HeaderSize {
			bad := bytes.Clone(buf)
			bad[size-1] ^= 1
			if fillerIntact(bad, size, h) {
				t.Fatalf("size %d: flipped last byte not detected", size)
			}
		}
		if fillerIntact(buf[:size-1], size, h) {
			t.Fatalf("size %d: short record not detected", size)
		}
	}
}

func TestPayloadDetectsWrongHeader(t *testing.T) {
	buf := make([]byte, 100)
	encodeRecord(buf, 1, 2, 0)
	// A header that points at another record no longer matches the filler.
	for _, h := range []header{{producer: 1, seq: 3}, {producer: 2, seq: 2}} {
		if fillerIntact(buf, 100, h) {
			t.Errorf("filler of (1,2) accepted for %+v", h)
		}
	}
	if _, err := decodeHeader(buf[:HeaderSize-1]); !errors.Is(err, errShort) {
		t.Errorf("short record: err %v, want errShort", err)
	}
}

func TestHistogramBuckets(t *testing.T) {
	prevHi := int64(-1)
	for i := 0; i < histSub+40*histHalf; i++ {
		lo, hi := histBounds(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, lo, prevHi)
		}
		if histIndex(lo) != i || histIndex(hi) != i {
			t.Fatalf("bucket %d [%d,%d] maps back to %d/%d", i, lo, hi, histIndex(lo), histIndex(hi))
		}
		if lo >= histSub && float64(hi-lo+1)/float64(lo) > 1.0/64+1e-12 {
			t.Fatalf("bucket %d [%d,%d] wider than 1/64", i, lo, hi)
		}
		prevHi = hi
	}
	if i := histIndex(1<<63 - 1); i >= histBuckets {
		t.Fatalf("max value maps to bucket %d of %d", i, histBuckets)
	}
}

func TestHistogramQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var a, b histogram
	var all []int64
	for i := range 100_000 {
		v := int64(rng.ExpFloat64() * float64(5*time.Millisecond))
		all = append(all, v)
		if i%2 == 0 {
			a.record(time.Duration(v))
		} else {
			b.record(time.Duration(v))
		}
	}
	a.merge(&b)
	slices.Sort(all)
	for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := all[int(float64(len(all))*q+0.999999)-1]
		got := int64(a.quantile(q))
		if d := float64(got-exact) / float64(exact); d > 0.01 || d < -0.01 {
			t.Errorf("q%.3f = %d, exact %d (%.2f%% off)", q, got, exact, 100*d)
		}
	}
	if a.quantile(1) != time.Duration(all[len(all)-1]) || a.min != all[0] || a.n != uint64(len(all)) {
		t.Errorf("max %v min %d n %d, want %d %d %d", a.quantile(1), a.min, a.n, all[len(all)-1], all[0], len(all))
	}
	var empty histogram
	if empty.quantile(0.5) != 0 || empty.mean() != 0 {
		t.Error("empty histogram not zero")
	}
	var one histogram
	one.record(1234567)
	if one.quantile(0.5) != 1234567 || one.quantile(0.99) != 1234567 {
		t.Errorf("single sample: p50 %d p99 %d", one.quantile(0.5), one.quantile(0.99))
	}
}

func TestParseStatCPU(t *testing.T) {
	// Command names may contain spaces and parentheses.
	stat := "4242 (free (shet) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9 0 100 123456789 2000 18446744073709551615\n"
	d, err := parseStatCPU([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	if want := 3250 * time.Millisecond; d != want {
		t.Fatalf("cpu %v, want %v", d, want)
	}
	for _, bad := range []string{"", "1 (x) S 1 2 3", "1 (x) S 1 2 3 4 5 6 7 8 9 10 abc 2"} {
		if _, err := parseStatCPU([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseStatusMem(t *testing.T) {
	status := "Name:\tfreshet\nVmPeak:\t  900000 kB\nVmHWM:\t   65536 kB\nVmRSS:\t   32768 kB\nThreads:\t9\n"
	m, err := parseStatusMem([]byte(status))
	if err != nil {
		t.Fatal(err)
	}
	if m.rss != 32<<20 || m.hwm != 64<<20 {
		t.Fatalf("got %+v", m)
	}
	if _, err := parseStatusMem([]byte("Name:\tkthreadd\n")); err == nil {
		t.Error("no VmRSS: no error")
	}
	if _, err := parseStatusMem([]byte("VmRSS:\t12 MB\n")); err == nil {
		t.Error("bad unit: no error")
	}
}

func TestProcSelf(t *testing.T) {
	if _, err := procCPU(1 << 30); err == nil {
		t.Error("cpu of a process that cannot exist: no error")
	}
	d, err := procCPU(os.Getpid())
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if d < 0 {
		t.Errorf("own cpu %v", d)
	}
	m, err := procMem(os.Getpid())
	if err != nil || m.rss <= 0 {
		t.Errorf("own memory %+v, %v", m, err)
	}
}

func TestCompareDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	digits := func() string {
		n := 1 + rng.IntN(60)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	for range 5000 {
		a, b := digits(), digits()
		if rng.IntN(4) == 0 {
			b = a
		}
		ba, _ := new(big.Int).SetString(a, 10)
		bb, _ := new(big.Int).SetString(b, 10)
		if got, want := compareDecimal(a, b), ba.Cmp(bb); got != want {
			t.Fatalf("compareDecimal(%s, %s) = %d, want %d", a, b, got, want)
		}
	}
	for s, want := range map[string]bool{"": false, "0": true, "4960": true, "12a": false, "-1": false} {
		if isDecimal(s) != want {
			t.Errorf("isDecimal(%q) = %v", s, !want)
		}
	}
}

// fakeVerifier builds a verifier for producers whose records have the given
// statuses.
func fakeVerifier(size int, statuses ...[]uint8) *verifier {
	var ps []*producer
	for _, st := range statuses {
		ps = append(ps, &producer{status: st})
	}
	return newVerifier(size, ps, 2)
}

func rec(size int, producer, seq uint32, seqnum int) types.Record {
	data := make([]byte, size)
	encodeRecord(data, producer, seq, time.Now().UnixNano())
	return types.Record{Data: data, SequenceNumber: aws.String(fmt.Sprintf("4960%030d", seqnum))}
}

func TestVerifierClean(t *testing.T) {
	const size = 40
	v := fakeVerifier(size,
		[]uint8{stAcked, stAcked, stAcked},
		[]uint8{stAcked, stFailed, stAcked | stRetried | stAmbiguous},
	)
	a, b := v.shard(0), v.shard(1)
	a.observe(rec(size, 0, 0, 1))
	a.observe(rec(size, 1, 0, 2))
	a.observe(rec(size, 0, 2, 3))
	b.observe(rec(size, 1, 2, 1)) // ambiguous: stored twice, legally
	b.observe(rec(size, 0, 1, 2))
	b.observe(rec(size, 1, 2, 3))
	r := v.result(true)
	want := Verification{
		Acknowledged: 5, Failed: 1, ReadRecords: 6, ReadBytes: 6 * size, AckedBytes: 5 * size,
		AmbiguousDups: 1, MinShardRecords: 3, MaxShardRecords: 3, ReadBackComplete: true, VerifyOK: true,
	}
	if r != want {
		t.Fatalf("got  %+v\nwant %+v", r, want)
	}
}

func TestVerifierFindsProblems(t *testing.T) {
	const size = 40
	v := fakeVerifier(size, []uint8{stAcked, stAcked, stAcked, stFailed, stAcked})
	a, b := v.shard(0), v.shard(1)
	a.observe(rec(size, 0, 1, 5))
	a.observe(rec(size, 0, 0, 6)) // producer order violated
	a.observe(rec(size, 0, 1, 6)) // duplicate; sequence number not increasing
	b.observe(rec(size, 0, 3, 1)) // reported failed, stored anyway
	b.observe(rec(size, 9, 0, 2)) // unknown producer
	bad := rec(size, 0, 4, 3)
	bad.Data[size-1] ^= 0xff // corrupt: seq 4 then counts as missing too
	b.observe(bad)
	b.observe(types.Record{Data: []byte("short"), SequenceNumber: aws.String("x")})
	r := v.result(true)
	if r.VerifyOK {
		t.Fatal("verification passed")
	}
	got := []int64{r.Missing, r.Duplicates, r.Unexpected, r.Corrupt, r.OrderViolations, r.ProducerOrderViolations, r.AmbiguousDups}
	want := []int64{2, 1, 2, 2, 2, 1, 0} // missing: seqs 2 and 4
	if !slices.Equal(got, want) {
		t.Fatalf("missing/dups/unexpected/corrupt/order/producer-order/ambiguous = %v, want %v", got, want)
	}
	if r := fakeVerifier(size, []uint8{}).result(false); r.VerifyOK {
		t.Fatal("incomplete read-back verified ok")
	}
}

func TestPlainBodyHidesWriterTo(t *testing.T) {
	var seen io.Reader
	rt := plainBodyTransport{base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r.Body
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	})}
	body := io.NopCloser(strings.NewReader("payload")) // *strings.Reader has WriteTo
	if _, ok := body.(io.WriterTo); !ok {
		t.Fatal("test body lacks WriteTo")
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", body)
	if _, err := rt.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if _, ok := seen.(io.WriterTo); ok {
		t.Fatal("wrapped body still exposes io.WriterTo")
	}
	if req.Body != body {
		t.Fatal("caller's request was modified")
	}
	if b, _ := io.ReadAll(seen); string(b) != "payload" {
		t.Fatalf("body %q", b)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want errKind
	}{
		{errors.New("dial tcp: connection refused"), errAmbiguous},
		{&smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException"}, errThrottle},
		{&smithy.GenericAPIError{Code: "ValidationException", Fault: smithy.FaultClient}, errService},
		{&smithy.GenericAPIError{Code: "InternalFailure", Fault: smithy.FaultServer}, errAmbiguous},
		{fmt.Errorf("op: %w", &smithy.GenericAPIError{Code: "ResourceNotFoundException"}), errService},
	}
	for _, c := range cases {
		if got := classify(c.err); got != c.want {
			t.Errorf("classify(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestOptions(t *testing.T) {
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.Shards != 4 || o.Producers != 8 || o.Batch != 500 || o.Size != 100 || o.Duration != 10*time.Second ||
		o.Poll != 5*time.Millisecond || !strings.HasPrefix(o.Stream, "bench-") {
		t.Fatalf("defaults %+v", o)
	}
	for _, bad := range []Options{
		{Batch: 501}, {Size: HeaderSize - 1}, {Shards: -1}, {Rate: -1}, {ServerPID: 5},
		{Endpoint: "http://x", ServerArgs: []string{"--memory"}},
	} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestFlags(t *testing.T) {
	o := Defaults()
	var c cliFlags
	fs := newFlagSet(&o, &c)
	fs.SetOutput(io.Discard)
	err := fs.Parse([]string{"--shards=2", "--server-arg=--fsync=interval", "--server-arg", "--memory",
		"--consumer=false", "--rate", "1000", "--json", "--duration=3s"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Shards != 2 || !o.NoConsumer || o.Rate != 1000 || !c.json || o.Duration != 3*time.Second ||
		!slices.Equal(o.ServerArgs, []string{"--fsync=interval", "--memory"}) {
		t.Fatalf("parsed %+v %+v", o, c)
	}
	if err := fs.Parse([]string{"--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
}

func TestMainHelpAndUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main([]string{"--help"}, &out, &errOut); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	help := out.String()
	for _, s := range []string{"Target Options:", "Workload Options:", "Consumer Options:", "Output Options:",
		"--endpoint <URL>", "--producers", "(default 500)", "--server-arg <flag>"} {
		if !strings.Contains(help, s) {
			t.Errorf("help lacks %q:\n%s", s, help)
		}
	}
	for _, s := range flagSections {
		for _, name := range s.names {
			if !strings.Contains(help, "--"+name) {
				t.Errorf("help lacks --%s", name)
			}
		}
	}
	if code := Main([]string{"--batch=0", "--size=3"}, &out, &errOut); code != 2 {
		t.Errorf("bad size: exit %d", code)
	}
	if code := Main([]string{"extra"}, &out, &errOut); code != 2 {
		t.Errorf("extra argument: exit %d", code)
	}
}

func TestPlanSplitsWork(t *testing.T) {
	opts, _ := Options{Producers: 3, Records: 10, Rate: 300, Batch: 10}.withDefaults()
	start := time.Now()
	var total int64
	for i := range 3 {
		p := newProducer(i, opts, nil, nil, nil)
		p.plan(opts, start)
		total += p.quota
		if p.every != 100*time.Millisecond {
			t.Errorf("producer %d every %v, want 100ms", i, p.every)
		}
		if want := start.Add(time.Duration(i) * 100 * time.Millisecond / 3); !p.start.Equal(want) {
			t.Errorf("producer %d starts %v after, want %v", i, p.start.Sub(start), want.Sub(start))
		}
	}
	if total != 10 {
		t.Errorf("quotas sum to %d", total)
	}
}
