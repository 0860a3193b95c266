package process

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/google/uuid"

	"github.com/freshet/freshet/internal/firehose/dest"
)

// maxPayload is Lambda's synchronous invocation payload limit (6 MB).
const maxPayload = 6 << 20

// eventHeader is the invocation event without its records.
type eventHeader struct {
	InvocationID           string `json:"invocationId"`
	DeliveryStreamArn      string `json:"deliveryStreamArn"`
	SourceKinesisStreamArn string `json:"sourceKinesisStreamArn,omitempty"`
	Region                 string `json:"region"`
}

type eventRecord struct {
	RecordID                    string           `json:"recordId"`
	ApproximateArrivalTimestamp int64            `json:"approximateArrivalTimestamp"`
	Data                        []byte           `json:"data"`
	KinesisRecordMetadata       *kinesisRecordMD `json:"kinesisRecordMetadata,omitempty"`
}

type kinesisRecordMD struct {
	ShardID                     string `json:"shardId"`
	PartitionKey                string `json:"partitionKey"`
	ApproximateArrivalTimestamp int64  `json:"approximateArrivalTimestamp"`
	SequenceNumber              string `json:"sequenceNumber"`
	SubsequenceNumber           int64  `json:"subsequenceNumber"`
}

// verdict is what became of one record sent to Lambda.
type verdict struct {
	state     int // ok, dropped or failed
	data      []byte
	keys      map[string]string
	code, msg string
}

const (
	stateOK = iota
	stateDropped
	stateFailed
)

// transform runs the Lambda processor: the records go out in invocations
// of at most 6 MB, one after another.
func (p *Pipeline) transform(ctx context.Context, in []Record) ([]Record, []dest.Failure, error) {
	if len(in) == 0 {
		return in, nil, nil
	}
	ids := recordIDs(in)
	entries := make([][]byte, len(in))
	for i, r := range in {
		e := eventRecord{RecordID: ids[i], ApproximateArrivalTimestamp: r.ArrivalMs, Data: r.Data}
		if k := r.Kinesis; k != nil {
			e.KinesisRecordMetadata = &kinesisRecordMD{ShardID: k.ShardID, PartitionKey: k.PartitionKey,
				ApproximateArrivalTimestamp: k.ApproximateArrivalTimestamp, SequenceNumber: k.SequenceNumber,
				SubsequenceNumber: k.SubsequenceNumber}
		}
		entries[i], _ = json.Marshal(e)
	}
	out := make([]Record, 0, len(in))
	var failed []dest.Failure
	for start := 0; start < len(in); {
		header := p.header()
		end := start
		size := len(header) + len(`]}`)
		for end < len(in) && (end == start || size+1+len(entries[end]) <= maxPayload) {
			size += len(entries[end]) + 1
			end++
		}
		verdicts, attempts, err := p.invokeChunk(ctx, header, entries[start:end], ids[start:end])
		if err != nil {
			return nil, nil, err
		}
		for i, v := range verdicts {
			r := in[start+i]
			switch v.state {
			case stateOK:
				r.Data = v.data
				r.LambdaKeys = v.keys
				out = append(out, r)
			case stateFailed:
				failed = append(failed, p.lambdaFailure(r, v.code, v.msg, attempts))
			}
		}
		start = end
	}
	return out, failed, nil
}

// recordIDs returns the recordId of each record: its ID, made unique
// within the batch if it is not.
func recordIDs(in []Record) []string {
	ids := make([]string, len(in))
	seen := make(map[string]bool, len(in))
	for i, r := range in {
		id := r.ID
		if id == "" || seen[id] {
			id = id + "#" + strconv.Itoa(i)
		}
		seen[id] = true
		ids[i] = id
	}
	return ids
}

// header returns the event's opening bytes up to the records array.
func (p *Pipeline) header() []byte {
	h, _ := json.Marshal(eventHeader{
		InvocationID:           uuid.NewString(),
		DeliveryStreamArn:      p.opts.StreamARN,
		SourceKinesisStreamArn: p.opts.SourceKinesisStreamARN,
		Region:                 p.opts.Region,
	})
	return append(h[:len(h)-1], `,"records":[`...)
}

