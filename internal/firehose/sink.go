package firehose

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/compress"
	"github.com/freshet/freshet/internal/firehose/convert"
	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/firehose/process"
	"github.com/freshet/freshet/internal/firehose/s3key"
)

// sink delivers flushed buffers to a destination.
type sink interface {
	// deliver returns an error only when ctx ended first.
	deliver(ctx context.Context, b *flushBatch) error
	// errors is where failed records go.
	errors() *s3Target
	// metricName completes DeliveryTo<name>.* metric names.
	metricName() string
	close()
}

// s3Target is one S3 location: bucket, prefixes, compression, time zone.
type s3Target struct {
	bucket    string
	prefix    *s3key.Template
	errPrefix *s3key.Template
	format    compress.Format
	ext       string
	loc       *time.Location
	stream    string
	version   int
}

func (s *Service) newS3Target(doc *streamDoc, c *firehoseapi.S3DestinationConfiguration) (*s3Target, error) {
	ext, err := convertJSON[firehoseapi.ExtendedS3DestinationConfiguration](c)
	if err != nil {
		return nil, err
	}
	return s.newExtendedTarget(doc, ext)
}

func (s *Service) newExtendedTarget(doc *streamDoc, c *firehoseapi.ExtendedS3DestinationConfiguration) (*s3Target, error) {
	bucket, err := bucketOf(c.BucketARN)
	if err != nil {
		return nil, err
	}
	t := &s3Target{bucket: bucket, loc: time.UTC, stream: doc.Name, version: doc.Version}
	if t.prefix, err = s3key.Compile(str(c.Prefix)); err != nil {
		return nil, err
	}
	if t.errPrefix, err = s3key.CompileErrorPrefix(str(c.Prefix), str(c.ErrorOutputPrefix)); err != nil {
		return nil, err
	}
	if t.format, err = compress.Lookup(strOr(c.CompressionFormat, uncompressed)); err != nil {
		return nil, err
	}
	t.ext = t.format.Extension
	if c.FileExtension != nil {
		t.ext = *c.FileExtension
	}
	if tz := str(c.CustomTimeZone); tz != "" {
		if t.loc, err = time.LoadLocation(tz); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// objectKey names one object of a batch.
func (t *s3Target) objectKey(tmpl *s3key.Template, b *flushBatch, errType, id, ext string) (string, error) {
	prefix, err := tmpl.Eval(s3key.Input{Arrival: b.oldest, Location: t.loc, QueryKeys: b.queryKeys, LambdaKeys: b.lambdaKeys, ErrorOutputType: errType})
	if err != nil {
		return "", err
	}
	return prefix + s3key.ObjectName(t.stream, t.version, b.Now, t.loc, id, ext), nil
}

// writeRecords writes the batch's records, concatenated and compressed,
// as one object (body replaces them when given, e.g. a Parquet file).
func (t *s3Target) writeRecords(ctx context.Context, s *Service, b *flushBatch, body []byte, ext *string) error {
	format := t.format
	if body == nil {
		var buf bytes.Buffer
		w := format.NewWriter(&buf, compress.WithZipEntryName(b.ID))
		for _, r := range b.Records {
			if _, err := w.Write(r.Data); err != nil {
				return err
			}
		}
		if err := w.Close(); err != nil {
			return err
		}
		body = buf.Bytes()
	} else {
		format = compress.Format{}
	}
	e := t.ext
	if ext != nil {
		e = *ext
	}
	key, err := t.objectKey(t.prefix, b, "", b.ID, e)
	if err != nil {
		return err
	}
	return s.putObject(ctx, t.bucket, key, body, format.ContentEncoding)
}

// writeFailures writes error lines, one JSON object per line, under the
// error output prefix for errType.
func (t *s3Target) writeFailures(ctx context.Context, s *Service, errType string, fs []dest.Failure) error {
	if len(fs) == 0 {
		return nil
	}
	var body bytes.Buffer
	oldest := int64(0)
	for _, f := range fs {
		body.Write(f.Line)
		body.WriteByte('\n')
		if oldest == 0 || f.Record.ArrivalMs < oldest {
			oldest = f.Record.ArrivalMs
		}
	}
	now := s.now()
	b := &flushBatch{Batch: dest.Batch{Now: now}, oldest: time.UnixMilli(oldest)}
	if oldest == 0 {
		b.oldest = now
	}
	key, err := t.objectKey(t.errPrefix, b, errType, newUUID(), "")
	if err != nil {
		return err
	}
	return s.putObject(ctx, t.bucket, key, body.Bytes(), "")
}

// s3Sink delivers to S3 (ExtendedS3), converting to Parquet when asked.
type s3Sink struct {
	s           *Service
	t           *s3Target
	conv        *convert.Converter
	partitioned bool
}

func (k *s3Sink) errors() *s3Target  { return k.t }
func (k *s3Sink) close()             {}
func (k *s3Sink) metricName() string { return "S3" }

func (k *s3Sink) deliver(ctx context.Context, b *flushBatch) error {
	if k.conv == nil {
		return k.t.writeRecords(ctx, k.s, b, nil, nil)
	}
	recs := make([]convert.Record, len(b.Records))
	for i, r := range b.Records {
		recs[i] = convert.Record{ID: r.ID, Data: r.Data, ArrivalMs: r.ArrivalMs}
	}
	body, failed, err := k.conv.Convert(recs)
	if err != nil {
		return err
	}
	if err := k.t.writeFailures(ctx, k.s, "format-conversion-failed", failed); err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	ext := k.t.ext
	if ext == "" {
		ext = ".parquet"
	}
	return k.t.writeRecords(ctx, k.s, b, body, &ext)
}

// destSink delivers to a destination plugin, with its S3 configuration
// for failures, AllData backups and (Redshift) the intermediate object.
type destSink struct {
	s            *Service
	d            dest.Destination
	t            *s3Target
	errType      string
	metric       string
	allData      bool
	intermediate bool
}

func (k *destSink) errors() *s3Target  { return k.t }
func (k *destSink) close()             { _ = k.d.Close() }
func (k *destSink) metricName() string { return k.metric }

func (k *destSink) deliver(ctx context.Context, b *flushBatch) error {
	if k.intermediate {
		if err := k.t.writeRecords(ctx, k.s, b, nil, nil); err != nil {
			return err
		}
	}
	res, err := k.d.Deliver(ctx, b.Batch)
	if err != nil {
		return err
	}
	if k.allData && !k.intermediate {
		if err := k.t.writeRecords(ctx, k.s, b, nil, nil); err != nil {
			return err
		}
	}
	return k.t.writeFailures(ctx, k.s, k.errType, res.Failed)
}

// newSink builds the stream's sink and its buffering limits.
func (s *Service) newSink(ctx context.Context, doc *streamDoc) (sink, limits, error) {
	if c := doc.Dest.ExtendedS3; c != nil {
		c = withS3Defaults(c)
		t, err := s.newExtendedTarget(doc, c)
		if err != nil {
			return nil, limits{}, err
		}
		k := &s3Sink{s: s, t: t, partitioned: c.DynamicPartitioningConfiguration != nil && boolOr(c.DynamicPartitioningConfiguration.Enabled, false)}
		if convertEnabled(c.DataFormatConversionConfiguration) {
			cols, err := s.schema(ctx, c.DataFormatConversionConfiguration.SchemaConfiguration)
			if err != nil {
				return nil, limits{}, err
			}
			if k.conv, err = convert.New(cols, c.DataFormatConversionConfiguration); err != nil {
				return nil, limits{}, err
			}
			k.conv.SetTable(doc.Account, doc.Region)
		}
		return k, hintLimits(c.BufferingHints, defaultS3MiB, defaultS3Secs), nil
	}
	p := pluginFor(&doc.Dest)
	if p == nil {
		return nil, limits{}, errors.New("firehose: no destination")
	}
	t, err := s.newS3Target(doc, p.s3(&doc.Dest))
	if err != nil {
		return nil, limits{}, err
	}
	d, err := p.build(&doc.Dest, s)
	if err != nil {
		return nil, limits{}, err
	}
	mode := strOr(p.backupMode(&doc.Dest), p.spec.BackupModes[0])
	size, secs := p.hints(&doc.Dest)
	lim := limits{
		bytes:    intOr(size, p.spec.SizeInMBs.Default) * mib,
		interval: time.Duration(intOr(secs, p.spec.IntervalInSeconds.Default)) * time.Second,
	}
	return &destSink{
		s: s, d: d, t: t, errType: p.spec.ErrorOutputType, metric: p.spec.MetricName,
		allData:      len(mode) > 3 && mode[:3] == "All",
		intermediate: p.intermediate,
	}, lim, nil
}

// partitionFailure is the error line of a record dynamic partitioning
// could not place.
func partitionFailure(r process.Record, code, msg string, now time.Time) dest.Failure {
	line, _ := json.Marshal(struct {
		AttemptsMade           int    `json:"attemptsMade"`
		ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
		ErrorCode              string `json:"errorCode"`
		ErrorMessage           string `json:"errorMessage"`
		AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
		RawData                string `json:"rawData"`
	}{1, r.ArrivalMs, code, msg, now.UnixMilli(), base64.StdEncoding.EncodeToString(r.Data)})
	return dest.Failure{Record: r.Record, Line: line}
}
