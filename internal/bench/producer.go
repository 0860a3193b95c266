package bench

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
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
	acked        int64 // records acknowledged
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
type producer struct {
	id      uint32
	client  *kinesis.Client
	stream  string
	size    int
	batch   int
	quota   int64         // records to put; 0 = until deadline
	until   time.Time     // stop starting batches at this time (quota == 0)
	start   time.Time     // when pacing starts
	every   time.Duration // pacing interval between batches; 0 = unpaced
	acked   *atomic.Int64 // all producers' acknowledged records, for the drain
	errs    *errorLog
	rng     *rand.Rand
	status  []uint8
	putHist histogram
	stats   producerStats

	buf     []byte                         // batch * size record bytes
	entries []types.PutRecordsRequestEntry // the batch
	seqs    []uint32                       // seqs[i]: sequence number of entries[i]
	pending []int                          // indexes into entries still to send
	req     []types.PutRecordsRequestEntry // entries of one attempt
}

func newProducer(id int, opts Options, client *kinesis.Client, acked *atomic.Int64, errs *errorLog) *producer {
	return &producer{
		id:      uint32(id),
		client:  client,
		stream:  opts.Stream,
		size:    opts.Size,
		batch:   opts.Batch,
		acked:   acked,
		errs:    errs,
		rng:     rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(id))),
		buf:     make([]byte, opts.Batch*opts.Size),
		entries: make([]types.PutRecordsRequestEntry, opts.Batch),
		seqs:    make([]uint32, opts.Batch),
		pending: make([]int, 0, opts.Batch),
		req:     make([]types.PutRecordsRequestEntry, 0, opts.Batch),
	}
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
		p.every = time.Duration(float64(opts.Batch) / perProducer * float64(time.Second))
		p.start = start.Add(p.every * time.Duration(p.id) / time.Duration(opts.Producers))
	}
}

// run puts batches until the quota or the deadline is reached or ctx ends.
func (p *producer) run(ctx context.Context) {
	next := p.start
	for ctx.Err() == nil {
		n := p.batch
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
		p.fill(n)
		p.send(ctx, n)
	}
}

// fill encodes n new records into the batch.
func (p *producer) fill(n int) {
	for i := range n {
		seq := uint32(len(p.status))
		p.status = append(p.status, 0)
		data := p.buf[i*p.size : (i+1)*p.size : (i+1)*p.size]
		encodeRecord(data, p.id, seq, 0)
		key := strconv.FormatUint(p.rng.Uint64(), 36)
		p.entries[i] = types.PutRecordsRequestEntry{Data: data, PartitionKey: &key}
		p.seqs[i] = seq
	}
}

// send puts entries[:n], retrying failed entries up to maxAttempts times in
// all, and records each record's fate in status.
func (p *producer) send(ctx context.Context, n int) {
	p.pending = p.pending[:0]
	for i := range n {
		p.pending = append(p.pending, i)
	}
	throttled := false
	for attempt := 1; attempt <= maxAttempts && len(p.pending) > 0; attempt++ {
		if attempt > 1 {
			for _, i := range p.pending {
				if st := &p.status[p.seqs[i]]; *st&stRetried == 0 {
					*st |= stRetried
					p.stats.retried++
				}
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
		p.status[p.seqs[i]] |= stFailed
		p.stats.failed++
	}
	p.pending = p.pending[:0]
}

// attempt sends the pending entries once and keeps in pending those that
// failed. It reports whether the call or a record was throttled.
func (p *producer) attempt(ctx context.Context) (throttled bool) {
	now := time.Now().UnixNano()
	p.req = p.req[:0]
	for _, i := range p.pending {
		stampRecord(p.entries[i].Data, now)
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
				p.status[p.seqs[i]] |= stAmbiguous
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
	var acked int64
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
		p.status[p.seqs[i]] |= stAcked
		acked++
	}
	p.pending = still
	p.stats.acked += acked
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
