package streams

import (
	"context"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

const listShardsDefaultLimit = 1000

// ListShards lists a page of a stream's shards, optionally filtered.
func (s *Service) ListShards(ctx context.Context, in *kinesisapi.ListShardsInput) (*kinesisapi.ListShardsOutput, error) {
	named := (in.StreamName != nil && *in.StreamName != "") || (in.StreamARN != nil && *in.StreamARN != "")
	var t target
	after := ""
	switch {
	case in.NextToken != nil && named:
		return nil, awserr.New("InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
	case in.NextToken != nil:
		if in.ExclusiveStartShardId != nil || in.ShardFilter != nil || in.StreamCreationTimestamp != nil {
			return nil, awserr.New("InvalidArgumentException", "NextToken cannot be provided together with ExclusiveStartShardId, ShardFilter or StreamCreationTimestamp.")
		}
		tok, err := s.decodeToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		if tok.Stream == "" {
			return nil, awserr.New("InvalidArgumentException", "Invalid NextToken.")
		}
		t = target{account: tok.Account, region: tok.Region, name: tok.Stream}
		after = tok.After
	case !named:
		return nil, awserr.New("InvalidArgumentException", "Either NextToken or StreamName should be provided.")
	default:
		var err error
		if t, err = s.resolve(ctx, in.StreamName, in.StreamARN); err != nil {
			return nil, err
		}
		if in.ExclusiveStartShardId != nil {
			after = *in.ExclusiveStartShardId
		}
	}
	_, state, err := s.get(t)
	if err != nil {
		return nil, err
	}
	keep, err := s.shardFilter(state, in.ShardFilter)
	if err != nil {
		return nil, err
	}
	limit := listShardsDefaultLimit
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	doc := state.doc
	out := &kinesisapi.ListShardsOutput{Shards: []kinesisapi.Shard{}}
	more := false
	for i := range doc.Shards {
		sh := &doc.Shards[i]
		if after != "" && shardID(sh.Index) <= after {
			continue
		}
		if !keep(sh) {
			continue
		}
		if len(out.Shards) == limit {
			more = true
			break
		}
		out.Shards = append(out.Shards, shardView(doc, sh))
	}
	if more {
		tok := s.encodeToken(pageToken{Account: t.account, Region: t.region, Stream: t.name, After: out.Shards[len(out.Shards)-1].ShardId})
		out.NextToken = &tok
	}
	return out, nil
}

// shardFilter turns a ShardFilter into a predicate over shards.
func (s *Service) shardFilter(state *streamState, f *kinesisapi.ShardFilter) (func(*shardDoc) bool, error) {
	all := func(*shardDoc) bool { return true }
	if f == nil {
		return all, nil
	}
	openAt := func(ms int64) func(*shardDoc) bool {
		return func(sh *shardDoc) bool {
			return sh.CreatedMs <= ms && (sh.open() || sh.ClosedMs > ms)
		}
	}
	switch f.Type {
	case "AFTER_SHARD_ID":
		if f.ShardId == nil {
			return nil, awserr.New("InvalidArgumentException", "ShardId must be specified for ShardFilter type AFTER_SHARD_ID.")
		}
		id := *f.ShardId
		return func(sh *shardDoc) bool { return shardID(sh.Index) > id }, nil
	case "AT_LATEST":
		return func(sh *shardDoc) bool { return sh.open() }, nil
	case "FROM_TRIM_HORIZON":
		return all, nil
	case "AT_TRIM_HORIZON":
		horizon := s.now().UnixMilli() - state.doc.RetentionHours*3600*1000
		at := openAt(horizon)
		return func(sh *shardDoc) bool {
			// Shards open at the trim horizon, or the oldest ones if the stream is younger.
			return at(sh) || (sh.ParentID == "" && sh.CreatedMs > horizon)
		}, nil
	case "AT_TIMESTAMP", "FROM_TIMESTAMP":
		if f.Timestamp == nil {
			return nil, awserr.New("InvalidArgumentException", "Timestamp must be specified for ShardFilter type "+f.Type+".")
		}
		ms := f.Timestamp.UnixMilli()
		at := openAt(ms)
		if f.Type == "AT_TIMESTAMP" {
			return func(sh *shardDoc) bool { return at(sh) || (sh.ParentID == "" && sh.CreatedMs > ms) }, nil
		}
		return func(sh *shardDoc) bool { return at(sh) || sh.CreatedMs > ms }, nil
	}
	return all, nil
}
