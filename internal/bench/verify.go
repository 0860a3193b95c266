package bench

import (
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Verification is what the read-back found, compared with what the
// producers were told.
type Verification struct {
	// Records are user records: with --kpl those inside the aggregates.
	Acknowledged int64 `json:"acknowledged"` // records the server acknowledged
	Failed       int64 `json:"failed"`       // records that failed every attempt (not a verification failure)
	ReadRecords  int64 `json:"read_records"` // records read back
	ReadBytes    int64 `json:"read_bytes"`
	AckedBytes   int64 `json:"acked_bytes"`

	Missing       int64 `json:"missing"`        // acknowledged, not read back
	Duplicates    int64 `json:"duplicates"`     // extra copies of records put only once
	AmbiguousDups int64 `json:"ambiguous_dups"` // extra copies of records retried after an ambiguous failure: legal
	Unexpected    int64 `json:"unexpected"`     // read back but reported failed, or never put
	Corrupt       int64 `json:"corrupt"`        // wrong length, bad header, damaged filler, or a malformed aggregate

	OrderViolations         int64 `json:"order_violations"`          // Kinesis records' sequence numbers not strictly increasing within a shard
	ProducerOrderViolations int64 `json:"producer_order_violations"` // a producer's records out of order within a shard (first copies only)

	MinShardRecords int64 `json:"min_shard_records"`
	MaxShardRecords int64 `json:"max_shard_records"`

	ReadBackComplete bool `json:"read_back_complete"` // every shard was read to its end
	VerifyOK         bool `json:"verify_ok"`
}

// verifier checks read-back records against the producers' status. The
// status slices are read-only once the producers have finished; seen counts
// are updated atomically by the shard readers.
type verifier struct {
	size   int
	status [][]uint8  // [producer][seq]
	seen   [][]uint32 // [producer][seq]: copies read back
	shards []*shardCheck
}

func newVerifier(size int, producers []*producer, shards int) *verifier {
	v := &verifier{size: size}
	for _, p := range producers {
		v.status = append(v.status, p.status)
		v.seen = append(v.seen, make([]uint32, len(p.status)))
	}
	for range shards {
		v.shards = append(v.shards, &shardCheck{v: v, lastFirst: newLastFirst(len(producers))})
	}
	return v
}

func newLastFirst(n int) []int64 {
	s := make([]int64, n)
	for i := range s {
		s[i] = -1
	}
	return s
}

func (v *verifier) shard(i int) *shardCheck { return v.shards[i] }

// shardCheck is the state of one shard's reader.
type shardCheck struct {
	v         *verifier
	lastSeq   string  // last sequence number seen
	lastFirst []int64 // per producer: highest seq seen of records sent only once
	records   int64
	bytes     int64

	corrupt, unexpected, order, producerOrder int64
}

// observe checks one Kinesis record read back from the shard. Records are
// observed in the order the shard returned them. The sequence number order
// is checked on the Kinesis record; a KPL aggregate's user records share it,
// with their index as the sub-sequence number, so they are in order within
// it by construction. Each user record is then checked by observeUser; a
// malformed aggregate counts as one corrupt record.
func (sc *shardCheck) observe(r types.Record) {
	seq := aws.ToString(r.SequenceNumber)
	if !isDecimal(seq) || (sc.lastSeq != "" && compareDecimal(seq, sc.lastSeq) <= 0) {
		sc.order++
	}
	if isDecimal(seq) {
		sc.lastSeq = seq
	}
	if err := userRecords(r.Data, func(_ int, data []byte) { sc.observeUser(data) }); err != nil {
		sc.records++
		sc.bytes += int64(len(r.Data))
		sc.corrupt++
	}
}

// observeUser checks one user record.
func (sc *shardCheck) observeUser(data []byte) {
	sc.records++
	sc.bytes += int64(len(data))
	h, err := decodeHeader(data)
	if err != nil || !fillerIntact(data, sc.v.size, h) {
		sc.corrupt++
		return
	}
	p, s := int(h.producer), int(h.seq)
	if p >= len(sc.v.status) || s >= len(sc.v.status[p]) {
		sc.unexpected++
		return
	}
	if atomic.AddUint32(&sc.v.seen[p][s], 1) > 1 {
		return // a further copy counts as a duplicate, not also as out of order
	}
	if sc.v.status[p][s]&stRetried != 0 {
		return // a retried record may legally land after its successors
	}
	switch last := sc.lastFirst[p]; {
	case int64(s) < last:
		sc.producerOrder++
	case int64(s) > last:
		sc.lastFirst[p] = int64(s)
	}
}

// result tallies the verification once every shard has been read.
func (v *verifier) result(complete bool) Verification {
	var r Verification
	r.ReadBackComplete = complete
	for i, sc := range v.shards {
		r.ReadRecords += sc.records
		r.ReadBytes += sc.bytes
		r.Corrupt += sc.corrupt
		r.Unexpected += sc.unexpected
		r.OrderViolations += sc.order
		r.ProducerOrderViolations += sc.producerOrder
		if i == 0 || sc.records < r.MinShardRecords {
			r.MinShardRecords = sc.records
		}
		r.MaxShardRecords = max(r.MaxShardRecords, sc.records)
	}
	for p, statuses := range v.status {
		for s, st := range statuses {
			n := int64(v.seen[p][s])
			ambiguous := st&stAmbiguous != 0
			if st&stFailed != 0 {
				r.Failed++
			}
			if st&stAcked == 0 {
				if ambiguous {
					r.AmbiguousDups += n // reported failed, but an attempt may have landed
				} else {
					r.Unexpected += n
				}
				continue
			}
			r.Acknowledged++
			r.AckedBytes += int64(v.size)
			switch {
			case n == 0:
				r.Missing++
			case n > 1 && ambiguous:
				r.AmbiguousDups += n - 1
			case n > 1:
				r.Duplicates += n - 1
			}
		}
	}
	r.VerifyOK = complete && r.Missing == 0 && r.Duplicates == 0 && r.Unexpected == 0 &&
		r.Corrupt == 0 && r.OrderViolations == 0 && r.ProducerOrderViolations == 0
	return r
}

// isDecimal reports whether s is a non-empty string of ASCII digits, the form
// of a Kinesis sequence number.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// compareDecimal compares two non-negative decimal integers of any size, as
// big integers: -1, 0 or +1.
func compareDecimal(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
