package streams

import (
	"context"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// MergeShards closes two shards with adjacent hash key ranges and opens one
// child covering both.
func (s *Service) MergeShards(ctx context.Context, in *kinesisapi.MergeShardsInput) (*struct{}, error) {
	_, err := s.reshard(ctx, in.StreamName, in.StreamARN, func(tx *reshardTx) error {
		a, err := tx.openShard(in.ShardToMerge)
		if err != nil {
			return err
		}
		b, err := tx.openShard(in.AdjacentShardToMerge)
		if err != nil {
			return err
		}
		aStart, _ := parseUint128(a.StartHash)
		aEnd, _ := parseUint128(a.EndHash)
		bStart, _ := parseUint128(b.StartHash)
		bEnd, _ := parseUint128(b.EndHash)
		left, right := a.Index, b.Index
		switch {
		case aEnd != maxHashKey && aEnd.add64(1) == bStart:
		case bEnd != maxHashKey && bEnd.add64(1) == aStart:
			left, right = b.Index, a.Index
		default:
			return awserr.Newf("InvalidArgumentException", "Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging",
				shardID(a.Index), shardID(b.Index), tx.doc.Name, tx.doc.Account)
		}
		child, err := tx.merge(left, right)
		if err != nil {
			return err
		}
		// The child names ShardToMerge as its parent and the other as the
		// adjacent parent, whichever lies first in the hash key space.
		c := tx.shard(child)
		c.ParentID, c.AdjParent = shardID(a.Index), shardID(b.Index)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
