package streams

import (
	"context"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// UpdateShardCount rescales a stream to TargetShardCount shards of equal
// hash key ranges (UNIFORM_SCALING), the way AWS does it: with splits and
// merges, so every new shard has at most two parents and consumers that
// follow shard lineage read each partition key in order. First every open
// shard is split at the new range boundaries that fall inside it; then the
// pieces that make up one new range are merged left to right. Pieces that
// are split or merged again at once are temporary shards, closed empty.
func (s *Service) UpdateShardCount(ctx context.Context, in *kinesisapi.UpdateShardCountInput) (*kinesisapi.UpdateShardCountOutput, error) {
	var current int
	var name, arn string
	target := int(in.TargetShardCount)
	_, err := s.reshard(ctx, in.StreamName, in.StreamARN, func(tx *reshardTx) error {
		name, arn = tx.doc.Name, tx.doc.arn()
		open := tx.openByStart()
		current = len(open)
		if target > 2*current {
			return awserr.Newf("LimitExceededException", "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
		}
		if 2*target < current {
			return awserr.Newf("LimitExceededException", "UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
		}
		if err := tx.checkLimit(target - current); err != nil {
			return err
		}
		ranges := splitHashSpace(target)

		// Generation 1: cut the open shards at the new boundaries.
		var pieces []uint32
		for _, idx := range open {
			cur := idx
			for _, r := range ranges[1:] {
				b := r[0]
				start, _ := parseUint128(tx.shard(cur).StartHash)
				end, _ := parseUint128(tx.shard(cur).EndHash)
				if b.cmp(start) <= 0 || b.cmp(end) > 0 {
					continue
				}
				lo, hi, err := tx.split(cur, b)
				if err != nil {
					return err
				}
				pieces = append(pieces, lo)
				cur = hi
			}
			pieces = append(pieces, cur)
		}

		// Generation 2 and on: merge the pieces of each new range.
		p := 0
		for _, r := range ranges {
			acc := pieces[p]
			p++
			for p < len(pieces) {
				start, _ := parseUint128(tx.shard(pieces[p]).StartHash)
				if start.cmp(r[1]) > 0 {
					break
				}
				merged, err := tx.merge(acc, pieces[p])
				if err != nil {
					return err
				}
				acc = merged
				p++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cur, tgt := int64(current), int64(target)
	return &kinesisapi.UpdateShardCountOutput{StreamName: &name, StreamARN: &arn, CurrentShardCount: &cur, TargetShardCount: &tgt}, nil
}

// UpdateStreamMode switches a stream between PROVISIONED and ON_DEMAND.
func (s *Service) UpdateStreamMode(ctx context.Context, in *kinesisapi.UpdateStreamModeInput) (*struct{}, error) {
	arn := in.StreamARN
	_, err := s.reshard(ctx, nil, &arn, func(tx *reshardTx) error {
		tx.doc.Mode = in.StreamModeDetails.StreamMode
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
