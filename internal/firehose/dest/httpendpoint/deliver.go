package httpendpoint

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
)

const (
	// MaxRecordsPerRequest and MaxBodyBytes are AWS's per-request limits
	// (the body is measured before compression).
	MaxRecordsPerRequest = 10000
	MaxBodyBytes         = 64 << 20
	// maxResponseBytes is the 1 MiB response limit.
	maxResponseBytes = 1 << 20
	// snippetBytes bounds the response excerpt quoted in error messages.
	snippetBytes = 1024
)

// maxBodyBytes is MaxBodyBytes; tests lower it.
var maxBodyBytes = MaxBodyBytes

type destination struct {
	url         string
	accessKey   *string
	commonAttrs string
	gzip        bool
	window      time.Duration
	opts        Options
}

// New builds an HTTP endpoint destination from a validated configuration.
func New(cfg *firehoseapi.HttpEndpointDestinationConfiguration, opts Options) (dest.Destination, error) {
	if err := Validate(cfg); err != nil {
		return nil, err
	}
	d := &destination{
		url:       cfg.EndpointConfiguration.Url,
		accessKey: cfg.EndpointConfiguration.AccessKey,
		window:    time.Duration(Spec.RetrySeconds) * time.Second,
		opts:      opts.withDefaults(),
	}
	if r := cfg.RetryOptions; r != nil && r.DurationInSeconds != nil {
		d.window = time.Duration(*r.DurationInSeconds) * time.Second
	}
	if rc := cfg.RequestConfiguration; rc != nil {
		d.gzip = rc.ContentEncoding != nil && *rc.ContentEncoding == "GZIP"
		if len(rc.CommonAttributes) > 0 {
			d.commonAttrs = commonAttributesHeader(rc.CommonAttributes)
		}
	}
	return d, nil
}

// commonAttributesHeader renders {"commonAttributes":{"name":"value",...}}
// in the configured order.
func commonAttributesHeader(attrs []firehoseapi.HttpEndpointCommonAttribute) string {
	var b bytes.Buffer
	b.WriteString(`{"commonAttributes":{`)
	for i, a := range attrs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, a.AttributeName)
		b.WriteByte(':')
		writeJSONString(&b, a.AttributeValue)
	}
	b.WriteString(`}}`)
	return b.String()
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

func (d *destination) Close() error { return nil }

// Deliver sends the batch in one or more requests (at most 10,000 records
// and 64 MiB each); the first request carries Batch.ID as its request ID,
// the others IDs derived from it, so every retry repeats the same IDs.
func (d *destination) Deliver(ctx context.Context, b dest.Batch) (dest.Result, error) {
	var res dest.Result
	for i, chunk := range split(b.Records) {
		r, err := d.deliverChunk(ctx, b, requestID(b.ID, i), chunk)
		if err != nil {
			return dest.Result{}, err
		}
		res.Failed = append(res.Failed, r.Failed...)
		res.Dropped += r.Dropped
	}
	return res, nil
}

// requestID is the batch ID for the first request of a batch and a name-
// based UUID (v5) of it for the others.
func requestID(batchID string, i int) string {
	if i == 0 {
		return batchID
	}
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("freshet:firehose:"+batchID+"/"+strconv.Itoa(i))).String()
}

// recordOverhead is {"data":""}, around each base64 payload.
const recordOverhead = len(`{"data":""},`)

// bodyOverhead bounds {"requestId":"…","timestamp":…,"records":[]}.
const bodyOverhead = 128

func split(recs []dest.Record) [][]dest.Record {
	var out [][]dest.Record
	start, size := 0, bodyOverhead
	for i, r := range recs {
		n := base64.StdEncoding.EncodedLen(len(r.Data)) + recordOverhead
		if i > start && (i-start >= MaxRecordsPerRequest || size+n > maxBodyBytes) {
			out = append(out, recs[start:i])
			start, size = i, bodyOverhead
		}
		size += n
	}
	if start < len(recs) || len(recs) == 0 {
		out = append(out, recs[start:])
	}
	return out
}

