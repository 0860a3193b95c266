package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

const (
	crashStream    = "crash"
	crashShards    = 4
	crashProducers = 4
	crashBatch     = 100
	crashCycles    = 3
	probeProducer  = crashProducers // the producer id of the after-restart puts
)

// TestCrashRecovery is the durability test: concurrent producers write to
// the binary (--fsync always), which is killed with SIGKILL while their
// calls are in flight, then restarted on the same data dir, three times.
// After every restart each acknowledged record must be there under its
// sequence number and shard, in order, nothing half-written or never sent
// may appear, and new records must sort after everything from before.
//
// FRESHET_CRASH_SEED replays a run (the seed is logged).
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FRESHET_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("FRESHET_CRASH_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (FRESHET_CRASH_SEED=%d replays the timings)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	args := []string{"--data-dir", t.TempDir(), "--state-delay", "0"}
	p := startProc(t, procOpts{args: args})
	c := sdkClient(p.endpoint, "test", "test")
	createStreamActive(t, c, crashStream, crashShards)
	routing := shardRanges(t, c, crashStream)

	led := &ledger{
		acked:   map[string]recordAt{},
		pending: map[string]bool{},
		absent:  map[string]bool{},
		keyOf:   map[string]string{},
		maxSeq:  map[string]string{},
	}
	nextJ := make([]int, crashProducers+1) // per producer, across cycles

	for cycle := 1; cycle <= crashCycles; cycle++ {
		run := time.Duration(1000+rng.IntN(2001)) * time.Millisecond
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var stats [crashProducers]producerStats
		for i := 0; i < crashProducers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stats[i] = produce(t, c, led, i, &nextJ[i], stop)
			}()
		}
		time.Sleep(run)
		// SIGKILL while producers' calls are in flight.
		for deadline := time.Now().Add(2 * time.Second); led.inflight.Load() < 2 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Microsecond)
		}
		p.kill()
		close(stop)
		wg.Wait()
		var total producerStats
		for _, s := range stats {
			total.calls += s.calls
			total.acked += s.acked
			total.ambiguous += s.ambiguous
			total.refused += s.refused
			total.failedEntries += s.failedEntries
		}
		t.Logf("cycle %d: produced for %s, killed: %d PutRecords calls, %d records acknowledged, %d in flight at the kill (ambiguous), %d refused after it, %d failed entries",
			cycle, run, total.calls, total.acked, total.ambiguous, total.refused, total.failedEntries)
		if total.ambiguous == 0 {
			t.Logf("cycle %d: no call was in flight at the kill", cycle)
		}
		if total.acked == 0 {
			t.Fatalf("cycle %d: no record was acknowledged in %s", cycle, run)
		}

		start := time.Now()
		p = startProc(t, procOpts{args: args})
		c = sdkClient(p.endpoint, "test", "test")
		t.Logf("cycle %d: restarted in %s", cycle, time.Since(start).Round(time.Millisecond))

		led.verify(t, c, routing, cycle)
		if t.Failed() {
			t.FailNow()
		}
		probeAfterRestart(t, c, led, routing, &nextJ[probeProducer], cycle)
	}
}

// recordAt is where a record is stored.
type recordAt struct{ shard, seq string }

// ledger is what the test knows about every record it sent.
type ledger struct {
	mu      sync.Mutex
	acked   map[string]recordAt // acknowledged, or found after a restart: must stay, here
	pending map[string]bool     // in flight at a crash: may or may not be stored
	absent  map[string]bool     // never stored: refused, failed, or pending and not found
	keyOf   map[string]string   // payload -> partition key, for every record sent
	maxSeq  map[string]string   // shard -> highest sequence number read back
	// pendingBatches are the PutRecords calls in flight at a crash.
	pendingBatches [][]string

	inflight atomic.Int32 // PutRecords calls under way
}

type producerStats struct {
	calls, acked, ambiguous, refused, failedEntries int
}

var payloadRE = regexp.MustCompile(`^producer-(\d+)/seq-(\d+)/([0-9a-f]+)$`)

// crashPayload is unique per producer and sequence and carries a filler
// derived from both, of varying length, so a torn record cannot pass.
func crashPayload(producer, j int) string {
	head := fmt.Sprintf("producer-%d/seq-%d", producer, j)
	sum := sha256.Sum256([]byte(head))
	filler := strings.Repeat(hex.EncodeToString(sum[:]), 5)[:16+(j*7+producer*13)%240]
	return head + "/" + filler
}

// parsePayload checks a payload read back and returns its producer and j.
func parsePayload(s string) (producer, j int, ok bool) {
	m := payloadRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	producer, err1 := strconv.Atoi(m[1])
	j, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil || crashPayload(producer, j) != s {
		return 0, 0, false
	}
	return producer, j, true
}

