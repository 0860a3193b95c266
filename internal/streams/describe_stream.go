package streams

import (
	"context"

	"github.com/freshet/freshet/internal/api/kinesisapi"
)

const describeStreamDefaultLimit = 100

// DescribeStream describes a stream and a page of its shards.
func (s *Service) DescribeStream(ctx context.Context, in *kinesisapi.DescribeStreamInput) (*kinesisapi.DescribeStreamOutput, error) {
	_, _, state, err := s.lookup(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	doc := state.doc
	encType, keyID := encryption(doc)
	status := doc.status(s.now())
	limit := describeStreamDefaultLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	shards := []kinesisapi.Shard{}
	more := false
	if status != statusCreating { // AWS lists no shards while a stream is being created
		for i := range doc.Shards {
			sh := &doc.Shards[i]
			if in.ExclusiveStartShardId != nil && shardID(sh.Index) <= *in.ExclusiveStartShardId {
				continue
			}
			if len(shards) == limit {
				more = true
				break
			}
			shards = append(shards, shardView(doc, sh))
		}
	}
	return &kinesisapi.DescribeStreamOutput{StreamDescription: kinesisapi.StreamDescription{
		StreamName:              doc.Name,
		StreamARN:               doc.arn(),
		StreamStatus:            status,
		StreamModeDetails:       modeDetails(doc),
		Shards:                  shards,
		HasMoreShards:           more,
		RetentionPeriodHours:    doc.RetentionHours,
		StreamCreationTimestamp: createdAt(doc),
		EnhancedMonitoring:      monitoring(doc),
		EncryptionType:          encType,
		KeyId:                   keyID,
	}}, nil
}

// DescribeStreamSummary describes a stream without its shards.
func (s *Service) DescribeStreamSummary(ctx context.Context, in *kinesisapi.DescribeStreamSummaryInput) (*kinesisapi.DescribeStreamSummaryOutput, error) {
	_, _, state, err := s.lookup(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	doc := state.doc
	encType, keyID := encryption(doc)
	consumers := int64(liveConsumers(doc, s.now()))
	maxKiB := doc.MaxRecordKiB
	return &kinesisapi.DescribeStreamSummaryOutput{StreamDescriptionSummary: kinesisapi.StreamDescriptionSummary{
		StreamName:              doc.Name,
		StreamARN:               doc.arn(),
		StreamStatus:            doc.status(s.now()),
		StreamModeDetails:       modeDetails(doc),
		RetentionPeriodHours:    doc.RetentionHours,
		StreamCreationTimestamp: createdAt(doc),
		EnhancedMonitoring:      monitoring(doc),
		EncryptionType:          encType,
		KeyId:                   keyID,
		OpenShardCount:          int64(len(state.routes)),
		ConsumerCount:           &consumers,
		MaxRecordSizeInKiB:      &maxKiB,
		WarmThroughput:          warmThroughput(doc),
	}}, nil
}
