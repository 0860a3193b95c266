package app

import (
	"context"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/firehose"
	"github.com/freshet/freshet/internal/streams"
)

// kinesisSource lets Firehose read Freshet's own Kinesis streams, through
// the streams service's public operations (so a delivery stream sees what
// any consumer sees).
type kinesisSource struct{ s *streams.Service }

var _ firehose.KinesisSource = kinesisSource{}

func (k kinesisSource) Shards(ctx context.Context, arn string) ([]firehose.KinesisShard, error) {
	var out []firehose.KinesisShard
	in := &kinesisapi.ListShardsInput{StreamARN: &arn}
	for {
		res, err := k.s.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, sh := range res.Shards {
			ks := firehose.KinesisShard{ID: sh.ShardId}
			for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
				if p != nil {
					ks.Parents = append(ks.Parents, *p)
				}
			}
			out = append(out, ks)
		}
		if res.NextToken == nil {
			return out, nil
		}
		in = &kinesisapi.ListShardsInput{NextToken: res.NextToken}
	}
}

func (k kinesisSource) Read(ctx context.Context, arn, shard, after string, limit int) (firehose.KinesisBatch, error) {
	it := &kinesisapi.GetShardIteratorInput{StreamARN: &arn, ShardId: shard, ShardIteratorType: "TRIM_HORIZON"}
	if after != "" {
		it.ShardIteratorType = "AFTER_SEQUENCE_NUMBER"
		it.StartingSequenceNumber = &after
	}
	itOut, err := k.s.GetShardIterator(ctx, it)
	if err != nil {
		return firehose.KinesisBatch{}, err
	}
	if itOut.ShardIterator == nil {
		return firehose.KinesisBatch{End: true}, nil
	}
	lim := int64(min(limit, 10000))
	res, err := k.s.GetRecords(ctx, &kinesisapi.GetRecordsInput{ShardIterator: *itOut.ShardIterator, Limit: &lim, StreamARN: &arn})
	if err != nil {
		return firehose.KinesisBatch{}, err
	}
	b := firehose.KinesisBatch{End: res.NextShardIterator == nil}
	for _, r := range res.Records {
		var ms int64
		if r.ApproximateArrivalTimestamp != nil {
			ms = r.ApproximateArrivalTimestamp.UnixMilli()
		}
		b.Records = append(b.Records, firehose.KinesisRecord{SequenceNumber: r.SequenceNumber, PartitionKey: r.PartitionKey, Data: r.Data, ArrivalMs: ms})
	}
	// A closed shard read up to its last record ends only once a read
	// after it comes back empty with no next iterator.
	if b.End && len(b.Records) > 0 {
		b.End = false
	}
	return b, nil
}
