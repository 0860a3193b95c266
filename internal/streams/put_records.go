package streams

import (
	"context"
	"fmt"
	"strconv"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/storage"
)

const (
	maxPutRecordsBytes      = 5 << 20
	maxPutRecordsBytesLarge = 10 << 20
)

// PutRecords writes up to 500 records in one call. Records are routed to
// shards by hash key and written in one atomic, durable commit; their
// sequence numbers follow request order within each shard.
func (s *Service) PutRecords(ctx context.Context, in *kinesisapi.PutRecordsInput) (*kinesisapi.PutRecordsOutput, error) {
	t, err := s.resolve(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, state, err := s.getActive(t)
	if err != nil {
		return nil, err
	}
	maxRecord := int(state.doc.MaxRecordKiB) << 10
	limit := maxPutRecordsBytes
	if maxRecord > 1<<20 {
		limit = maxPutRecordsBytesLarge
	}
	var total int
	var v awserr.Validation
	for i := range in.Records {
		r := &in.Records[i]
		if len(r.Data) > maxRecord {
			v.Add(dataTooLong(len(r.Data), maxRecord, "records."+strconv.Itoa(i+1)+".member.data"))
		}
		total += len(r.Data) + len(r.PartitionKey)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if total > limit {
		return nil, awserr.Newf("InvalidArgumentException", "Records size exceeds %d MB limit", limit>>20)
	}

	// Route every record, then build one batch per shard in request order.
	// Holding writes keeps the routes valid until the append is done.
	st.writes.RLock()
	defer st.writes.RUnlock()
	state = st.state.Load()
	now := s.now()
	routes := make([]*route, len(in.Records))
	batchIdx := make([]int32, len(in.Records)) // -1: throttled, not written
	pos := make([]int32, len(in.Records))
	batches := make([]*storage.Batch, 0, len(state.routes))
	for i := range in.Records {
		r := &in.Records[i]
		rt, err := routeRecord(state, r.PartitionKey, r.ExplicitHashKey)
		if err != nil {
			return nil, err
		}
		routes[i] = rt
		if s.writeThrottled(rt.log, len(r.Data)+len(r.PartitionKey), now) {
			batchIdx[i] = -1
			continue
		}
		bi := -1
		for j, b := range batches { // a handful of shards: a scan beats a map
			if b.Log == rt.log {
				bi = j
				break
			}
		}
		if bi < 0 {
			bi = len(batches)
			batches = append(batches, &storage.Batch{Log: rt.log, ArrivalMs: now.UnixMilli(), Records: make([]storage.Record, 0, len(in.Records)/len(state.routes)+1)})
		}
		b := batches[bi]
		batchIdx[i], pos[i] = int32(bi), int32(len(b.Records))
		b.Records = append(b.Records, storage.Record{PartitionKey: keyBytes(r.PartitionKey), Data: r.Data})
	}
	if state.doc.EncKeyID != "" {
		for _, b := range batches {
			if err := s.sealBatch(state.doc, b); err != nil {
				return nil, err
			}
		}
	}
	if len(batches) > 0 {
		if err := s.logs.Append(ctx, batches); err != nil {
			return nil, fmt.Errorf("streams: append: %w", err)
		}
	}
	onDemand := state.doc.Mode == modeOnDemand
	for _, b := range batches {
		s.signals.Notify(b.Log)
		if onDemand {
			n := 0
			for _, r := range b.Records {
				n += len(r.Data) + len(r.PartitionKey)
			}
			s.meters.add(b.Log, len(b.Records), n)
		}
	}

	// Format every sequence number into one buffer and slice the strings
	// out of one copy of it: two allocations instead of one per record.
	runs := make([]seqRun, len(batches))
	buf := make([]byte, 0, len(in.Records)*58)
	ends := make([]int, len(in.Records))
	for i, rt := range routes {
		if bi := batchIdx[i]; bi >= 0 {
			b := batches[bi]
			buf = runs[bi].appendNext(buf, seqNum{
				shardCreateSec: uint64(rt.shard.CreatedMs / 1000),
				shardIndex:     rt.shard.Index,
				offset:         b.FirstOffset + uint64(pos[i]),
				timeSec:        uint64(b.ArrivalMs / 1000),
			})
		}
		ends[i] = len(buf)
	}
	all := string(buf)
	encType, _ := encryption(state.doc)
	var failed int64
	out := &kinesisapi.PutRecordsOutput{FailedRecordCount: &failed, Records: make([]kinesisapi.PutRecordsResultEntry, len(in.Records)), EncryptionType: encType}
	seqs := make([]string, len(in.Records))
	code := throughputExceeded
	start := 0
	for i, rt := range routes {
		if batchIdx[i] < 0 {
			msg := writeRateMessage(rt.id, t)
			out.Records[i] = kinesisapi.PutRecordsResultEntry{ErrorCode: &code, ErrorMessage: &msg}
			failed++
			continue
		}
		seqs[i] = all[start:ends[i]]
		start = ends[i]
		out.Records[i] = kinesisapi.PutRecordsResultEntry{SequenceNumber: &seqs[i], ShardId: &rt.id}
	}
	return out, nil
}

// routeRecord picks the open shard for a record: by its explicit hash key
// if it has one, else by the MD5 of its partition key.
func routeRecord(state *streamState, partitionKey string, explicit *string) (*route, error) {
	var h uint128
	if explicit != nil {
		var ok bool
		if h, ok = parseUint128(*explicit); !ok {
			return nil, awserr.New("InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was "+*explicit)
		}
	} else {
		h = hashPartitionKey(keyBytes(partitionKey))
	}
	rt := state.routeFor(h)
	if rt == nil {
		return nil, fmt.Errorf("streams: no open shard of %s holds hash key %s", state.doc.Name, h)
	}
	return rt, nil
}

// dataTooLong is AWS's validation message for a record over the stream's
// maximum record size.
func dataTooLong(n, max int, path string) string {
	return awserr.Constraint(fmt.Sprintf("'java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]'", n, n), path,
		"Member must have length less than or equal to "+strconv.Itoa(max))
}
