package kinesisapi

import (
	"context"
	"net/http"
	"sync"

	"github.com/freshet/freshet/internal/protocol/awscbor"
	"github.com/freshet/freshet/internal/protocol/awsjson"
	"github.com/freshet/freshet/internal/protocol/dispatch"
	"github.com/freshet/freshet/internal/protocol/shape"
)

// AWS CBOR (application/x-amz-cbor-1.1), the Java SDK's default for
// Kinesis. Every operation answers it through its JSON handler: the CBOR
// request is transcoded to the AWS JSON that means the same (so validation
// and its messages are the JSON path's, unchanged), and the JSON answer to
// CBOR, both guided by the operation's shapes. The data plane skips the
// second step: PutRecords and GetRecords encode their typed outputs
// straight to CBOR, and SubscribeToShard writes its events in CBOR.

// cborHandler is the CBOR handler of operation name, whose JSON handler is
// h.
func cborHandler(name string, op *shape.Operation, h dispatch.Handler, api API) dispatch.Handler {
	if _, built := builders[name]; !built {
		return h // answers UnknownOperationException whatever the body
	}
	switch name {
	case "PutRecords":
		return putRecordsCBORHandler(api)
	case "GetRecords":
		return getRecordsCBORHandler(api)
	}
	return transcoded(op, h)
}

// jsonBufs holds the JSON text of transcoded requests.
var jsonBufs = sync.Pool{New: func() any { return new([]byte) }}

// toJSON transcodes a CBOR request into a pooled buffer; release it with
// releaseJSON once the JSON (and anything aliasing it) is no longer used.
func toJSON(body []byte, in *shape.Shape) (*[]byte, []byte, error) {
	buf := jsonBufs.Get().(*[]byte)
	js, err := awscbor.ToJSON((*buf)[:0], body, in)
	if err != nil {
		releaseJSON(buf, nil)
		return nil, nil, err
	}
	return buf, js, nil
}

func releaseJSON(buf *[]byte, js []byte) {
	if cap(js) > 8<<20 {
		js = nil // let very large buffers go
	}
	*buf = js[:0]
	jsonBufs.Put(buf)
}

// transcoded serves CBOR with a JSON handler.
func transcoded(op *shape.Operation, h dispatch.Handler) dispatch.Handler {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		buf, js, err := toJSON(body, op.Input)
		if err != nil {
			return nil, err
		}
		out, err := h(ctx, js)
		releaseJSON(buf, js)
		if err != nil || len(out) == 0 {
			return nil, err
		}
		return awscbor.FromJSON(make([]byte, 0, len(out)), out, op.Output)
	}
}

func putRecordsCBORHandler(api API) dispatch.Handler {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		buf, js, err := toJSON(body, shapePutRecordsInput)
		if err != nil {
			return nil, err
		}
		out, err := putRecords(ctx, api, js)
		releaseJSON(buf, js)
		if err != nil {
			return nil, err
		}
		return appendPutRecordsOutputCBOR(make([]byte, 0, 64+len(out.Records)*90), out), nil
	}
}

// appendPutRecordsOutputCBOR is appendPutRecordsOutput in CBOR: the same
// members in the same order.
func appendPutRecordsOutputCBOR(b []byte, out *PutRecordsOutput) []byte {
	n := 1
	if out.EncryptionType != nil {
		n++
	}
	if out.FailedRecordCount != nil {
		n++
	}
	b = awscbor.AppendMapHeader(b, n)
	if out.EncryptionType != nil {
		b = awscbor.AppendText(b, "EncryptionType")
		b = awscbor.AppendText(b, *out.EncryptionType)
	}
	if out.FailedRecordCount != nil {
		b = awscbor.AppendText(b, "FailedRecordCount")
		b = awscbor.AppendInt(b, *out.FailedRecordCount)
	}
	b = awscbor.AppendText(b, "Records")
	b = awscbor.AppendArrayHeader(b, len(out.Records))
	for i := range out.Records {
		r := &out.Records[i]
		fields := [4]struct {
			name string
			val  *string
		}{{"ErrorCode", r.ErrorCode}, {"ErrorMessage", r.ErrorMessage}, {"SequenceNumber", r.SequenceNumber}, {"ShardId", r.ShardId}}
		n := 0
		for _, f := range fields {
			if f.val != nil {
				n++
			}
		}
		b = awscbor.AppendMapHeader(b, n)
		for _, f := range fields {
			if f.val != nil {
				b = awscbor.AppendText(b, f.name)
				b = awscbor.AppendText(b, *f.val)
			}
		}
	}
	return b
}

func getRecordsCBORHandler(api API) dispatch.Handler {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		buf, js, err := toJSON(body, shapeGetRecordsInput)
		if err != nil {
			return nil, err
		}
		out, err := getRecords(ctx, api, js)
		releaseJSON(buf, js)
		if err != nil {
			return nil, err
		}
		return appendGetRecordsOutputCBOR(out)
	}
}