func produce(t *testing.T, c *kinesis.Client, led *ledger, producer int, next *int, stop <-chan struct{}) producerStats {
	var st producerStats
	for {
		select {
		case <-stop:
			return st
		default:
		}
		entries := make([]types.PutRecordsRequestEntry, crashBatch)
		payloads := make([]string, crashBatch)
		for k := range entries {
			payloads[k] = crashPayload(producer, *next)
			entries[k] = types.PutRecordsRequestEntry{
				Data:         []byte(payloads[k]),
				PartitionKey: aws.String(fmt.Sprintf("p%d-%d", producer, *next)),
			}
			*next++
		}
		led.mu.Lock()
		for k, e := range entries {
			led.keyOf[payloads[k]] = *e.PartitionKey
		}
		led.mu.Unlock()
		st.calls++
		led.inflight.Add(1)
		out, err := c.PutRecords(t.Context(), &kinesis.PutRecordsInput{StreamName: aws.String(crashStream), Records: entries})
		led.inflight.Add(-1)
		led.mu.Lock()
		switch {
		case err == nil:
			if len(out.Records) != len(entries) {
				t.Errorf("PutRecords answered %d entries for %d records", len(out.Records), len(entries))
			}
			for k, r := range out.Records {
				if r.ErrorCode != nil {
					st.failedEntries++
					led.absent[payloads[k]] = true
					continue
				}
				st.acked++
				led.acked[payloads[k]] = recordAt{aws.ToString(r.ShardId), aws.ToString(r.SequenceNumber)}
			}
		case definitelyNotApplied(err):
			st.refused += len(payloads)
			for _, pl := range payloads {
				led.absent[pl] = true
			}
		default:
			// A transport error: the server may have stored the batch
			// before it died (or, on a live server, before the client
			// race of research/performance.md §2). Never acknowledged.
			st.ambiguous += len(payloads)
			for _, pl := range payloads {
				led.pending[pl] = true
			}
			led.pendingBatches = append(led.pendingBatches, payloads)
		}
		led.mu.Unlock()
		// Paced (about 20k records/s in all) so that reading everything
		// back after every restart stays quick.
		time.Sleep(15 * time.Millisecond)
	}
}

// definitelyNotApplied reports errors after which the server cannot have
// stored the request: no connection at all, or an API error of the client
// kind (4xx). Anything else (reset, EOF, 5xx) is ambiguous.
func definitelyNotApplied(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorFault() == smithy.FaultClient
}

// failures reports problems of many kinds without drowning the log.
type failures struct {
	t *testing.T
	n map[string]int
}

func (f *failures) add(kind, format string, args ...any) {
	f.t.Helper()
	f.n[kind]++
	if f.n[kind] <= 5 {
		f.t.Errorf("%s: %s", kind, fmt.Sprintf(format, args...))
	}
}

func (f *failures) summary() {
	kinds := make([]string, 0, len(f.n))
	for k := range f.n {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		if f.n[k] > 5 {
			f.t.Errorf("%s: %d in all", k, f.n[k])
		}
	}
}