func encodeBody(id string, ts int64, recs []dest.Record, gz bool) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"requestId":`)
	writeJSONString(&b, id)
	b.WriteString(`,"timestamp":`)
	b.WriteString(strconv.FormatInt(ts, 10))
	b.WriteString(`,"records":[`)
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"data":"`)
		enc := base64.NewEncoder(base64.StdEncoding, &b)
		_, _ = enc.Write(r.Data)
		_ = enc.Close()
		b.WriteString(`"}`)
	}
	b.WriteString(`]}`)
	if !gz {
		return b.Bytes(), nil
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	if _, err := w.Write(b.Bytes()); err != nil {
		return nil, fmt.Errorf("gzip request body: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("gzip request body: %w", err)
	}
	return z.Bytes(), nil
}

// outcome is one attempt's verdict.
type outcome struct {
	ok        bool
	permanent bool // 413: dropped, not retried, not backed up
	code, msg string
	status    int
}

func (d *destination) deliverChunk(ctx context.Context, b dest.Batch, id string, recs []dest.Record) (dest.Result, error) {
	body, err := encodeBody(id, d.opts.Now().UnixMilli(), recs, d.gzip)
	if err != nil {
		return dest.Result{}, err
	}
	var firstFailure time.Time
	for attempts := 1; ; attempts++ {
		out := d.attempt(ctx, b.StreamARN, id, body)
		if err := ctx.Err(); err != nil {
			return dest.Result{}, err
		}
		if out.ok {
			return dest.Result{}, nil
		}
		if out.permanent {
			d.opts.Logger.Warn("http endpoint refused the request as too large; records dropped",
				slog.String("stream", b.Stream), slog.String("requestId", id), slog.Int("records", len(recs)))
			return dest.Result{Dropped: len(recs)}, nil
		}
		now := d.opts.Now()
		if firstFailure.IsZero() {
			firstFailure = now
		}
		if now.Sub(firstFailure) >= d.window {
			d.opts.Logger.Warn("http endpoint delivery failed after retries",
				slog.String("stream", b.Stream), slog.String("requestId", id), slog.String("errorCode", out.code),
				slog.Int("status", out.status), slog.Int("attempts", attempts), slog.Int("records", len(recs)))
			return dest.Result{Failed: failures(recs, attempts, out, now)}, nil
		}
		if err := d.opts.Sleep(ctx, jitter(dest.Backoff(attempts-1))); err != nil {
			return dest.Result{}, err
		}
	}
}

func (d *destination) attempt(ctx context.Context, sourceARN, id string, body []byte) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return outcome{code: "HttpEndpoint.ConnectionFailed", msg: "Could not build the request for the endpoint URL."}
	}
	h := req.Header
	h.Set("X-Amz-Firehose-Protocol-Version", "1.0")
	h.Set("X-Amz-Firehose-Request-Id", id)
	h.Set("X-Amz-Firehose-Source-Arn", sourceARN)
	if d.accessKey != nil {
		h.Set("X-Amz-Firehose-Access-Key", *d.accessKey)
	}
	if d.commonAttrs != "" {
		h.Set("X-Amz-Firehose-Common-Attributes", d.commonAttrs)
	}
	h.Set("Content-Type", "application/json")
	if d.gzip {
		h.Set("Content-Encoding", "gzip")
	}
	resp, err := d.opts.HTTPClient.Do(req)
	if err != nil {
		code, msg := transportError(err)
		return outcome{code: code, msg: msg}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		code, msg := transportError(err)
		return outcome{code: code, msg: msg, status: resp.StatusCode}
	}
	if len(raw) > maxResponseBytes {
		return outcome{code: "HttpEndpoint.ResponseTooLarge", status: resp.StatusCode,
			msg: "The response received from the endpoint is too large. The response must be less than 1 MiB."}
	}
	return judge(resp, raw, id)
}

// judge applies the response contract: only a 200 with an application/json
// body carrying the same requestId and a numeric timestamp is a success.
func judge(resp *http.Response, raw []byte, id string) outcome {
	status := resp.StatusCode
	switch {
	case status == http.StatusRequestEntityTooLarge:
		return outcome{permanent: true, status: status, code: "HttpEndpoint.DestinationException",
			msg: "The following response was received from the endpoint destination. " + strconv.Itoa(status) + ": " + snippet(raw)}
	case status != http.StatusOK:
		return outcome{status: status, code: "HttpEndpoint.DestinationException",
			msg: "The following response was received from the endpoint destination. " + strconv.Itoa(status) + ": " + snippet(raw)}
	}
	if validResponse(resp.Header.Get("Content-Type"), raw, id) {
		return outcome{ok: true, status: status}
	}
	return outcome{status: status, code: "HttpEndpoint.InvalidResponseFromDestination",
		msg: "The response received from the specified endpoint is invalid. Contact the owner of the endpoint to resolve the issue. Response for request " +
			id + " is not recognized as valid JSON or has unexpected fields. Raw response received: " + strconv.Itoa(status) + " " + snippet(raw)}
}

func validResponse(contentType string, raw []byte, id string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return false
	}
	var r struct {
		RequestID *string         `json:"requestId"`
		Timestamp json.RawMessage `json:"timestamp"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.RequestID == nil || *r.RequestID != id {
		return false
	}
	var ts float64
	return len(r.Timestamp) > 0 && (r.Timestamp[0] == '-' || r.Timestamp[0] >= '0' && r.Timestamp[0] <= '9') &&
		json.Unmarshal(r.Timestamp, &ts) == nil
}

func snippet(raw []byte) string {
	if len(raw) > snippetBytes {
		raw = raw[:snippetBytes]
	}
	return string(bytes.ToValidUTF8(raw, []byte("\uFFFD")))
}

// errorLine is AWS's documented error record for the HTTP endpoint
// destination, field order included.
type errorLine struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	RawData                []byte `json:"rawData"`
	SubsequenceNumber      int    `json:"subsequenceNumber"`
	DataID                 string `json:"dataId"`
}

func failures(recs []dest.Record, attempts int, out outcome, end time.Time) []dest.Failure {
	fs := make([]dest.Failure, 0, len(recs))
	for _, r := range recs {
		fs = append(fs, dest.Failure{Record: r, Line: marshalLine(errorLine{
			AttemptsMade:           attempts,
			ArrivalTimestamp:       r.ArrivalMs,
			ErrorCode:              out.code,
			ErrorMessage:           out.msg,
			AttemptEndingTimestamp: end.UnixMilli(),
			RawData:                r.Data,
			DataID:                 r.ID,
		})})
	}
	return fs
}

func marshalLine(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
