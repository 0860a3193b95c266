package bench

import (
	"errors"
	"fmt"
	"strings"

	"github.com/freshet/freshet/internal/kpl"
)

// putBatch returns how many Kinesis records one PutRecords carries: batch,
// reduced so that the call stays within maxCallBytes. With k > 0 every
// Kinesis record is a KPL aggregate of k user records of size bytes, which
// must itself stay within maxRecordSize.
func putBatch(batch, size, k int) (int, error) {
	recordSize := size
	if k > 0 {
		n, err := aggregateSize(size, k)
		if err != nil {
			return 0, err
		}
		recordSize = n
	}
	return max(1, min(batch, maxCallBytes/(recordSize+maxKeyLen))), nil
}

// aggregateSize returns the largest size of an aggregate of k user records
// of size bytes (every partition key as long as it can be), or an error if
// that exceeds maxRecordSize.
func aggregateSize(size, k int) (int, error) {
	if k*size > maxRecordSize {
		return 0, fmt.Errorf("kpl %d × size %d exceeds the %d-byte record limit", k, size, maxRecordSize)
	}
	data := make([]byte, size)
	recs := make([]kpl.Record, k)
	for i := range recs {
		recs[i] = kpl.Record{PartitionKey: fmt.Sprintf("%0*d", maxKeyLen, i), Data: data}
	}
	agg, err := kpl.Aggregate(recs)
	if err != nil {
		return 0, fmt.Errorf("aggregate %d records: %w", k, err)
	}
	if len(agg) > maxRecordSize {
		return 0, fmt.Errorf("kpl %d × size %d makes %d-byte aggregates, more than the %d-byte record limit",
			k, size, len(agg), maxRecordSize)
	}
	return len(agg), nil
}

// userRecords calls fn with every user record in the data of a Kinesis
// record, in order (the index is the sub-sequence number, so it increases
// within the parent by construction): the records of a KPL aggregate, or
// data itself if kpl.IsAggregated would say it is not aggregated. It
// returns an error for a malformed aggregate, whose records it cannot see.
func userRecords(data []byte, fn func(sub int, user []byte)) error {
	recs, err := kpl.Deaggregate(data)
	if errors.Is(err, kpl.ErrNotAggregated) {
		fn(0, data)
		return nil
	}
	if err != nil {
		return err
	}
	for i, r := range recs {
		fn(i, r.Data)
	}
	return nil
}

// workloadLine describes what one PutRecords call carries, for the summary.
func workloadLine(r *Result) string {
	var b strings.Builder
	if r.KPL > 0 {
		fmt.Fprintf(&b, "PutRecords(%d × KPL aggregate of %d × %d B)", r.PutBatch, r.KPL, r.Size)
	} else {
		fmt.Fprintf(&b, "PutRecords(%d × %d B)", r.PutBatch, r.Size)
	}
	if r.PutBatch < r.Batch {
		fmt.Fprintf(&b, " (--batch %d reduced to %d to keep PutRecords within 5 MiB)", r.Batch, r.PutBatch)
	}
	return b.String()
}
