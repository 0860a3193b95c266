package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/freshet/freshet/internal/kpl"
)

// maxAttempts is how often a record is sent before it counts as failed.
const maxAttempts = 5

// Per-record status bits, kept by the producer that owns the record.
const (
	stAcked     uint8 = 1 << iota // the server returned a sequence number
	stFailed                      // every attempt failed
	stAmbiguous                   // an attempt failed ambiguously: it may be stored
	stRetried                     // sent more than once
)

// producerStats are one producer's counters.
type producerStats struct {
	calls        int64 // PutRecords calls made
	acked        int64 // (user) records acknowledged
	ackedKinesis int64 // Kinesis records acknowledged: aggregates with --kpl
	ackedBytes   int64
	failed       int64 // records that failed every attempt
	retried      int64 // records sent more than once
	callErrors   int64 // calls that failed, not throttled
	recordErrors int64 // records rejected with a non-throttle error code
	throttles    int64 // throttled calls plus throttled records
}

func (s *producerStats) add(o producerStats) {
	s.calls += o.calls
	s.acked += o.acked
	s.ackedKinesis += o.ackedKinesis
	s.ackedBytes += o.ackedBytes
	s.failed += o.failed
	s.retried += o.retried
	s.callErrors += o.callErrors
	s.recordErrors += o.recordErrors
	s.throttles += o.throttles
}

// producer puts records of one producer id. Its status slice (indexed by
// the producer's sequence number) is written only by its goroutine and read
// by the verifier after all producers have finished.
//
// With --kpl every Kinesis record (entry) is a KPL aggregate of up to kpl
// user records; status, quota, pacing and the counters are in user records.
// Without it every entry is one user record.
type producer struct {
	id      uint32
	client  *kinesis.Client
	stream  string
	size    int
	kpl     int           // user records per aggregate; 0 = plain records
	per     int           // user records per entry: max(kpl, 1)
	batch   int           // entries per PutRecords
	quota   int64         // user records to put; 0 = until deadline
	until   time.Time     // stop starting batches at this time (quota == 0)
	start   time.Time     // when pacing starts
	every   time.Duration // pacing interval between batches; 0 = unpaced
	acked   *atomic.Int64 // all producers' acknowledged records, for the drain
	errs    *errorLog
	rng     *rand.Rand
	status  []uint8
	putHist histogram
	stats   producerStats

	buf     []byte                         // batch * per * size user record bytes
	users   []kpl.Record                   // with kpl: users[i*per:][:counts[i]] are the records of entries[i]
	entries []types.PutRecordsRequestEntry // the batch
	seqs    []uint32                       // seqs[i]: sequence number of the first user record of entries[i]
	counts  []int                          // counts[i]: user records in entries[i]
	pending []int                          // indexes into entries still to send
	req     []types.PutRecordsRequestEntry // entries of one attempt
}

func newProducer(id int, opts Options, client *kinesis.Client, acked *atomic.Int64, errs *errorLog) *producer {
	batch := opts.putBatch
	if batch == 0 { // options not through withDefaults (tests)
		batch = opts.Batch
	}
	per := max(opts.KPL, 1)
	p := &producer{
		id:      uint32(id),
		client:  client,
		stream:  opts.Stream,
		size:    opts.Size,
		kpl:     opts.KPL,
		per:     per,
		batch:   batch,
		acked:   acked,
		errs:    errs,
		rng:     rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(id))),
		buf:     make([]byte, batch*per*opts.Size),
		entries: make([]types.PutRecordsRequestEntry, batch),
		seqs:    make([]uint32, batch),
		counts:  make([]int, batch),
		pending: make([]int, 0, batch),
		req:     make([]types.PutRecordsRequestEntry, 0, batch),
	}
	if opts.KPL > 0 {
		p.users = make([]kpl.Record, batch*per)
	}
	return p
}

// plan sets the producer's share of the workload: its record quota, its
// deadline and its pacing (the total rate split evenly, producers staggered
// across one interval).
func (p *producer) plan(opts Options, start time.Time) {
	p.start = start
	p.until = start.Add(opts.Duration)
	if opts.Records > 0 {
		n := int64(opts.Producers)
		p.quota = opts.Records / n
		if int64(p.id) < opts.Records%n {
			p.quota++
		}
	}
	if opts.Rate > 0 {
		perProducer := opts.Rate / float64(opts.Producers)
		p.every = time.Duration(float64(p.batch*p.per) / perProducer * float64(time.Second))
		p.start = start.Add(p.every * time.Duration(p.id) / time.Duration(opts.Producers))
	}
}

// run puts batches until the quota or the deadline is reached or ctx ends.
func (p *producer) run(ctx context.Context) {
	next := p.start
	for ctx.Err() == nil {
		n := p.batch * p.per
		if p.quota > 0 {
			n = int(min(int64(n), p.quota-int64(len(p.status))))
			if n <= 0 {
				return
			}
		} else if !time.Now().Before(p.until) {
			return
		}
		if len(p.status)+n > math.MaxUint32 {
			return
		}
		if p.every > 0 {
			if p.quota == 0 && !next.Before(p.until) {
				return
			}
			if !sleepUntil(ctx, next) {
				return
			}
			next = next.Add(p.every)
		}
		p.send(ctx, p.fill(n))
	}
}

