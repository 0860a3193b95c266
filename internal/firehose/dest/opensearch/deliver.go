package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
)

const (
	// maxResponseBytes bounds a _bulk answer (one item is ~200 bytes).
	maxResponseBytes = 64 << 20
	snippetBytes     = 1024
)

type destination struct {
	bulkURL  string
	index    string
	typeName string
	rotation string
	docIDs   bool
	window   time.Duration
	opts     Options
}

// New builds an Amazon OpenSearch Service destination. Requests are not
// signed (AWS uses the role's SigV4); the cluster must accept them as is.
func New(cfg *firehoseapi.AmazonopensearchserviceDestinationConfiguration, opts Options) (dest.Destination, error) {
	if err := Validate(cfg); err != nil {
		return nil, err
	}
	return newDestination(fromOpenSearch(cfg), opts), nil
}

// NewElasticsearch builds an Elasticsearch destination; it behaves as New.
func NewElasticsearch(cfg *firehoseapi.ElasticsearchDestinationConfiguration, opts Options) (dest.Destination, error) {
	if err := ValidateElasticsearch(cfg); err != nil {
		return nil, err
	}
	return newDestination(fromElasticsearch(cfg), opts), nil
}

func newDestination(s settings, opts Options) *destination {
	d := &destination{
		bulkURL:  strings.TrimRight(*s.endpoint, "/") + "/_bulk",
		index:    s.index,
		typeName: s.typeName,
		rotation: s.rotation,
		docIDs:   s.docIDFormat == "FIREHOSE_DEFAULT",
		window:   time.Duration(Spec.RetrySeconds) * time.Second,
		opts:     opts.withDefaults(),
	}
	if s.retrySeconds != nil {
		d.window = time.Duration(*s.retrySeconds) * time.Second
	}
	return d
}

func (d *destination) Close() error { return nil }

// doc is one record on its way to the cluster.
type doc struct {
	rec   dest.Record
	index string
	id    string
	body  []byte // the record as one NDJSON line, without the newline
}

// failure is why a document is (so far) not indexed.
type failure struct {
	code, msg string
	retry     bool
}

// Deliver indexes the batch with _bulk. Items answered with 429 or 5xx and
// whole-request failures are retried (only the documents not yet indexed)
// until RetryOptions has passed since the first failure; other item errors
// are final. A record that is not single-line JSON fails without being sent.
func (d *destination) Deliver(ctx context.Context, b dest.Batch) (dest.Result, error) {
	var res dest.Result
	pending := make([]doc, 0, len(b.Records))
	for _, r := range b.Records {
		dc := d.prepare(r, b.Now)
		if dc.body == nil {
			res.Failed = append(res.Failed, d.failed(dc, 0, failure{code: "400",
				msg: "The record is not a valid single-line JSON document."}, d.opts.Now()))
			continue
		}
		pending = append(pending, dc)
	}
	var firstFailure time.Time
	for attempts := 1; len(pending) > 0; attempts++ {
		fails, err := d.bulk(ctx, pending)
		if err != nil {
			return dest.Result{}, err
		}
		now := d.opts.Now()
		var retry []doc
		var retryFails []failure
		for i, dc := range pending {
			f, bad := fails[i]
			switch {
			case !bad:
			case f.retry:
				retry, retryFails = append(retry, dc), append(retryFails, f)
			default:
				res.Failed = append(res.Failed, d.failed(dc, attempts, f, now))
			}
		}
		if len(retry) == 0 {
			break
		}
		if firstFailure.IsZero() {
			firstFailure = now
		}
		if now.Sub(firstFailure) >= d.window {
			d.opts.Logger.Warn("opensearch delivery failed after retries", slog.String("stream", b.Stream),
				slog.String("errorCode", retryFails[0].code), slog.Int("attempts", attempts), slog.Int("documents", len(retry)))
			for i, dc := range retry {
				res.Failed = append(res.Failed, d.failed(dc, attempts, retryFails[i], now))
			}
			break
		}
		if err := d.opts.Sleep(ctx, jitter(dest.Backoff(attempts-1))); err != nil {
			return dest.Result{}, err
		}
		pending = retry
	}
	return res, nil
}

