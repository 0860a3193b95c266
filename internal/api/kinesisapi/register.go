package kinesisapi

import (
	"context"
	"sort"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
	"github.com/freshet/freshet/internal/protocol/dispatch"
	"github.com/freshet/freshet/internal/protocol/shape"
)

// Register binds every operation of the Kinesis model to mux, in AWS JSON
// and in AWS CBOR (see cbor.go): the built ones to api, the rest to AWS's
// UnknownOperationException.
func Register(mux *dispatch.Mux, api API) {
	for name, op := range Operations {
		h := notBuilt(name)
		if build, ok := builders[name]; ok {
			h = build(api)
		}
		mux.Handle(TargetPrefix+"."+name, h)
		mux.HandleCBOR(TargetPrefix+"."+name, cborHandler(name, op, h, api))
	}
	mux.HandleStream(TargetPrefix+".SubscribeToShard", subscribeToShardHandler(api))
	mux.HandleStreamCBOR(TargetPrefix+".SubscribeToShard", subscribeToShardCBORHandler(api))
}

// builders binds each built operation to its API method.
var builders = map[string]func(API) dispatch.Handler{
	"StartStreamEncryption":  func(a API) dispatch.Handler { return op(shapeStartStreamEncryptionInput, a.StartStreamEncryption) },
	"StopStreamEncryption":   func(a API) dispatch.Handler { return op(shapeStopStreamEncryptionInput, a.StopStreamEncryption) },
	"RegisterStreamConsumer": func(a API) dispatch.Handler { return op(shapeRegisterStreamConsumerInput, a.RegisterStreamConsumer) },
	"DeregisterStreamConsumer": func(a API) dispatch.Handler {
		return op(shapeDeregisterStreamConsumerInput, a.DeregisterStreamConsumer)
	},
	"DescribeStreamConsumer": func(a API) dispatch.Handler { return op(shapeDescribeStreamConsumerInput, a.DescribeStreamConsumer) },
	"ListStreamConsumers":    func(a API) dispatch.Handler { return op(shapeListStreamConsumersInput, a.ListStreamConsumers) },
	"EnableEnhancedMonitoring": func(a API) dispatch.Handler {
		return op(shapeEnableEnhancedMonitoringInput, a.EnableEnhancedMonitoring)
	},
	"DisableEnhancedMonitoring": func(a API) dispatch.Handler {
		return op(shapeDisableEnhancedMonitoringInput, a.DisableEnhancedMonitoring)
	},
	"PutResourcePolicy":    func(a API) dispatch.Handler { return op(shapePutResourcePolicyInput, a.PutResourcePolicy) },
	"GetResourcePolicy":    func(a API) dispatch.Handler { return op(shapeGetResourcePolicyInput, a.GetResourcePolicy) },
	"DeleteResourcePolicy": func(a API) dispatch.Handler { return op(shapeDeleteResourcePolicyInput, a.DeleteResourcePolicy) },
	"UpdateMaxRecordSize":  func(a API) dispatch.Handler { return op(shapeUpdateMaxRecordSizeInput, a.UpdateMaxRecordSize) },
	"UpdateStreamWarmThroughput": func(a API) dispatch.Handler {
		return op(shapeUpdateStreamWarmThroughputInput, a.UpdateStreamWarmThroughput)
	},
	"UpdateAccountSettings": func(a API) dispatch.Handler { return op(shapeUpdateAccountSettingsInput, a.UpdateAccountSettings) },
	"SplitShard":            func(a API) dispatch.Handler { return op(shapeSplitShardInput, a.SplitShard) },
	"MergeShards":           func(a API) dispatch.Handler { return op(shapeMergeShardsInput, a.MergeShards) },
	"UpdateShardCount":      func(a API) dispatch.Handler { return op(shapeUpdateShardCountInput, a.UpdateShardCount) },
	"UpdateStreamMode":      func(a API) dispatch.Handler { return op(shapeUpdateStreamModeInput, a.UpdateStreamMode) },
	"CreateStream":          func(a API) dispatch.Handler { return op(shapeCreateStreamInput, a.CreateStream) },
	"DeleteStream":          func(a API) dispatch.Handler { return op(shapeDeleteStreamInput, a.DeleteStream) },
	"DescribeStream":        func(a API) dispatch.Handler { return op(shapeDescribeStreamInput, a.DescribeStream) },
	"DescribeStreamSummary": func(a API) dispatch.Handler { return op(shapeDescribeStreamSummaryInput, a.DescribeStreamSummary) },
	"ListStreams":           func(a API) dispatch.Handler { return op(shapeListStreamsInput, a.ListStreams) },
	"ListShards":            func(a API) dispatch.Handler { return op(shapeListShardsInput, a.ListShards) },
	"PutRecord":             func(a API) dispatch.Handler { return op(shapePutRecordInput, a.PutRecord) },
	"PutRecords":            func(a API) dispatch.Handler { return putRecordsHandler(a) },
	"GetShardIterator":      func(a API) dispatch.Handler { return op(shapeGetShardIteratorInput, a.GetShardIterator) },
	"GetRecords":            func(a API) dispatch.Handler { return getRecordsHandler(a) },
	"IncreaseStreamRetentionPeriod": func(a API) dispatch.Handler {
		return op(shapeIncreaseStreamRetentionPeriodInput, a.IncreaseStreamRetentionPeriod)
	},
	"DecreaseStreamRetentionPeriod": func(a API) dispatch.Handler {
		return op(shapeDecreaseStreamRetentionPeriodInput, a.DecreaseStreamRetentionPeriod)
	},
	"AddTagsToStream":         func(a API) dispatch.Handler { return op(shapeAddTagsToStreamInput, a.AddTagsToStream) },
	"RemoveTagsFromStream":    func(a API) dispatch.Handler { return op(shapeRemoveTagsFromStreamInput, a.RemoveTagsFromStream) },
	"ListTagsForStream":       func(a API) dispatch.Handler { return op(shapeListTagsForStreamInput, a.ListTagsForStream) },
	"TagResource":             func(a API) dispatch.Handler { return op(shapeTagResourceInput, a.TagResource) },
	"UntagResource":           func(a API) dispatch.Handler { return op(shapeUntagResourceInput, a.UntagResource) },
	"ListTagsForResource":     func(a API) dispatch.Handler { return op(shapeListTagsForResourceInput, a.ListTagsForResource) },
	"DescribeLimits":          func(a API) dispatch.Handler { return op(shapeDescribeLimitsInput, a.DescribeLimits) },
	"DescribeAccountSettings": func(a API) dispatch.Handler { return op(shapeDescribeAccountSettingsInput, a.DescribeAccountSettings) },
}

// Built lists the operations Register serves, sorted.
func Built() []string {
	names := make([]string, 0, len(builders))
	for name := range builders {
		names = append(names, name)
	}
	names = append(names, "SubscribeToShard")
	sort.Strings(names)
	return names
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