// fill encodes n new user records into the batch and returns the number of
// entries they make. An aggregate's partition key is its first user
// record's; its data is built by attempt.
func (p *producer) fill(n int) int {
	entries := 0
	for u := 0; u < n; entries++ {
		i := entries
		p.seqs[i] = uint32(len(p.status))
		p.counts[i] = min(p.per, n-u)
		for j := range p.counts[i] {
			seq := uint32(len(p.status))
			p.status = append(p.status, 0)
			off := (i*p.per + j) * p.size
			data := p.buf[off : off+p.size : off+p.size]
			encodeRecord(data, p.id, seq, 0)
			key := strconv.FormatUint(p.rng.Uint64(), 36)
			if p.kpl == 0 {
				p.entries[i] = types.PutRecordsRequestEntry{Data: data, PartitionKey: &key}
				continue
			}
			p.users[i*p.per+j] = kpl.Record{PartitionKey: key, Data: data}
			if j == 0 {
				p.entries[i] = types.PutRecordsRequestEntry{PartitionKey: &key}
			}
		}
		u += p.counts[i]
	}
	return entries
}

// mark sets bits in the status of every user record of entries[i] and
// returns how many of them did not have stRetried yet.
func (p *producer) mark(i int, bits uint8) (newlyRetried int64) {
	for s := p.seqs[i]; s < p.seqs[i]+uint32(p.counts[i]); s++ {
		if p.status[s]&stRetried == 0 && bits&stRetried != 0 {
			newlyRetried++
		}
		p.status[s] |= bits
	}
	return newlyRetried
}

// stamp writes the put time into the user records of entries[i] and, with
// kpl, rebuilds the aggregate around them.
func (p *producer) stamp(i int, now int64) error {
	if p.kpl == 0 {
		stampRecord(p.entries[i].Data, now)
		return nil
	}
	users := p.users[i*p.per : i*p.per+p.counts[i]]
	for _, u := range users {
		stampRecord(u.Data, now)
	}
	data, err := kpl.Aggregate(users)
	if err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	p.entries[i].Data = data
	return nil
}

// send puts entries[:n], retrying failed entries up to maxAttempts times in
// all, and records each user record's fate in status.
func (p *producer) send(ctx context.Context, n int) {
	p.pending = p.pending[:0]
	for i := range n {
		p.pending = append(p.pending, i)
	}
	throttled := false
	for attempt := 1; attempt <= maxAttempts && len(p.pending) > 0; attempt++ {
		if attempt > 1 {
			for _, i := range p.pending {
				p.stats.retried += p.mark(i, stRetried)
			}
			backoff := time.Duration(attempt) * 5 * time.Millisecond
			if throttled {
				backoff *= 4
			}
			if !sleepUntil(ctx, time.Now().Add(backoff)) {
				break
			}
		}
		throttled = p.attempt(ctx)
		if ctx.Err() != nil {
			break
		}
	}
	for _, i := range p.pending {
		p.mark(i, stFailed)
		p.stats.failed += int64(p.counts[i])
	}
	p.pending = p.pending[:0]
}

// attempt sends the pending entries once and keeps in pending those that
// failed. It reports whether the call or a record was throttled.
func (p *producer) attempt(ctx context.Context) (throttled bool) {
	now := time.Now().UnixNano()
	p.req = p.req[:0]
	for _, i := range p.pending {
		if err := p.stamp(i, now); err != nil {
			p.errs.add("PutRecords", err) // cannot happen with the keys fill makes
			return false
		}
		p.req = append(p.req, p.entries[i])
	}
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	t0 := time.Now()
	out, err := p.client.PutRecords(callCtx, &kinesis.PutRecordsInput{
		StreamName: aws.String(p.stream),
		Records:    p.req,
	})
	elapsed := time.Since(t0)
	cancel()
	p.stats.calls++
	if err == nil && len(out.Records) != len(p.req) {
		err = errors.New("putrecords answered " + strconv.Itoa(len(out.Records)) + " results for " + strconv.Itoa(len(p.req)) + " records")
	}
	if err != nil {
		kind := classify(err)
		if ctx.Err() != nil {
			kind = errAmbiguous // cancelled mid-call: it may have been applied
		}
		switch kind {
		case errThrottle:
			p.stats.throttles++
		case errAmbiguous:
			p.stats.callErrors++
			for _, i := range p.pending {
				p.mark(i, stAmbiguous)
			}
		default:
			p.stats.callErrors++
		}
		if kind != errThrottle && ctx.Err() == nil {
			p.errs.add("PutRecords", err)
		}
		return kind == errThrottle
	}
	p.putHist.record(elapsed)
	still := p.pending[:0] // filters in place: index j only ever reads j
	var acked, ackedKinesis int64
	for j, r := range out.Records {
		i := p.pending[j]
		if r.ErrorCode != nil {
			if isThrottleCode(*r.ErrorCode) {
				p.stats.throttles++
				throttled = true
			} else {
				p.stats.recordErrors++
				p.errs.add("PutRecords entry", errors.New(*r.ErrorCode+": "+aws.ToString(r.ErrorMessage)))
			}
			still = append(still, i)
			continue
		}
		p.mark(i, stAcked)
		acked += int64(p.counts[i])
		ackedKinesis++
	}
	p.pending = still
	p.stats.acked += acked
	p.stats.ackedKinesis += ackedKinesis
	p.stats.ackedBytes += acked * int64(p.size)
	p.acked.Add(acked)
	return throttled
}

// sleepUntil sleeps until t or until ctx ends; it reports whether ctx is
// still live.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// errorLog keeps the first error of each kind and counts them all.
type errorLog struct {
	mu    sync.Mutex
	first string
	n     int64
}

func (l *errorLog) add(op string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	if l.first == "" {
		l.first = op + ": " + err.Error()
	}
}

func (l *errorLog) firstError() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}
