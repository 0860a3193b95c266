package bench

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/freshet/freshet/internal/kpl"
)

// kplProducer returns a producer with --kpl k that has filled n user
// records, all acknowledged, and the aggregates it would send.
func kplProducer(t *testing.T, k, batch, size, n int) (*producer, [][]byte) {
	t.Helper()
	opts, err := Options{KPL: k, Batch: batch, Size: size, Producers: 1}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	p := newProducer(0, opts, nil, nil, nil)
	entries := p.fill(n)
	var aggs [][]byte
	for i := range entries {
		if err := p.stamp(i, time.Now().UnixNano()); err != nil {
			t.Fatal(err)
		}
		p.mark(i, stAcked)
		if !kpl.IsAggregated(p.entries[i].Data) {
			t.Fatalf("entry %d is not aggregated", i)
		}
		if got, want := *p.entries[i].PartitionKey, p.users[i*p.per].PartitionKey; got != want {
			t.Fatalf("entry %d partition key %q, want the first user record's %q", i, got, want)
		}
		aggs = append(aggs, bytes.Clone(p.entries[i].Data))
	}
	return p, aggs
}

func kinesisRecord(data []byte, seqnum int) types.Record {
	return types.Record{Data: data, SequenceNumber: aws.String(fmt.Sprintf("4960%030d", seqnum))}
}

func TestKPLFillAndVerify(t *testing.T) {
	const k, size = 5, 40
	p, aggs := kplProducer(t, k, 3, size, 13)
	if !slices.Equal(p.counts[:len(aggs)], []int{5, 5, 3}) || len(p.status) != 13 {
		t.Fatalf("counts %v, %d user records", p.counts[:len(aggs)], len(p.status))
	}
	v := newVerifier(size, []*producer{p}, 2)
	for i, agg := range aggs {
		v.shard(0).observe(kinesisRecord(agg, i+1))
	}
	r := v.result(true)
	want := Verification{
		Acknowledged: 13, ReadRecords: 13, ReadBytes: 13 * size, AckedBytes: 13 * size,
		MinShardRecords: 0, MaxShardRecords: 13, ReadBackComplete: true, VerifyOK: true,
	}
	if r != want {
		t.Fatalf("got  %+v\nwant %+v", r, want)
	}
}

func TestKPLVerifierFindsProblems(t *testing.T) {
	const k, size = 4, 40
	p, aggs := kplProducer(t, k, 3, size, 12)

	// A corrupted sub-record inside an intact aggregate.
	users := slices.Clone(p.users[k : 2*k])
	bad := bytes.Clone(users[2].Data)
	bad[size-1] ^= 0xff
	users[2].Data = bad
	corruptSub, err := kpl.Aggregate(users)
	if err != nil {
		t.Fatal(err)
	}
	// An aggregate damaged on the wire: its MD5 no longer matches, so it
	// is read as one plain (corrupt) record, as the KCL would hand it over.
	damaged := bytes.Clone(aggs[2])
	damaged[len(damaged)/2] ^= 0xff

	v := newVerifier(size, []*producer{p}, 2)
	a := v.shard(0)
	a.observe(kinesisRecord(aggs[0], 1))
	a.observe(kinesisRecord(corruptSub, 2))
	a.observe(kinesisRecord(damaged, 3))
	a.observe(kinesisRecord(aggs[0], 4)) // the first aggregate stored twice
	r := v.result(true)
	if r.VerifyOK {
		t.Fatal("verification passed")
	}
	got := []int64{r.ReadRecords, r.Missing, r.Duplicates, r.Corrupt, r.Unexpected, r.OrderViolations, r.ProducerOrderViolations}
	// read: 4 + 4 + 1 (the damaged aggregate) + 4; missing: the corrupt
	// sub-record and the damaged aggregate's 4.
	want := []int64{13, 5, k, 2, 0, 0, 0}
	if !slices.Equal(got, want) {
		t.Fatalf("read/missing/dups/corrupt/unexpected/order/producer-order = %v, want %v", got, want)
	}

	// Sequence numbers are checked on the Kinesis records.
	v = newVerifier(size, []*producer{p}, 1)
	v.shard(0).observe(kinesisRecord(aggs[1], 2))
	v.shard(0).observe(kinesisRecord(aggs[2], 2))
	if r := v.result(true); r.OrderViolations != 1 || r.ProducerOrderViolations != 0 {
		t.Fatalf("order %d, producer order %d", r.OrderViolations, r.ProducerOrderViolations)
	}
}

func TestKPLPlainRecordsStayPlain(t *testing.T) {
	var subs []int
	data := []byte("not an aggregate")
	if err := userRecords(data, func(sub int, u []byte) {
		subs = append(subs, sub)
		if !bytes.Equal(u, data) {
			t.Errorf("user record %q", u)
		}
	}); err != nil || !slices.Equal(subs, []int{0}) {
		t.Fatalf("subs %v, err %v", subs, err)
	}
}

func TestPutBatchLimits(t *testing.T) {
	for _, c := range []struct{ batch, size, k, want int }{
		{500, 100, 0, 500},
		{500, 100, 20, 500},
		{500, 1000, 1000, 5}, // about 1 MB aggregates
		{500, 1 << 20, 0, 4},
		{7, 1000, 1000, 5},
		{3, 1000, 1000, 3},
	} {
		got, err := putBatch(c.batch, c.size, c.k)
		if err != nil || got != c.want {
			t.Errorf("putBatch(%d, %d, %d) = %d, %v; want %d", c.batch, c.size, c.k, got, err, c.want)
		}
	}
	for _, c := range [][2]int{{200, 10000}, {1040, 1000}} {
		if _, err := putBatch(500, c[0], c[1]); err == nil {
			t.Errorf("size %d kpl %d: no error", c[0], c[1])
		}
	}
	if n, err := aggregateSize(1000, 1000); err != nil || n > maxRecordSize || n < 1000*1000 {
		t.Errorf("aggregateSize = %d, %v", n, err)
	}
	if _, err := (Options{KPL: -1}).withDefaults(); err == nil {
		t.Error("kpl -1: no error")
	}
}

func TestKPLSummaryAndFlag(t *testing.T) {
	var b strings.Builder
	writeSummary(&b, &Result{Batch: 500, PutBatch: 5, KPL: 1000, Size: 1000, PutKinesisRecords: 7})
	for _, s := range []string{"KPL aggregate of 1000 × 1000 B", "--batch 500 reduced to 5", "7 Kinesis records"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("summary lacks %q:\n%s", s, b.String())
		}
	}
	o := Defaults()
	var c cliFlags
	fs := newFlagSet(&o, &c)
	fs.SetOutput(io.Discard)
	if err := fs.Parse([]string{"--kpl", "20"}); err != nil || o.KPL != 20 {
		t.Fatalf("--kpl 20: %d, %v", o.KPL, err)
	}
}
