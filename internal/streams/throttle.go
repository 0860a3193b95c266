package streams

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// AWS's per-shard limits, enforced with --enforce-throughput.
const (
	writeRecordsPerSec = 1000
	writeBytesPerSec   = 1 << 20
	readCallsPerSec    = 5
	readBytesPerSec    = 2 << 20
	// After a 10 MiB GetRecords, AWS throttles reads for about 5 s: the
	// read byte bucket holds 10 MiB and may go into debt.
	readBytesBurst = 10 << 20
)

// throttle holds the token buckets of every shard, by log name.
type throttle struct {
	mu     sync.Mutex
	shards map[string]*shardBuckets
}

type shardBuckets struct {
	records, bytes, reads, readBytes bucket
}

// bucket is a token bucket that refills at rate per second up to burst and
// starts full.
type bucket struct {
	tokens float64
	last   time.Time
	used   bool
}

func (b *bucket) refill(now time.Time, rate, burst float64) {
	if !b.used {
		b.tokens, b.last, b.used = burst, now, true
		return
	}
	if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(burst, b.tokens+d*rate)
		b.last = now
	}
}

func (t *throttle) buckets(log string) *shardBuckets {
	if t.shards == nil {
		t.shards = map[string]*shardBuckets{}
	}
	b := t.shards[log]
	if b == nil {
		b = &shardBuckets{}
		t.shards[log] = b
	}
	return b
}

// allowWrite reports whether a record of size bytes may be written to log
// now, taking its tokens if so.
func (t *throttle) allowWrite(log string, size int, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buckets(log)
	b.records.refill(now, writeRecordsPerSec, writeRecordsPerSec)
	b.bytes.refill(now, writeBytesPerSec, writeBytesPerSec)
	if b.records.tokens < 1 || b.bytes.tokens < float64(size) {
		return false
	}
	b.records.tokens--
	b.bytes.tokens -= float64(size)
	return true
}

// allowRead takes a GetRecords call from log's budget; the bytes it returns
// are charged afterwards with chargeRead.
func (t *throttle) allowRead(log string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buckets(log)
	b.reads.refill(now, readCallsPerSec, readCallsPerSec)
	b.readBytes.refill(now, readBytesPerSec, readBytesBurst)
	if b.reads.tokens < 1 || b.readBytes.tokens <= 0 {
		return false
	}
	b.reads.tokens--
	return true
}

func (t *throttle) chargeRead(log string, n int) {
	t.mu.Lock()
	t.buckets(log).readBytes.tokens -= float64(n)
	t.mu.Unlock()
}

func (t *throttle) forget(log string) {
	t.mu.Lock()
	delete(t.shards, log)
	t.mu.Unlock()
}

// throttled decides whether one record or call is refused: by the shard's
// limits under --enforce-throughput, or at random under
// --fault-throttle-probability.
func (s *Service) writeThrottled(log string, size int, now time.Time) bool {
	if p := s.opts.FaultThrottleProbability; p > 0 && rand.Float64() < p {
		return true
	}
	return s.opts.EnforceThroughput && !s.throttle.allowWrite(log, size, now)
}

func (s *Service) readThrottled(log string, now time.Time) bool {
	if p := s.opts.FaultThrottleProbability; p > 0 && rand.Float64() < p {
		return true
	}
	return s.opts.EnforceThroughput && !s.throttle.allowRead(log, now)
}

const throughputExceeded = "ProvisionedThroughputExceededException"

func writeRateMessage(shard string, t target) string {
	return "Rate exceeded for shard " + shard + " in stream " + t.name + " under account " + t.account + "."
}

func readRateError(shard string, t target) error {
	return awserr.New(throughputExceeded, "Rate exceeded for Shard - "+shard+" in stream "+t.name+" under account "+t.account+".")
}
