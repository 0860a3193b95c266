package streams

import (
	"context"
	"fmt"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/storage"
)

// PutRecord writes one record.
func (s *Service) PutRecord(ctx context.Context, in *kinesisapi.PutRecordInput) (*kinesisapi.PutRecordOutput, error) {
	t, err := s.resolve(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, state, err := s.getActive(t)
	if err != nil {
		return nil, err
	}
	if max := int(state.doc.MaxRecordKiB) << 10; len(in.Data) > max {
		return nil, awserr.ValidationError(dataTooLong(len(in.Data), max, "data"))
	}
	if in.SequenceNumberForOrdering != nil {
		// Our sequence numbers always increase within a shard, so the
		// ordering guarantee holds; the value must still be one of ours.
		if seq, ok := parseSeqNum(*in.SequenceNumberForOrdering); !ok || seq.timeSec > uint64(s.now().Unix()) {
			return nil, awserr.Newf("InvalidArgumentException", "ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s is invalid.", *in.SequenceNumberForOrdering, t.name, t.account)
		}
	}
	st.writes.RLock()
	defer st.writes.RUnlock()
	state = st.state.Load()
	rt, err := routeRecord(state, in.PartitionKey, in.ExplicitHashKey)
	if err != nil {
		return nil, err
	}
	if s.writeThrottled(rt.log, len(in.Data)+len(in.PartitionKey), s.now()) {
		return nil, awserr.New(throughputExceeded, writeRateMessage(rt.id, t))
	}
	b := &storage.Batch{Log: rt.log, ArrivalMs: s.now().UnixMilli(), Records: []storage.Record{{PartitionKey: keyBytes(in.PartitionKey), Data: in.Data}}}
	if state.doc.EncKeyID != "" {
		if err := s.sealBatch(state.doc, b); err != nil {
			return nil, err
		}
	}
	if err := s.logs.Append(ctx, []*storage.Batch{b}); err != nil {
		return nil, fmt.Errorf("streams: append: %w", err)
	}
	s.signals.Notify(b.Log)
	if state.doc.Mode == modeOnDemand {
		s.meters.add(b.Log, 1, len(in.Data)+len(in.PartitionKey))
	}
	encType, _ := encryption(state.doc)
	seq := seqNum{shardCreateSec: uint64(rt.shard.CreatedMs / 1000), shardIndex: rt.shard.Index, offset: b.FirstOffset, timeSec: uint64(b.ArrivalMs / 1000)}
	return &kinesisapi.PutRecordOutput{ShardId: rt.id, SequenceNumber: seq.String(), EncryptionType: encType}, nil
}