// invokeChunk invokes the function with one event, retrying invocation
// errors NumberOfRetries times, and returns a verdict per record and the
// number of attempts made.
func (p *Pipeline) invokeChunk(ctx context.Context, header []byte, entries [][]byte, ids []string) ([]verdict, int, error) {
	payload := header
	for i, e := range entries {
		if i > 0 {
			payload = append(payload, ',')
		}
		payload = append(payload, e...)
	}
	payload = append(payload, `]}`...)
	arn := p.cfg.lambda.arn
	for attempt := 0; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, p.opts.LambdaTimeout)
		resp, funcErr, err := p.invoke.invoke(cctx, arn, payload)
		cancel()
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		if err == nil && funcErr == "" {
			return parseResponse(resp, ids), attempt + 1, nil
		}
		code, msg := codeFunctionError, msgFunctionError
		if err != nil {
			code, msg = invokeError(err)
		}
		p.opts.Logger.Warn("firehose lambda invocation failed", "function", arn,
			"attempt", attempt+1, "errorCode", code, "records", len(ids))
		if attempt >= p.cfg.lambda.retries {
			v := make([]verdict, len(ids))
			for i := range v {
				v[i] = verdict{state: stateFailed, code: code, msg: msg}
			}
			return v, attempt + 1, nil
		}
		if err := p.opts.Sleep(ctx, dest.Backoff(attempt)); err != nil {
			return nil, 0, err
		}
	}
}

type responseRecord struct {
	RecordID *string `json:"recordId"`
	Result   *string `json:"result"`
	Data     *string `json:"data"`
	Metadata *struct {
		PartitionKeys map[string]*string `json:"partitionKeys"`
	} `json:"metadata"`
}

const msgNoData = "The data field cannot be null when the processing result is Ok."

// parseResponse matches a function's response to the records sent. A
// response that is not the documented JSON fails every record; records
// it does not return fail with Lambda.MissingRecordId, and entries naming
// no record sent are ignored.
func parseResponse(resp []byte, ids []string) []verdict {
	v := make([]verdict, len(ids))
	var body struct {
		Records *[]responseRecord `json:"records"`
	}
	if err := json.Unmarshal(resp, &body); err != nil {
		for i := range v {
			v[i] = verdict{state: stateFailed, code: codeJSON, msg: msgJSON}
		}
		return v
	}
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
		v[i] = verdict{state: stateFailed, code: codeMissingID, msg: msgMissingID}
	}
	if body.Records == nil {
		return v
	}
	seen := make([]bool, len(ids))
	for _, rr := range *body.Records {
		if rr.RecordID == nil {
			continue
		}
		i, ok := index[*rr.RecordID]
		if !ok {
			continue
		}
		if seen[i] {
			v[i] = verdict{state: stateFailed, code: codeDuplicatedID, msg: msgDuplicatedID}
			continue
		}
		seen[i] = true
		v[i] = judge(rr)
	}
	return v
}

// judge turns one response entry into a verdict.
func judge(rr responseRecord) verdict {
	bad := verdict{state: stateFailed, code: codeJSON, msg: msgJSON}
	if rr.Result == nil {
		return bad
	}
	switch *rr.Result {
	case "Dropped":
		return verdict{state: stateDropped}
	case "ProcessingFailed":
		return verdict{state: stateFailed, code: codeFailedStatus, msg: msgFailedStatus}
	case "Ok":
	default:
		return bad
	}
	if rr.Data == nil {
		return verdict{state: stateFailed, code: codeJSON, msg: msgNoData}
	}
	data, err := base64.StdEncoding.DecodeString(*rr.Data)
	if err != nil {
		return bad
	}
	out := verdict{state: stateOK, data: data}
	if rr.Metadata != nil && len(rr.Metadata.PartitionKeys) > 0 {
		out.keys = make(map[string]string, len(rr.Metadata.PartitionKeys))
		for k, val := range rr.Metadata.PartitionKeys {
			if val != nil {
				out.keys[k] = *val
			}
		}
	}
	return out
}
