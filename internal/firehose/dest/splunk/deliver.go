package splunk

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

	"github.com/google/uuid"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
)

const (
	maxResponseBytes = 1 << 20
	// ackPollInterval is the pause between two acknowledgement polls.
	ackPollInterval = time.Second
)

type destination struct {
	eventURL   string
	ackURL     string
	raw        bool
	token      string
	channel    string
	ackTimeout time.Duration
	window     time.Duration
	opts       Options
}

// New builds a Splunk destination from a validated configuration. Each
// destination uses its own HEC channel (a random GUID).
func New(cfg *firehoseapi.SplunkDestinationConfiguration, opts Options) (dest.Destination, error) {
	if err := Validate(cfg); err != nil {
		return nil, err
	}
	base := strings.TrimRight(cfg.HECEndpoint, "/")
	d := &destination{
		eventURL:   base + "/services/collector/event",
		ackURL:     base + "/services/collector/ack",
		raw:        cfg.HECEndpointType == "Raw",
		channel:    uuid.NewString(),
		ackTimeout: DefaultAckTimeoutSeconds * time.Second,
		window:     time.Duration(Spec.RetrySeconds) * time.Second,
		opts:       opts.withDefaults(),
	}
	if d.raw {
		d.eventURL = base + "/services/collector/raw"
	}
	if cfg.HECToken != nil {
		d.token = *cfg.HECToken
	}
	if t := cfg.HECAcknowledgmentTimeoutInSeconds; t != nil {
		d.ackTimeout = time.Duration(*t) * time.Second
	}
	if r := cfg.RetryOptions; r != nil && r.DurationInSeconds != nil {
		d.window = time.Duration(*r.DurationInSeconds) * time.Second
	}
	return d, nil
}

func (d *destination) Close() error { return nil }

type outcome struct {
	ok        bool
	code, msg string
	ackWait   time.Duration
}

// Deliver posts the records concatenated as they are, then polls for the
// indexer acknowledgement. Any failure, an acknowledgement timeout
// included, is retried with jittered backoff until RetryOptions has passed
// since the first failure (time spent waiting for acknowledgements does
// not count, as AWS documents).
func (d *destination) Deliver(ctx context.Context, b dest.Batch) (dest.Result, error) {
	if len(b.Records) == 0 {
		return dest.Result{}, nil
	}
	var body bytes.Buffer
	for _, r := range b.Records {
		body.Write(r.Data)
	}
	var firstFailure time.Time
	var ackWaited time.Duration
	for attempts := 1; ; attempts++ {
		out := d.attempt(ctx, body.Bytes())
		if err := ctx.Err(); err != nil {
			return dest.Result{}, err
		}
		if out.ok {
			return dest.Result{}, nil
		}
		now := d.opts.Now()
		if firstFailure.IsZero() {
			firstFailure = now
		} else {
			ackWaited += out.ackWait
		}
		if now.Sub(firstFailure)-ackWaited >= d.window {
			d.opts.Logger.Warn("splunk delivery failed after retries", slog.String("stream", b.Stream),
				slog.String("errorCode", out.code), slog.Int("attempts", attempts), slog.Int("records", len(b.Records)))
			return dest.Result{Failed: failures(b.Records, attempts, out, now)}, nil
		}
		if err := d.opts.Sleep(ctx, jitter(dest.Backoff(attempts-1))); err != nil {
			return dest.Result{}, err
		}
	}
}

func (d *destination) post(ctx context.Context, url string, body []byte, contentType string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Splunk "+d.token)
	req.Header.Set("X-Splunk-Request-Channel", d.channel)
	req.Header.Set("Content-Type", contentType)
	resp, err := d.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	return resp.StatusCode, raw, err
}

func (d *destination) attempt(ctx context.Context, body []byte) outcome {
	ct := "application/json"
	if d.raw {
		ct = "text/plain; charset=utf-8"
	}
	status, raw, err := d.post(ctx, d.eventURL, body, ct)
	if err != nil {
		code, msg := transportError(err)
		return outcome{code: code, msg: msg}
	}
	var r hecReply
	jsonErr := json.Unmarshal(raw, &r)
	if status != http.StatusOK {
		code, msg := hecError(status, r)
		return outcome{code: code, msg: msg}
	}
	if jsonErr != nil {
		return outcome{code: "Splunk.ServerError", msg: msgServerError}
	}
	if r.AckID == nil {
		return outcome{code: "Splunk.DisabledAck", msg: msgDisabledAck}
	}
	start := d.opts.Now()
	out := d.waitAck(ctx, *r.AckID, start)
	out.ackWait = d.opts.Now().Sub(start)
	return out
}

// waitAck polls /services/collector/ack on the destination's channel until
// the acknowledgement is true or the acknowledgement timeout has passed.
func (d *destination) waitAck(ctx context.Context, ackID int64, start time.Time) outcome {
	id := strconv.FormatInt(ackID, 10)
	query := []byte(`{"acks":[` + id + `]}`)
	for {
		status, raw, err := d.post(ctx, d.ackURL, query, "application/json")
		if err != nil {
			code, msg := transportError(err)
			return outcome{code: code, msg: msg}
		}
		if status != http.StatusOK {
			var r hecReply
			_ = json.Unmarshal(raw, &r)
			code, msg := hecError(status, r)
			return outcome{code: code, msg: msg}
		}
		var acks struct {
			Acks map[string]bool `json:"acks"`
		}
		if err := json.Unmarshal(raw, &acks); err != nil {
			return outcome{code: "Splunk.ServerError", msg: msgServerError}
		}
		if acks.Acks[id] {
			return outcome{ok: true}
		}
		if d.opts.Now().Sub(start)+ackPollInterval > d.ackTimeout {
			return outcome{code: "Splunk.AckTimeout", msg: msgAckTimeout}
		}
		if err := d.opts.Sleep(ctx, ackPollInterval); err != nil {
			return outcome{code: "Splunk.AckTimeout", msg: msgAckTimeout}
		}
	}
}

// errorLine is AWS's error record for the Splunk destination.
type errorLine struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	RawData                []byte `json:"rawData"`
	SubsequenceNumber      int    `json:"subsequenceNumber"`
	EventID                string `json:"EventId"`
}

func failures(recs []dest.Record, attempts int, out outcome, end time.Time) []dest.Failure {
	fs := make([]dest.Failure, 0, len(recs))
	for _, r := range recs {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(errorLine{
			AttemptsMade:           attempts,
			ArrivalTimestamp:       r.ArrivalMs,
			ErrorCode:              out.code,
			ErrorMessage:           out.msg,
			AttemptEndingTimestamp: end.UnixMilli(),
			RawData:                r.Data,
			EventID:                r.ID,
		})
		fs = append(fs, dest.Failure{Record: r, Line: bytes.TrimSuffix(b.Bytes(), []byte("\n"))})
	}
	return fs
}
