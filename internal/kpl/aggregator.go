package kpl

import "fmt"

// DefaultMaxBytes is the aggregate size NewAggregator uses when given a
// size of zero or less: the 1 MiB Kinesis record limit, less 1 KiB of
// room for the aggregate's partition key (256 characters of up to 4 bytes
// in UTF-8), which Kinesis counts against the same limit.
const DefaultMaxBytes = 1<<20 - 1024

// Aggregator packs user records into aggregated records of at most a given
// size, as the KPL does. Each aggregated record is put to Kinesis with the
// partition key and explicit hash key of its first user record, so it lands
// on that record's shard.
//
// The KCL, when it knows the shard's hash key range, drops a whole
// aggregated record if any user record in it hashes outside the shard it
// was read from. The KPL therefore only aggregates records bound for the
// same shard; callers writing to streams with more than one shard should
// keep one Aggregator per shard.
//
// An Aggregator is not safe for concurrent use. The zero value is not
// usable; call NewAggregator.
type Aggregator struct {
	max        int
	b          builder
	flushedPK  string
	flushedEHK string
}

// NewAggregator returns an Aggregator whose aggregated records are at most
// maxBytes long, magic and MD5 included. A maxBytes of zero or less means
// DefaultMaxBytes.
func NewAggregator(maxBytes int) *Aggregator {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Aggregator{max: maxBytes}
}

// Add adds r to the pending aggregated record, copying its data. If r does
// not fit, the pending aggregated record is completed first and returned
// as flushed with ok true, and r starts the next one; FlushedKeys reports
// the keys to put flushed with. Otherwise flushed is nil and ok false.
//
// Add returns an error, and changes nothing, if r is not a valid record
// (see Aggregate) or would not fit in an aggregated record on its own.
func (a *Aggregator) Add(r Record) (flushed []byte, ok bool, err error) {
	if err := validateRecord(&r); err != nil {
		return nil, false, fmt.Errorf("kpl: %w", err)
	}
	p := a.b.plan(&r)
	if a.b.n > 0 && overhead+a.b.messageLen()+p.growth <= a.max {
		a.b.add(&r, p)
		return nil, false, nil
	}
	if a.b.n > 0 {
		var empty builder
		p = empty.plan(&r)
	}
	if need := overhead + p.growth; need > a.max {
		return nil, false, fmt.Errorf("kpl: record needs a %d-byte aggregate, more than the %d-byte limit", need, a.max)
	}
	if a.b.n > 0 {
		flushed, ok = a.seal(), true
	}
	a.b.add(&r, p)
	return flushed, ok, nil
}

// Flush completes the pending aggregated record and returns it with the
// partition key and explicit hash key ("" if none) to put it with: those
// of its first user record. It returns nil data and empty keys if nothing
// is pending. The error is always nil today.
func (a *Aggregator) Flush() (data []byte, partitionKey string, explicitHashKey string, err error) {
	if a.b.n == 0 {
		return nil, "", "", nil
	}
	data = a.seal()
	return data, a.flushedPK, a.flushedEHK, nil
}

// FlushedKeys returns the partition key and explicit hash key ("" if none)
// of the aggregated record most recently returned by Add or Flush.
func (a *Aggregator) FlushedKeys() (partitionKey, explicitHashKey string) {
	return a.flushedPK, a.flushedEHK
}

// Len returns the number of user records pending.
func (a *Aggregator) Len() int {
	return a.b.n
}

// Size returns the size in bytes the pending aggregated record would have
// if flushed now, or 0 if nothing is pending.
func (a *Aggregator) Size() int {
	if a.b.n == 0 {
		return 0
	}
	return overhead + a.b.messageLen()
}

// seal completes the pending aggregated record and starts a new one.
func (a *Aggregator) seal() []byte {
	data := a.b.bytes()
	a.flushedPK, a.flushedEHK = a.b.firstPK, a.b.firstEHK
	a.b.reset()
	return data
}
