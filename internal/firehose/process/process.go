package process

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/itchyny/gojq"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
)

// Record is one record going through processing.
type Record struct {
	dest.Record
	// QueryKeys are the partitionKeyFromQuery values (MetadataExtraction).
	QueryKeys map[string]string
	// LambdaKeys are the partitionKeyFromLambda values (the Lambda
	// response's metadata.partitionKeys).
	LambdaKeys map[string]string
	// Kinesis is set for records read from a Kinesis stream.
	Kinesis *KinesisMetadata
}

// KinesisMetadata describes where a record read from a Kinesis stream
// came from; it is sent to Lambda as kinesisRecordMetadata.
type KinesisMetadata struct {
	ShardID        string
	PartitionKey   string
	SequenceNumber string
	// SubsequenceNumber is the user record's index inside a KPL aggregate
	// (0 for a record that is not aggregated).
	SubsequenceNumber int64
	// ApproximateArrivalTimestamp is in milliseconds since the epoch.
	ApproximateArrivalTimestamp int64
}

// Options configure a Pipeline.
type Options struct {
	// LambdaEndpoint is the Lambda Invoke API base URL, e.g.
	// http://127.0.0.1:9001.
	LambdaEndpoint string
	Region         string
	// Credentials sign Invoke requests; nil means static dummy keys.
	Credentials aws.CredentialsProvider
	HTTPClient  *http.Client
	Logger      *slog.Logger
	Now         func() time.Time
	// Sleep waits between Lambda retries; tests inject a fast one.
	Sleep func(ctx context.Context, d time.Duration) error
	// StreamARN is the delivery stream's ARN (the event's
	// deliveryStreamArn); SourceKinesisStreamARN is set for streams fed by
	// a Kinesis stream.
	StreamARN              string
	SourceKinesisStreamARN string
	// LambdaTimeout bounds one invocation (AWS: 5 minutes); 0 means 5 min.
	LambdaTimeout time.Duration
}

// Pipeline runs one delivery stream's processors. It is safe for
// concurrent use.
type Pipeline struct {
	cfg    *config
	opts   Options
	query  *gojq.Code
	invoke invoker
}

// New validates cfg (and dp, the stream's dynamic partitioning
// configuration) and returns the pipeline that applies it. Validation
// errors are *awserr.Error with code InvalidArgumentException.
func New(cfg *firehoseapi.ProcessingConfiguration, dp *firehoseapi.DynamicPartitioningConfiguration, opts Options) (*Pipeline, error) {
	c, err := parseConfig(cfg, dp)
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.LambdaTimeout <= 0 {
		opts.LambdaTimeout = 5 * time.Minute
	}
	p := &Pipeline{cfg: c, opts: opts}
	if c.query != "" {
		code, err := compileQuery(c.query)
		if err != nil {
			return nil, err
		}
		p.query = code
	}
	if c.lambda != nil {
		p.invoke = newSDKInvoker(opts)
	}
	return p, nil
}

// LambdaBuffer returns the Lambda processor's buffering hints, so the
// engine can call Process with batches of about that size; enabled is
// false when no Lambda processor runs.
func (p *Pipeline) LambdaBuffer() (bytes int, interval time.Duration, enabled bool) {
	if !p.cfg.enabled || p.cfg.lambda == nil {
		return 0, 0, false
	}
	return p.cfg.lambda.bytes, p.cfg.lambda.interval, true
}

// Process runs the processors over in, in AWS's order (see the package
// documentation). out holds the records to deliver, in input order;
// failed the records that go to the error output (see ErrorOutputType).
// Dropped records are in neither. err is non-nil only when ctx ended
// first: then nothing is known and the engine retries the whole batch.
func (p *Pipeline) Process(ctx context.Context, in []Record) (out []Record, failed []dest.Failure, err error) {
	recs := deaggregateKPL(in)
	c := p.cfg
	if !c.enabled {
		return recs, nil, nil
	}
	if c.gunzip || c.cwExtraction {
		var f []dest.Failure
		recs, f = p.decompress(recs)
		failed = append(failed, f...)
	}
	if c.deagg != "" {
		recs = p.deaggregate(recs)
	}
	if c.lambda != nil {
		var f []dest.Failure
		recs, f, err = p.transform(ctx, recs)
		if err != nil {
			return nil, nil, err
		}
		failed = append(failed, f...)
	}
	if p.query != nil {
		var f []dest.Failure
		recs, f = p.extract(recs)
		failed = append(failed, f...)
	}
	if c.appendDelim != nil {
		for i := range recs {
			d := make([]byte, 0, len(recs[i].Data)+len(c.appendDelim))
			recs[i].Data = append(append(d, recs[i].Data...), c.appendDelim...)
		}
	}
	return recs, failed, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
