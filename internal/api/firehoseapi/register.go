package firehoseapi

import (
	"context"
	"sort"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
	"github.com/freshet/freshet/internal/protocol/dispatch"
	"github.com/freshet/freshet/internal/protocol/shape"
)

// Register binds every operation of the Firehose model to mux: the built
// ones to api, the rest to AWS's UnknownOperationException.
func Register(mux *dispatch.Mux, api API) {
	for name := range Operations {
		h := notBuilt(name)
		if build, ok := builders[name]; ok {
			h = build(api)
		}
		mux.Handle(TargetPrefix+"."+name, h)
	}
}

var builders = map[string]func(API) dispatch.Handler{
	"CreateDeliveryStream": func(a API) dispatch.Handler {
		return op(shapeCreateDeliveryStreamInput, a.CreateDeliveryStream)
	},
	"DeleteDeliveryStream": func(a API) dispatch.Handler {
		return op(shapeDeleteDeliveryStreamInput, a.DeleteDeliveryStream)
	},
	"DescribeDeliveryStream": func(a API) dispatch.Handler {
		return op(shapeDescribeDeliveryStreamInput, a.DescribeDeliveryStream)
	},
	"ListDeliveryStreams": func(a API) dispatch.Handler {
		return op(shapeListDeliveryStreamsInput, a.ListDeliveryStreams)
	},
	"UpdateDestination": func(a API) dispatch.Handler { return op(shapeUpdateDestinationInput, a.UpdateDestination) },
	"PutRecord":         func(a API) dispatch.Handler { return op(shapePutRecordInput, a.PutRecord) },
	"PutRecordBatch":    func(a API) dispatch.Handler { return op(shapePutRecordBatchInput, a.PutRecordBatch) },
	"TagDeliveryStream": func(a API) dispatch.Handler { return op(shapeTagDeliveryStreamInput, a.TagDeliveryStream) },
	"UntagDeliveryStream": func(a API) dispatch.Handler {
		return op(shapeUntagDeliveryStreamInput, a.UntagDeliveryStream)
	},
	"ListTagsForDeliveryStream": func(a API) dispatch.Handler {
		return op(shapeListTagsForDeliveryStreamInput, a.ListTagsForDeliveryStream)
	},
	"StartDeliveryStreamEncryption": func(a API) dispatch.Handler {
		return op(shapeStartDeliveryStreamEncryptionInput, a.StartDeliveryStreamEncryption)
	},
	"StopDeliveryStreamEncryption": func(a API) dispatch.Handler {
		return op(shapeStopDeliveryStreamEncryptionInput, a.StopDeliveryStreamEncryption)
	},
}

// Built lists the operations Register serves, sorted.
func Built() []string {
	names := make([]string, 0, len(builders))
	for name := range builders {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// op adapts a typed API method to a dispatch.Handler through the AWS JSON
// codec: parse, validate against the model, bind, call, marshal.
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
		return awsjson.Marshal(out)
	}
}

func notBuilt(name string) dispatch.Handler {
	return func(context.Context, []byte) ([]byte, error) {
		return nil, awserr.NotBuilt(name)
	}
}