// verify reads the whole stream after a restart and checks it against the
// ledger, then settles what was pending.
func (led *ledger) verify(t *testing.T, c *kinesis.Client, routing hashRanges, cycle int) {
	t.Helper()
	led.mu.Lock()
	defer led.mu.Unlock()
	f := &failures{t: t, n: map[string]int{}}
	defer f.summary()

	sum, err := c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(crashStream)})
	if err != nil {
		t.Fatalf("cycle %d: describe after restart: %v", cycle, err)
	}
	if s := sum.StreamDescriptionSummary; s.StreamStatus != types.StreamStatusActive || aws.ToInt32(s.OpenShardCount) != crashShards {
		t.Fatalf("cycle %d: after restart the stream is %s with %d open shards", cycle, s.StreamStatus, aws.ToInt32(s.OpenShardCount))
	}
	ids := listShardIDs(t, c, crashStream)
	if len(ids) != crashShards {
		t.Fatalf("cycle %d: %d shards after restart: %v", cycle, len(ids), ids)
	}

	found := map[string]recordAt{}
	seqShard := map[string]string{} // sequence number -> shard
	var read, survivors int
	for _, shard := range ids {
		prevSeq := ""
		lastJ := map[int]int{}
		for _, r := range readShard(t, c, crashStream, shard) {
			read++
			seq, payload := aws.ToString(r.SequenceNumber), string(r.Data)
			if prevSeq != "" && seqCmp(t, prevSeq, seq) >= 0 {
				f.add("order", "cycle %d %s: sequence number %s after %s", cycle, shard, seq, prevSeq)
			}
			prevSeq = seq
			if other, dup := seqShard[seq]; dup {
				f.add("duplicate sequence number", "cycle %d: %s on %s and %s", cycle, seq, other, shard)
			}
			seqShard[seq] = shard
			producer, j, ok := parsePayload(payload)
			if !ok {
				f.add("half-written or foreign record", "cycle %d %s %s: %q", cycle, shard, seq, payload)
				continue
			}
			if at, dup := found[payload]; dup {
				f.add("duplicate", "cycle %d: %s stored twice: %s %s and %s %s", cycle, payload[:strings.LastIndex(payload, "/")], at.shard, at.seq, shard, seq)
				continue
			}
			found[payload] = recordAt{shard, seq}
			if last, ok := lastJ[producer]; ok && last >= j {
				f.add("producer order", "cycle %d %s: producer-%d seq-%d stored after its seq-%d", cycle, shard, producer, j, last)
			}
			lastJ[producer] = j
			key, sent := led.keyOf[payload]
			switch {
			case !sent:
				f.add("never sent", "cycle %d %s %s: producer-%d seq-%d", cycle, shard, seq, producer, j)
			case aws.ToString(r.PartitionKey) != key:
				f.add("partition key", "cycle %d %s %s: key %q, sent %q", cycle, shard, seq, aws.ToString(r.PartitionKey), key)
			case routing.shardFor(key) != shard:
				f.add("routing", "cycle %d: key %q stored on %s, hashes to %s", cycle, key, shard, routing.shardFor(key))
			}
			if at, ok := led.acked[payload]; ok {
				if at != (recordAt{shard, seq}) {
					f.add("moved", "cycle %d: producer-%d seq-%d acknowledged as %s %s, found as %s %s", cycle, producer, j, at.shard, at.seq, shard, seq)
				}
			} else if led.absent[payload] {
				f.add("not applied but stored", "cycle %d %s %s: producer-%d seq-%d was refused, failed, or missing after an earlier restart", cycle, shard, seq, producer, j)
			} else if led.pending[payload] {
				survivors++
			}
		}
		if prevSeq != "" {
			led.maxSeq[shard] = prevSeq
		}
	}
	var lost int
	for payload, at := range led.acked {
		if _, ok := found[payload]; !ok {
			lost++
			f.add("acknowledged record lost", "cycle %d: %s acknowledged as %s %s", cycle, payload[:strings.LastIndex(payload, "/")], at.shard, at.seq)
		}
	}
	// PutRecords writes a call's records "in one atomic, durable commit"
	// (internal/streams/put_records.go): a call cut short by the kill is
	// stored whole or not at all.
	for _, batch := range led.pendingBatches {
		n := 0
		for _, pl := range batch {
			if _, ok := found[pl]; ok {
				n++
			}
		}
		if n != 0 && n != len(batch) {
			f.add("torn PutRecords", "cycle %d: %d of the %d records of a call in flight at the kill were stored (first %s)", cycle, n, len(batch), batch[0][:strings.LastIndex(batch[0], "/")])
		}
	}
	led.pendingBatches = nil
	// What was in flight is settled now: stored records must stay where
	// they are, missing ones must never appear later.
	var gone int
	for payload := range led.pending {
		if at, ok := found[payload]; ok {
			led.acked[payload] = at
		} else {
			led.absent[payload] = true
			gone++
		}
	}
	clear(led.pending)
	t.Logf("cycle %d: read %d records; %d acknowledged ones lost; of the in-flight ones %d stored, %d not", cycle, read, lost, survivors, gone)
}

// probeAfterRestart puts records on every shard of the restarted server:
// their sequence numbers must exceed every one stored before the crash.
func probeAfterRestart(t *testing.T, c *kinesis.Client, led *ledger, routing hashRanges, next *int, cycle int) {
	t.Helper()
	perShard := map[string]int{}
	var entries []types.PutRecordsRequestEntry
	var payloads []string
	for k := 0; len(entries) < 10*crashShards && k < 10000; k++ {
		key := fmt.Sprintf("probe-%d-%d", cycle, k)
		shard := routing.shardFor(key)
		if perShard[shard] == 10 {
			continue
		}
		perShard[shard]++
		pl := crashPayload(probeProducer, *next)
		*next++
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(pl), PartitionKey: aws.String(key)})
		payloads = append(payloads, pl)
	}
	out, err := c.PutRecords(t.Context(), &kinesis.PutRecordsInput{StreamName: aws.String(crashStream), Records: entries})
	if err != nil {
		t.Fatalf("cycle %d: PutRecords after restart: %v", cycle, err)
	}
	led.mu.Lock()
	defer led.mu.Unlock()
	for k, r := range out.Records {
		if r.ErrorCode != nil {
			t.Fatalf("cycle %d: PutRecords after restart: entry %d failed: %s %s", cycle, k, aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage))
		}
		shard, seq := aws.ToString(r.ShardId), aws.ToString(r.SequenceNumber)
		if max, ok := led.maxSeq[shard]; ok && seqCmp(t, seq, max) <= 0 {
			t.Errorf("cycle %d: new record on %s got sequence number %s, not above %s stored before the crash", cycle, shard, seq, max)
		}
		led.keyOf[payloads[k]] = *entries[k].PartitionKey
		led.acked[payloads[k]] = recordAt{shard, seq}
	}
}
