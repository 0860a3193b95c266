package streams

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// GetShardIterator returns an iterator at a position in one shard.
func (s *Service) GetShardIterator(ctx context.Context, in *kinesisapi.GetShardIteratorInput) (*kinesisapi.GetShardIteratorOutput, error) {
	t, err := s.resolve(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	index, ok := parseShardID(in.ShardId)
	if !ok {
		return nil, awserr.Newf("ResourceNotFoundException", "Could not find shard %s in stream %s under account %s.", in.ShardId, t.name, t.account)
	}
	_, state, err := s.getActive(t)
	if err != nil {
		return nil, err
	}
	sh := state.shard(index)
	if sh == nil {
		return nil, shardNotFound(shardID(index), t)
	}
	doc := state.doc
	offset, err := s.startOffset(ctx, t, sh, doc.logName(sh.Index), in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp)
	if err != nil {
		return nil, err
	}
	it := s.encodeIterator(iterator{
		issuedMs: s.now().UnixMilli(),
		offset:   offset,
		shard:    index,
		uid:      uidBytes(doc.UID),
		account:  t.account,
		region:   t.region,
		stream:   t.name,
	})
	return &kinesisapi.GetShardIteratorOutput{ShardIterator: &it}, nil
}

// parseShardID accepts "shardId-000000000001" and, as AWS does, the bare
// number ("1").
func parseShardID(id string) (uint32, bool) {
	if i := strings.LastIndexByte(id, '-'); i >= 0 {
		id = id[i+1:]
	}
	n, err := strconv.ParseUint(id, 10, 31)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

func shardNotFound(id string, t target) error {
	return awserr.Newf("ResourceNotFoundException", "Shard %s in stream %s under account %s does not exist", id, t.name, t.account)
}

// startOffset is where an iterator or a subscription of type typ starts in
// shard sh: TRIM_HORIZON, LATEST, AT/AFTER_SEQUENCE_NUMBER (seqStr) or
// AT_TIMESTAMP (ts), with AWS's errors.
func (s *Service) startOffset(ctx context.Context, t target, sh *shardDoc, log, typ string, seqStr *string, ts *time.Time) (uint64, error) {
	hasSeq := seqStr != nil
	var offset uint64
	var err error
	switch typ {
	case "TRIM_HORIZON", "LATEST":
		if hasSeq {
			return 0, awserr.New("InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified "+typ+" and also a StartingSequenceNumber.")
		}
		first, next, err := s.logs.Bounds(ctx, log)
		if err != nil {
			return 0, fmt.Errorf("streams: bounds: %w", err)
		}
		offset = first
		if typ == "LATEST" {
			offset = next
		}
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if !hasSeq {
			return 0, awserr.New("InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified "+typ+" and no StartingSequenceNumber.")
		}
		seq, ok := parseSeqNum(*seqStr)
		if !ok {
			return 0, awserr.Newf("InvalidArgumentException", "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.", *seqStr, shardID(sh.Index), t.name, t.account)
		}
		if seq.shardIndex != sh.Index {
			return 0, awserr.Newf("InvalidArgumentException", "Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", shardID(seq.shardIndex), shardID(sh.Index))
		}
		if seq.shardCreateSec != uint64(sh.CreatedMs/1000) {
			return 0, awserr.Newf("InvalidArgumentException", "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream.", *seqStr, shardID(sh.Index), t.name, t.account)
		}
		offset = seq.offset
		if typ == "AFTER_SEQUENCE_NUMBER" {
			offset++
		}
	case "AT_TIMESTAMP":
		if ts == nil {
			return 0, awserr.New("InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
		offset, err = s.logs.SeekTime(ctx, log, ts.UnixMilli())
		if err != nil {
			return 0, fmt.Errorf("streams: seek time: %w", err)
		}
	default:
		return 0, awserr.New("InvalidArgumentException", "Invalid ShardIteratorType "+typ)
	}
	return offset, nil
}
