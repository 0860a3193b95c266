package streams

import (
	"context"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// SplitShard closes a shard and opens two children that divide its hash
// key range at NewStartingHashKey.
func (s *Service) SplitShard(ctx context.Context, in *kinesisapi.SplitShardInput) (*struct{}, error) {
	_, err := s.reshard(ctx, in.StreamName, in.StreamARN, func(tx *reshardTx) error {
		sh, err := tx.openShard(in.ShardToSplit)
		if err != nil {
			return err
		}
		at, ok := parseUint128(in.NewStartingHashKey)
		start, _ := parseUint128(sh.StartHash)
		end, _ := parseUint128(sh.EndHash)
		if !ok || at.cmp(start.add64(1)) <= 0 || at.cmp(end) >= 0 {
			return awserr.Newf("InvalidArgumentException", "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
				in.NewStartingHashKey, shardID(sh.Index), tx.doc.Name, tx.doc.Account, sh.StartHash, sh.EndHash)
		}
		if err := tx.checkLimit(1); err != nil {
			return err
		}
		_, _, err = tx.split(sh.Index, at)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
