package kinesisapi

import (
	"context"
	"strconv"
	"sync"

	"github.com/freshet/freshet/internal/protocol/awsjson"
	"github.com/freshet/freshet/internal/protocol/dispatch"
)

// PutRecords and GetRecords carry nearly every byte Freshet serves, so they
// skip reflection: the request is parsed and validated against the model
// like any other, then bound by hand, and the response is written by hand.

var parsers = sync.Pool{New: func() any { return new(awsjson.Parser) }}

var emptyObject = []byte("{}")

func putRecordsHandler(api API) dispatch.Handler {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		out, err := putRecords(ctx, api, body)
		if err != nil {
			return nil, err
		}
		return appendPutRecordsOutput(make([]byte, 0, 64+len(out.Records)*96), out), nil
	}
}

// putRecords parses, validates and binds a JSON PutRecords request and
// calls the API: the part the JSON and CBOR handlers share.
func putRecords(ctx context.Context, api API, body []byte) (*PutRecordsOutput, error) {
	if len(body) == 0 {
		body = emptyObject
	}
	p := parsers.Get().(*awsjson.Parser)
	defer parsers.Put(p)
	v, err := p.Parse(body)
	if err != nil {
		return nil, err
	}
	if err := awsjson.Validate(v, shapePutRecordsInput); err != nil {
		return nil, err
	}
	return api.PutRecords(ctx, bindPutRecords(v))
}

// bindPutRecords binds a validated PutRecords request. Every record's data
// is decoded into one shared buffer; strings are views of the body, valid
// while the handler runs (the service copies what it keeps).
func bindPutRecords(v *awsjson.Value) *PutRecordsInput {
	in := &PutRecordsInput{StreamName: optString(v.Member("StreamName")), StreamARN: optString(v.Member("StreamARN"))}
	recs := v.Member("Records").Elems()
	total := 0
	for i := range recs {
		n, _ := recs[i].Member("Data").BlobLen()
		total += n
	}
	arena := make([]byte, 0, total)
	in.Records = make([]PutRecordsRequestEntry, len(recs))
	for i := range recs {
		r, e := &recs[i], &in.Records[i]
		start := len(arena)
		arena, _ = r.Member("Data").AppendBlob(arena)
		e.Data = arena[start:len(arena):len(arena)]
		e.PartitionKey = r.Member("PartitionKey").Str()
		e.ExplicitHashKey = optString(r.Member("ExplicitHashKey"))
	}
	return in
}

func optString(v *awsjson.Value) *string {
	if v.IsNull() {
		return nil
	}
	s := v.Str()
	return &s
}

func appendPutRecordsOutput(b []byte, out *PutRecordsOutput) []byte {
	b = append(b, '{')
	if out.EncryptionType != nil {
		b = append(b, `"EncryptionType":`...)
		b = awsjson.AppendString(b, *out.EncryptionType)
		b = append(b, ',')
	}
	if out.FailedRecordCount != nil {
		b = append(b, `"FailedRecordCount":`...)
		b = strconv.AppendInt(b, *out.FailedRecordCount, 10)
		b = append(b, ',')
	}
	b = append(b, `"Records":[`...)
	for i := range out.Records {
		r := &out.Records[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		sep := false
		field := func(name string, val *string) {
			if val == nil {
				return
			}
			if sep {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, name...)
			b = append(b, `":`...)
			b = awsjson.AppendString(b, *val)
			sep = true
		}
		field("ErrorCode", r.ErrorCode)
		field("ErrorMessage", r.ErrorMessage)
		field("SequenceNumber", r.SequenceNumber)
		field("ShardId", r.ShardId)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

func getRecordsHandler(api API) dispatch.Handler {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		out, err := getRecords(ctx, api, body)
		if err != nil {
			return nil, err
		}
		return appendGetRecordsOutput(out), nil
	}
}

// getRecords decodes a JSON GetRecords request and calls the API.
func getRecords(ctx context.Context, api API, body []byte) (*GetRecordsOutput, error) {
	in := new(GetRecordsInput)
	if err := awsjson.Decode(body, shapeGetRecordsInput, in); err != nil {
		return nil, err
	}
	return api.GetRecords(ctx, in)
}

func appendGetRecordsOutput(out *GetRecordsOutput) []byte {
	size := 256
	for i := range out.Records {
		r := &out.Records[i]
		size += len(r.Data)*4/3 + len(r.PartitionKey) + len(r.SequenceNumber) + 120
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	if len(out.ChildShards) > 0 {
		cs, _ := awsjson.Marshal(out.ChildShards)
		b = append(b, `"ChildShards":`...)
		b = append(b, cs...)
		b = append(b, ',')
	}
	if out.MillisBehindLatest != nil {
		b = append(b, `"MillisBehindLatest":`...)
		b = strconv.AppendInt(b, *out.MillisBehindLatest, 10)
		b = append(b, ',')
	}
	if out.NextShardIterator != nil {
		b = append(b, `"NextShardIterator":`...)
		b = awsjson.AppendString(b, *out.NextShardIterator)
		b = append(b, ',')
	}
	b = append(b, `"Records":[`...)
	for i := range out.Records {
		r := &out.Records[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		if r.ApproximateArrivalTimestamp != nil {
			b = append(b, `"ApproximateArrivalTimestamp":`...)
			b = awsjson.AppendTimestamp(b, *r.ApproximateArrivalTimestamp)
			b = append(b, ',')
		}
		b = append(b, `"Data":`...)
		b = awsjson.AppendBase64(b, r.Data)
		if r.EncryptionType != nil {
			b = append(b, `,"EncryptionType":`...)
			b = awsjson.AppendString(b, *r.EncryptionType)
		}
		b = append(b, `,"PartitionKey":`...)
		b = awsjson.AppendString(b, r.PartitionKey)
		b = append(b, `,"SequenceNumber":`...)
		b = awsjson.AppendString(b, r.SequenceNumber)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}
