package firehoseapi

import "context"

// API is the part of Data Firehose that Freshet serves. Each method takes
// the operation's input and returns its output or an *awserr.Error.
type API interface {
	CreateDeliveryStream(ctx context.Context, in *CreateDeliveryStreamInput) (*CreateDeliveryStreamOutput, error)
	DeleteDeliveryStream(ctx context.Context, in *DeleteDeliveryStreamInput) (*DeleteDeliveryStreamOutput, error)
	DescribeDeliveryStream(ctx context.Context, in *DescribeDeliveryStreamInput) (*DescribeDeliveryStreamOutput, error)
	ListDeliveryStreams(ctx context.Context, in *ListDeliveryStreamsInput) (*ListDeliveryStreamsOutput, error)
	UpdateDestination(ctx context.Context, in *UpdateDestinationInput) (*UpdateDestinationOutput, error)

	PutRecord(ctx context.Context, in *PutRecordInput) (*PutRecordOutput, error)
	PutRecordBatch(ctx context.Context, in *PutRecordBatchInput) (*PutRecordBatchOutput, error)

	TagDeliveryStream(ctx context.Context, in *TagDeliveryStreamInput) (*TagDeliveryStreamOutput, error)
	UntagDeliveryStream(ctx context.Context, in *UntagDeliveryStreamInput) (*UntagDeliveryStreamOutput, error)
	ListTagsForDeliveryStream(ctx context.Context, in *ListTagsForDeliveryStreamInput) (*ListTagsForDeliveryStreamOutput, error)

	StartDeliveryStreamEncryption(ctx context.Context, in *StartDeliveryStreamEncryptionInput) (*StartDeliveryStreamEncryptionOutput, error)
	StopDeliveryStreamEncryption(ctx context.Context, in *StopDeliveryStreamEncryptionInput) (*StopDeliveryStreamEncryptionOutput, error)
}
