package streams

import (
	"context"
	"fmt"
	"time"
	"unsafe"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/storage"
)

const (
	getRecordsDefaultLimit = 10000
	getRecordsMaxBytes     = 10 << 20
)

// GetRecords reads records from the position an iterator points at and
// returns the iterator for the next call.
func (s *Service) GetRecords(ctx context.Context, in *kinesisapi.GetRecordsInput) (*kinesisapi.GetRecordsOutput, error) {
	it, err := s.decodeIterator(in.ShardIterator)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.checkIterator(it, now); err != nil {
		return nil, err
	}
	t := target{account: it.account, region: it.region, name: it.stream}
	_, state, err := s.getActive(t)
	if err != nil || uidBytes(state.doc.UID) != it.uid {
		return nil, shardNotFound(shardID(it.shard), t)
	}
	sh := state.shard(it.shard)
	if sh == nil {
		return nil, shardNotFound(shardID(it.shard), t)
	}
	limit := getRecordsDefaultLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	log := state.doc.logName(sh.Index)
	if s.readThrottled(log, now) {
		return nil, readRateError(shardID(sh.Index), t)
	}
	recs, err := s.logs.Read(ctx, log, it.offset, limit, getRecordsMaxBytes)
	if err != nil {
		return nil, fmt.Errorf("streams: read: %w", err)
	}
	if s.opts.EnforceThroughput {
		n := 0
		for i := range recs {
			n += len(recs[i].Data)
		}
		s.throttle.chargeRead(log, n)
	}
	_, tip, err := s.logs.Bounds(ctx, log)
	if err != nil {
		return nil, fmt.Errorf("streams: bounds: %w", err)
	}

	encrypted, err := s.openRecords(state.doc, sh, recs)
	if err != nil {
		return nil, err
	}
	out := &kinesisapi.GetRecordsOutput{Records: recordsView(sh, recs, encrypted)}
	next := it.offset
	if n := len(recs); n > 0 {
		next = recs[n-1].Offset + 1
	}
	var behind int64
	if next < tip && len(recs) > 0 {
		behind = now.UnixMilli() - recs[len(recs)-1].ArrivalMs
		if behind < 0 {
			behind = 0
		}
	}
	out.MillisBehindLatest = &behind
	if !sh.open() && next >= *sh.EndOffset {
		// The end of a closed shard: no next iterator, the children instead.
		out.ChildShards = childShards(state.doc, sh)
		return out, nil
	}
	it.offset = next
	it.issuedMs = now.UnixMilli()
	nextIt := s.encodeIterator(it)
	out.NextShardIterator = &nextIt
	return out, nil
}

// childShards lists the shards that sh was split into or merged into.
func childShards(doc *streamDoc, sh *shardDoc) []kinesisapi.ChildShard {
	id := shardID(sh.Index)
	out := []kinesisapi.ChildShard{}
	for i := range doc.Shards {
		c := &doc.Shards[i]
		if c.ParentID != id && c.AdjParent != id {
			continue
		}
		parents := []string{c.ParentID}
		if c.AdjParent != "" {
			parents = append(parents, c.AdjParent)
		}
		out = append(out, kinesisapi.ChildShard{ShardId: shardID(c.Index), ParentShards: parents,
			HashKeyRange: kinesisapi.HashKeyRange{StartingHashKey: c.StartHash, EndingHashKey: c.EndHash}})
	}
	return out
}

// keyString views a partition key read from the store as a string without
// copying: the store hands every Read fresh memory that nothing modifies.
func keyString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// keyBytes views a partition key as bytes for an Append, which only reads
// it and copies what it keeps.
func keyBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// recordsView renders stored records as the API returns them, formatting
// every sequence number into one buffer.
func recordsView(sh *shardDoc, recs []storage.StoredRecord, encrypted []bool) []kinesisapi.Record {
	out := make([]kinesisapi.Record, len(recs))
	createSec := uint64(sh.CreatedMs / 1000)
	var run seqRun
	buf := make([]byte, 0, len(recs)*58)
	ends := make([]int, len(recs))
	for i := range recs {
		r := &recs[i]
		buf = run.appendNext(buf, seqNum{shardCreateSec: createSec, shardIndex: sh.Index, offset: r.Offset, timeSec: uint64(r.ArrivalMs / 1000)})
		ends[i] = len(buf)
	}
	all := string(buf)
	var arrival *time.Time
	start := 0
	for i := range recs {
		r := &recs[i]
		if arrival == nil || arrival.UnixMilli() != r.ArrivalMs {
			a := time.UnixMilli(r.ArrivalMs)
			arrival = &a
		}
		out[i] = kinesisapi.Record{
			SequenceNumber:              all[start:ends[i]],
			ApproximateArrivalTimestamp: arrival,
			Data:                        r.Data,
			PartitionKey:                keyString(r.PartitionKey),
		}
		if encrypted != nil && encrypted[i] {
			out[i].EncryptionType = &encryptionKMS
		}
		start = ends[i]
	}
	return out
}
