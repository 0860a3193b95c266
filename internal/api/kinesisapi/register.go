package kinesisapi

import (
	"context"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
	"github.com/freshet/freshet/internal/protocol/dispatch"
	"github.com/freshet/freshet/internal/protocol/shape"
)

// Register binds every operation of the Kinesis model to mux: the built
// ones to api, the rest to AWS's UnknownOperationException.
func Register(mux *dispatch.Mux, api API) {
	ops := map[string]dispatch.Handler{
		"CreateStream":                  op(shapeCreateStreamInput, api.CreateStream),
		"DeleteStream":                  op(shapeDeleteStreamInput, api.DeleteStream),
		"DescribeStream":                op(shapeDescribeStreamInput, api.DescribeStream),
		"DescribeStreamSummary":         op(shapeDescribeStreamSummaryInput, api.DescribeStreamSummary),
		"ListStreams":                   op(shapeListStreamsInput, api.ListStreams),
		"ListShards":                    op(shapeListShardsInput, api.ListShards),
		"PutRecord":                     op(shapePutRecordInput, api.PutRecord),
		"PutRecords":                    putRecordsHandler(api),
		"GetShardIterator":              op(shapeGetShardIteratorInput, api.GetShardIterator),
		"GetRecords":                    getRecordsHandler(api),
		"IncreaseStreamRetentionPeriod": op(shapeIncreaseStreamRetentionPeriodInput, api.IncreaseStreamRetentionPeriod),
		"DecreaseStreamRetentionPeriod": op(shapeDecreaseStreamRetentionPeriodInput, api.DecreaseStreamRetentionPeriod),
		"AddTagsToStream":               op(shapeAddTagsToStreamInput, api.AddTagsToStream),
		"RemoveTagsFromStream":          op(shapeRemoveTagsFromStreamInput, api.RemoveTagsFromStream),
		"ListTagsForStream":             op(shapeListTagsForStreamInput, api.ListTagsForStream),
		"TagResource":                   op(shapeTagResourceInput, api.TagResource),
		"UntagResource":                 op(shapeUntagResourceInput, api.UntagResource),
		"ListTagsForResource":           op(shapeListTagsForResourceInput, api.ListTagsForResource),
		"DescribeLimits":                op(shapeDescribeLimitsInput, api.DescribeLimits),
		"DescribeAccountSettings":       op(shapeDescribeAccountSettingsInput, api.DescribeAccountSettings),
	}
	for name := range Operations {
		h, ok := ops[name]
		if !ok {
			h = notBuilt(name)
		}
		mux.Handle(TargetPrefix+"."+name, h)
	}
}

// Built lists the operations Register serves.
func Built() []string {
	return []string{"AddTagsToStream", "CreateStream", "DecreaseStreamRetentionPeriod", "DeleteStream",
		"DescribeAccountSettings", "DescribeLimits", "DescribeStream", "DescribeStreamSummary", "GetRecords",
		"GetShardIterator", "IncreaseStreamRetentionPeriod", "ListShards", "ListStreams", "ListTagsForResource",
		"ListTagsForStream", "PutRecord", "PutRecords", "RemoveTagsFromStream", "TagResource", "UntagResource"}
}

// op adapts a typed API method to a dispatch.Handler through the generic
// AWS JSON codec: parse, validate against the model, bind, call, marshal.
func op[In, Out any](in *shape.Shape, f func(context.Context, *In) (*Out, error)) dispatch.Handler {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		req := new(In)
		if err := awsjson.Decode(body, in, req); err != nil {
			return nil, err
		}
		out, err := f(ctx, req)
		if err != nil {
			return nil, err
		}
		if _, empty := any(out).(*struct{}); empty {
			return nil, nil
		}
		return awsjson.Marshal(out)
	}
}

func notBuilt(name string) dispatch.Handler {
	return func(context.Context, []byte) ([]byte, error) {
		return nil, awserr.NotBuilt(name)
	}
}
