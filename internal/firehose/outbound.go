package firehose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/convert"
)

// outbound holds the clients Firehose calls out with: S3 for delivery and
// Glue for conversion schemas.
type outbound struct {
	s3   *s3.Client
	glue *glue.Client
}

func newOutbound(o Options) (*outbound, error) {
	if o.S3.URL == "" {
		return nil, errors.New("firehose: no S3 endpoint")
	}
	region := o.S3.Region
	if region == "" {
		region = o.Region
	}
	key, secret := o.S3.AccessKey, o.S3.SecretKey
	if key == "" {
		key, secret = "freshet", "freshet"
	}
	creds := credentials.NewStaticCredentialsProvider(key, secret, "")
	s3c := s3.New(s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(o.S3.URL),
		UsePathStyle: true,
		Credentials:  creds,
		HTTPClient:   o.HTTPClient,
		// One attempt per call: the engine retries on its own schedule.
		RetryMaxAttempts:           1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		APIOptions:                 []func(*middleware.Stack) error{v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware},
	})
	glueURL := o.GlueEndpoint
	if glueURL == "" {
		glueURL = o.S3.URL
	}
	gc := glue.New(glue.Options{
		Region:       o.Region,
		BaseEndpoint: aws.String(glueURL),
		Credentials:  creds,
		HTTPClient:   o.HTTPClient,
	})
	return &outbound{s3: s3c, glue: gc}, nil
}

// putObject writes one object, retrying with backoff until it succeeds
// or ctx ends (AWS retries S3 delivery for up to 24 hours).
func (s *Service) putObject(ctx context.Context, bucket, key string, body []byte, contentEncoding string) error {
	in := &s3.PutObjectInput{
		Bucket:        &bucket,
		Key:           &key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("application/octet-stream"),
	}
	if contentEncoding != "" {
		in.ContentEncoding = &contentEncoding
	}
	for attempt := 0; ; attempt++ {
		in.Body = bytes.NewReader(body)
		_, err := s.out.s3.PutObject(ctx, in)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Warn("S3 delivery failed; retrying", "bucket", bucket, "attempt", attempt+1, "err", err)
		if err := s.sleep(ctx, s.backoff(attempt)); err != nil {
			return err
		}
	}
}

// backoff is AWS's 1 s × 2^n, capped at 120 s, ±15 % jitter, scaled by
// RetryBase.
func (s *Service) backoff(n int) time.Duration {
	d := time.Duration(1) << min(n, 7)
	d = min(d*s.opts.RetryBase, 120*s.opts.RetryBase)
	jitter := 0.85 + 0.3*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// sleep waits d or until ctx ends.
func (s *Service) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// schema reads a conversion schema's columns from the Glue Data Catalog.
func (s *Service) schema(ctx context.Context, sc *firehoseapi.SchemaConfiguration) ([]convert.Column, error) {
	if sc == nil || sc.DatabaseName == nil || sc.TableName == nil {
		return nil, invalidArgument("SchemaConfiguration must name a DatabaseName and a TableName.")
	}
	var cols []convert.Column
	version := strOr(sc.VersionId, "LATEST")
	if version == "LATEST" {
		out, err := s.out.glue.GetTable(ctx, &glue.GetTableInput{CatalogId: sc.CatalogId, DatabaseName: sc.DatabaseName, Name: sc.TableName})
		if err != nil {
			return nil, fmt.Errorf("glue GetTable %s.%s: %w", *sc.DatabaseName, *sc.TableName, err)
		}
		if out.Table.StorageDescriptor != nil {
			for _, c := range out.Table.StorageDescriptor.Columns {
				cols = append(cols, convert.Column{Name: aws.ToString(c.Name), Type: aws.ToString(c.Type)})
			}
		}
	} else {
		out, err := s.out.glue.GetTableVersion(ctx, &glue.GetTableVersionInput{CatalogId: sc.CatalogId, DatabaseName: sc.DatabaseName, TableName: sc.TableName, VersionId: &version})
		if err != nil {
			return nil, fmt.Errorf("glue GetTableVersion %s.%s v%s: %w", *sc.DatabaseName, *sc.TableName, version, err)
		}
		if t := out.TableVersion.Table; t != nil && t.StorageDescriptor != nil {
			for _, c := range t.StorageDescriptor.Columns {
				cols = append(cols, convert.Column{Name: aws.ToString(c.Name), Type: aws.ToString(c.Type)})
			}
		}
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("glue table %s.%s has no columns", *sc.DatabaseName, *sc.TableName)
	}
	return cols, nil
}