// appendGetRecordsOutputCBOR is appendGetRecordsOutput in CBOR: the same
// members in the same order, Data as byte strings, arrival times as tag 1
// with integer milliseconds.
func appendGetRecordsOutputCBOR(out *GetRecordsOutput) ([]byte, error) {
	size := 128
	for i := range out.Records {
		r := &out.Records[i]
		size += len(r.Data) + len(r.PartitionKey) + len(r.SequenceNumber) + 96
	}
	b := make([]byte, 0, size)
	n := 1
	if len(out.ChildShards) > 0 {
		n++
	}
	if out.MillisBehindLatest != nil {
		n++
	}
	if out.NextShardIterator != nil {
		n++
	}
	b = awscbor.AppendMapHeader(b, n)
	if len(out.ChildShards) > 0 {
		var err error
		if b, err = appendChildShardsCBOR(b, out.ChildShards); err != nil {
			return nil, err
		}
	}
	if out.MillisBehindLatest != nil {
		b = awscbor.AppendText(b, "MillisBehindLatest")
		b = awscbor.AppendInt(b, *out.MillisBehindLatest)
	}
	if out.NextShardIterator != nil {
		b = awscbor.AppendText(b, "NextShardIterator")
		b = awscbor.AppendText(b, *out.NextShardIterator)
	}
	b = awscbor.AppendText(b, "Records")
	b = awscbor.AppendArrayHeader(b, len(out.Records))
	for i := range out.Records {
		r := &out.Records[i]
		n := 3
		if r.ApproximateArrivalTimestamp != nil {
			n++
		}
		if r.EncryptionType != nil {
			n++
		}
		b = awscbor.AppendMapHeader(b, n)
		if r.ApproximateArrivalTimestamp != nil {
			b = awscbor.AppendText(b, "ApproximateArrivalTimestamp")
			b = awscbor.AppendTimestamp(b, *r.ApproximateArrivalTimestamp)
		}
		b = awscbor.AppendText(b, "Data")
		b = awscbor.AppendBytes(b, r.Data)
		if r.EncryptionType != nil {
			b = awscbor.AppendText(b, "EncryptionType")
			b = awscbor.AppendText(b, *r.EncryptionType)
		}
		b = awscbor.AppendText(b, "PartitionKey")
		b = awscbor.AppendText(b, r.PartitionKey)
		b = awscbor.AppendText(b, "SequenceNumber")
		b = awscbor.AppendText(b, r.SequenceNumber)
	}
	return b, nil
}

// appendChildShardsCBOR appends the ChildShards member. It is rare (once
// per closed shard), so it goes through JSON like the control plane.
func appendChildShardsCBOR(b []byte, cs []ChildShard) ([]byte, error) {
	js, err := awsjson.Marshal(cs)
	if err != nil {
		return nil, err
	}
	b = awscbor.AppendText(b, "ChildShards")
	return awscbor.FromJSON(b, js, shapeChildShardList)
}

// appendSubscribeToShardEventCBOR encodes ev as awsjson.Marshal orders it
// (field order; records as the Record struct orders them), in CBOR.
func appendSubscribeToShardEventCBOR(b []byte, ev *SubscribeToShardEvent) ([]byte, error) {
	n := 3
	if ev.ChildShards != nil {
		n++
	}
	b = awscbor.AppendMapHeader(b, n)
	b = awscbor.AppendText(b, "Records")
	b = awscbor.AppendArrayHeader(b, len(ev.Records))
	for i := range ev.Records {
		r := &ev.Records[i]
		n := 3
		if r.ApproximateArrivalTimestamp != nil {
			n++
		}
		if r.EncryptionType != nil {
			n++
		}
		b = awscbor.AppendMapHeader(b, n)
		b = awscbor.AppendText(b, "SequenceNumber")
		b = awscbor.AppendText(b, r.SequenceNumber)
		if r.ApproximateArrivalTimestamp != nil {
			b = awscbor.AppendText(b, "ApproximateArrivalTimestamp")
			b = awscbor.AppendTimestamp(b, *r.ApproximateArrivalTimestamp)
		}
		b = awscbor.AppendText(b, "Data")
		b = awscbor.AppendBytes(b, r.Data)
		b = awscbor.AppendText(b, "PartitionKey")
		b = awscbor.AppendText(b, r.PartitionKey)
		if r.EncryptionType != nil {
			b = awscbor.AppendText(b, "EncryptionType")
			b = awscbor.AppendText(b, *r.EncryptionType)
		}
	}
	b = awscbor.AppendText(b, "ContinuationSequenceNumber")
	b = awscbor.AppendText(b, ev.ContinuationSequenceNumber)
	b = awscbor.AppendText(b, "MillisBehindLatest")
	b = awscbor.AppendInt(b, ev.MillisBehindLatest)
	if ev.ChildShards != nil {
		return appendChildShardsCBOR(b, ev.ChildShards)
	}
	return b, nil
}

// emptyMapCBOR is {} in CBOR, the initial-response's payload.
var emptyMapCBOR = []byte{0xa0}

var cborEvents = eventCodec{
	contentType: awscbor.ContentType,
	initial:     emptyMapCBOR,
	encode:      appendSubscribeToShardEventCBOR,
	errorBody:   awscbor.ErrorBody,
}

// subscribeToShardCBORHandler is subscribeToShardHandler for CBOR clients
// (the Java SDK v2, KCL 2.x): the request is transcoded like any other,
// and every event payload is CBOR with :content-type
// application/x-amz-cbor-1.1, as the SDK parses payloads in the protocol
// of the request.
func subscribeToShardCBORHandler(api API) dispatch.StreamHandler {
	return func(ctx context.Context, body []byte, w http.ResponseWriter) error {
		buf, js, err := toJSON(body, shapeSubscribeToShardInput)
		if err != nil {
			return err
		}
		in := new(SubscribeToShardInput)
		err = awsjson.Decode(js, shapeSubscribeToShardInput, in)
		releaseJSON(buf, js)
		if err != nil {
			return err
		}
		src, err := api.SubscribeToShard(ctx, in)
		if err != nil {
			return err
		}
		return streamEvents(ctx, w, src, cborEvents)
	}
}