func (d *destination) prepare(r dest.Record, flushed time.Time) doc {
	at := flushed
	if r.ArrivalMs > 0 {
		at = time.UnixMilli(r.ArrivalMs)
	}
	dc := doc{rec: r, index: IndexName(d.index, d.rotation, at)}
	if d.docIDs {
		dc.id = r.ID
	}
	body := bytes.TrimRight(r.Data, " \t\r\n")
	if len(body) > 0 && !bytes.ContainsAny(body, "\r\n") && json.Valid(body) && body[0] == '{' {
		dc.body = body
	}
	return dc
}

// action renders {"index":{"_index":…,"_type":…,"_id":…}}.
func (d *destination) action(dc doc) []byte {
	var b bytes.Buffer
	b.WriteString(`{"index":{"_index":`)
	writeJSONString(&b, dc.index)
	if d.typeName != "" {
		b.WriteString(`,"_type":`)
		writeJSONString(&b, d.typeName)
	}
	if dc.id != "" {
		b.WriteString(`,"_id":`)
		writeJSONString(&b, dc.id)
	}
	b.WriteString("}}\n")
	return b.Bytes()
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1)
}

// bulk sends one _bulk request and returns the failed documents by their
// position in docs. It returns an error only when ctx ended.
func (d *destination) bulk(ctx context.Context, docs []doc) (map[int]failure, error) {
	var body bytes.Buffer
	for _, dc := range docs {
		body.Write(d.action(dc))
		body.Write(dc.body)
		body.WriteByte('\n')
	}
	all := func(f failure) map[int]failure {
		m := make(map[int]failure, len(docs))
		for i := range docs {
			m[i] = f
		}
		return m
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.bulkURL, &body)
	if err != nil {
		return all(failure{code: "ConnectionFailed", msg: "Could not build the _bulk request.", retry: true}), nil
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := d.opts.HTTPClient.Do(req)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, ctxErr
	}
	if err != nil {
		code, msg := transportError(err)
		return all(failure{code: code, msg: msg, retry: true}), nil
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, ctxErr
	}
	if err != nil {
		code, msg := transportError(err)
		return all(failure{code: code, msg: msg, retry: true}), nil
	}
	if resp.StatusCode/100 != 2 {
		st := resp.StatusCode
		return all(failure{code: strconv.Itoa(st), msg: snippet(raw), retry: st == http.StatusTooManyRequests || st >= 500}), nil
	}
	return parseItems(raw, len(docs)), nil
}

// parseItems reads a _bulk answer's per-item statuses.
func parseItems(raw []byte, n int) map[int]failure {
	var r struct {
		Items []map[string]struct {
			Status int             `json:"status"`
			Error  json.RawMessage `json:"error"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Items) != n {
		m := make(map[int]failure, n)
		for i := range n {
			m[i] = failure{code: "InvalidResponse", msg: "The _bulk response could not be matched to the request: " + snippet(raw), retry: true}
		}
		return m
	}
	fails := map[int]failure{}
	for i, item := range r.Items {
		for _, res := range item { // one key: index, create, update or delete
			if res.Status/100 == 2 {
				continue
			}
			fails[i] = failure{code: strconv.Itoa(res.Status), msg: string(res.Error),
				retry: res.Status == http.StatusTooManyRequests || res.Status >= 500}
		}
	}
	return fails
}

func snippet(raw []byte) string {
	if len(raw) > snippetBytes {
		raw = raw[:snippetBytes]
	}
	return string(bytes.ToValidUTF8(raw, []byte("\uFFFD")))
}

// errorLine is AWS's documented failed-document record.
type errorLine struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	ESDocumentID           string `json:"esDocumentId"`
	ESIndexName            string `json:"esIndexName"`
	ESTypeName             string `json:"esTypeName"`
	RawData                []byte `json:"rawData"`
}

func (d *destination) failed(dc doc, attempts int, f failure, end time.Time) dest.Failure {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errorLine{
		AttemptsMade:           attempts,
		ArrivalTimestamp:       dc.rec.ArrivalMs,
		ErrorCode:              f.code,
		ErrorMessage:           f.msg,
		AttemptEndingTimestamp: end.UnixMilli(),
		ESDocumentID:           dc.id,
		ESIndexName:            dc.index,
		ESTypeName:             d.typeName,
		RawData:                dc.rec.Data,
	})
	return dest.Failure{Record: dc.rec, Line: bytes.TrimSuffix(b.Bytes(), []byte("\n"))}
}
