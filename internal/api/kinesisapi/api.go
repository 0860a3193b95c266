package kinesisapi

import "context"

// API is the part of Kinesis Data Streams that Freshet serves. Each method
// takes the operation's input and returns its output or an *awserr.Error.
// Operations of the model that are not here answer with
// UnknownOperationException (see Register); docs/coverage.md lists both.
type API interface {
	CreateStream(ctx context.Context, in *CreateStreamInput) (*struct{}, error)
	DeleteStream(ctx context.Context, in *DeleteStreamInput) (*struct{}, error)
	DescribeStream(ctx context.Context, in *DescribeStreamInput) (*DescribeStreamOutput, error)
	DescribeStreamSummary(ctx context.Context, in *DescribeStreamSummaryInput) (*DescribeStreamSummaryOutput, error)
	ListStreams(ctx context.Context, in *ListStreamsInput) (*ListStreamsOutput, error)
	ListShards(ctx context.Context, in *ListShardsInput) (*ListShardsOutput, error)

	PutRecord(ctx context.Context, in *PutRecordInput) (*PutRecordOutput, error)
	PutRecords(ctx context.Context, in *PutRecordsInput) (*PutRecordsOutput, error)
	GetShardIterator(ctx context.Context, in *GetShardIteratorInput) (*GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *GetRecordsInput) (*GetRecordsOutput, error)

	SplitShard(ctx context.Context, in *SplitShardInput) (*struct{}, error)
	MergeShards(ctx context.Context, in *MergeShardsInput) (*struct{}, error)
	UpdateShardCount(ctx context.Context, in *UpdateShardCountInput) (*UpdateShardCountOutput, error)
	UpdateStreamMode(ctx context.Context, in *UpdateStreamModeInput) (*struct{}, error)

	IncreaseStreamRetentionPeriod(ctx context.Context, in *IncreaseStreamRetentionPeriodInput) (*struct{}, error)
	DecreaseStreamRetentionPeriod(ctx context.Context, in *DecreaseStreamRetentionPeriodInput) (*struct{}, error)

	AddTagsToStream(ctx context.Context, in *AddTagsToStreamInput) (*struct{}, error)
	RemoveTagsFromStream(ctx context.Context, in *RemoveTagsFromStreamInput) (*struct{}, error)
	ListTagsForStream(ctx context.Context, in *ListTagsForStreamInput) (*ListTagsForStreamOutput, error)
	TagResource(ctx context.Context, in *TagResourceInput) (*struct{}, error)
	UntagResource(ctx context.Context, in *UntagResourceInput) (*struct{}, error)
	ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error)

	EnableEnhancedMonitoring(ctx context.Context, in *EnableEnhancedMonitoringInput) (*EnhancedMonitoringOutput, error)
	DisableEnhancedMonitoring(ctx context.Context, in *DisableEnhancedMonitoringInput) (*EnhancedMonitoringOutput, error)
	PutResourcePolicy(ctx context.Context, in *PutResourcePolicyInput) (*struct{}, error)
	GetResourcePolicy(ctx context.Context, in *GetResourcePolicyInput) (*GetResourcePolicyOutput, error)
	DeleteResourcePolicy(ctx context.Context, in *DeleteResourcePolicyInput) (*struct{}, error)
	UpdateMaxRecordSize(ctx context.Context, in *UpdateMaxRecordSizeInput) (*struct{}, error)
	UpdateStreamWarmThroughput(ctx context.Context, in *UpdateStreamWarmThroughputInput) (*UpdateStreamWarmThroughputOutput, error)
	UpdateAccountSettings(ctx context.Context, in *UpdateAccountSettingsInput) (*UpdateAccountSettingsOutput, error)

	RegisterStreamConsumer(ctx context.Context, in *RegisterStreamConsumerInput) (*RegisterStreamConsumerOutput, error)
	DeregisterStreamConsumer(ctx context.Context, in *DeregisterStreamConsumerInput) (*struct{}, error)
	DescribeStreamConsumer(ctx context.Context, in *DescribeStreamConsumerInput) (*DescribeStreamConsumerOutput, error)
	ListStreamConsumers(ctx context.Context, in *ListStreamConsumersInput) (*ListStreamConsumersOutput, error)

	// SubscribeToShard starts an enhanced fan-out subscription; its events
	// are written as an AWS event stream.
	SubscribeToShard(ctx context.Context, in *SubscribeToShardInput) (EventSource, error)

	StartStreamEncryption(ctx context.Context, in *StartStreamEncryptionInput) (*struct{}, error)
	StopStreamEncryption(ctx context.Context, in *StopStreamEncryptionInput) (*struct{}, error)

	DescribeLimits(ctx context.Context, in *DescribeLimitsInput) (*DescribeLimitsOutput, error)
	DescribeAccountSettings(ctx context.Context, in *DescribeAccountSettingsInput) (*DescribeAccountSettingsOutput, error)
}

// EventSource yields a subscription's events in order; io.EOF ends it.
type EventSource interface {
	Next(ctx context.Context) (*SubscribeToShardEvent, error)
}
