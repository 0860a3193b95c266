package app

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/api/glueapi"
	"github.com/freshet/freshet/internal/firehose"
	"github.com/freshet/freshet/internal/glue"
	"github.com/freshet/freshet/internal/metrics"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/dispatch"
	"github.com/freshet/freshet/internal/protocol/sigv4"
	"github.com/freshet/freshet/internal/s3"
)

// startDelivery builds the built-in S3 endpoint, the Glue Data Catalog and
// Firehose, which delivers through S3 (Freshet's own unless --s3-endpoint)
// and reads schemas from Glue (Freshet's own unless --glue-endpoint).
func (s *Server) startDelivery(ctx context.Context, mux *dispatch.Mux, verifier *sigv4.Verifier, o Options) error {
	cfg := s.cfg
	dir := ""
	if !cfg.Memory {
		dir = filepath.Join(cfg.DataDir, "s3")
	}
	s.s3 = s3.New(s3.Options{Dir: dir, Logger: s.log.With("service", "s3"), Region: cfg.Region, Now: o.Now, Verify: s3Verify(verifier)})
	if err := s.s3.Initialize(ctx); err != nil {
		return fmt.Errorf("app: s3: %w", err)
	}
	glueapi.Register(mux, glue.New(glue.Options{Store: s.store.Meta(), Account: cfg.AccountID, Region: cfg.Region, Logger: s.log.With("service", "glue"), Now: o.Now}))

	self := "http://" + s.ln.Addr().String()
	accessKey, secretKey := cfg.S3AccessKey, cfg.S3SecretKey
	if cfg.S3Endpoint == "" && accessKey == "" && cfg.AccessKeyID != "" {
		accessKey, secretKey = cfg.AccessKeyID, cfg.SecretAccessKey
	}
	s.firehose = firehose.New(firehose.Options{
		Store:          s.store,
		Logger:         s.log.With("service", "firehose"),
		Account:        cfg.AccountID,
		Region:         cfg.Region,
		StateDelay:     cfg.StateDelay,
		StreamLimit:    cfg.DeliveryStreamLimit,
		Now:            o.Now,
		S3:             firehose.S3Endpoint{URL: cmp.Or(cfg.S3Endpoint, self), AccessKey: accessKey, SecretKey: secretKey, Region: cfg.Region},
		GlueEndpoint:   cmp.Or(cfg.GlueEndpoint, self),
		LambdaEndpoint: cfg.LambdaEndpoint,
		Kinesis:        kinesisSource{s.streams},
		HTTPClient:     &http.Client{Timeout: 5 * time.Minute},
		RetryBase:      o.FirehoseRetryBase,
		Metrics:        firehoseMetrics{s.metrics},
	})
	if err := s.firehose.Initialize(ctx); err != nil {
		s.s3.Close()
		return fmt.Errorf("app: firehose: %w", err)
	}
	firehoseapi.Register(mux, s.firehose)
	return nil
}

// s3Verify admits S3 requests under --auth strict only when signed with a
// known access key. S3's own signature rules (unnormalised paths, payload
// hashes in x-amz-content-sha256, chunk signatures) are not verified yet.
func s3Verify(v *sigv4.Verifier) func(r *http.Request) error {
	if v == nil {
		return nil
	}
	return func(r *http.Request) error {
		a, err := sigv4.Parse(r)
		if err != nil {
			return err
		}
		if a == nil {
			return awserr.New("AccessDenied", "Access Denied").WithStatus(http.StatusForbidden)
		}
		if _, ok := v.Lookup(a.AccessKeyID); !ok {
			return awserr.New("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.").WithStatus(http.StatusForbidden)
		}
		return nil
	}
}

// firehoseMetrics records Firehose's CloudWatch metrics in the registry,
// labelled by delivery stream.
type firehoseMetrics struct{ r *metrics.Registry }

func (m firehoseMetrics) Count(stream, metric string, v float64) {
	m.r.Add(metrics.PromName("firehose", metric, metrics.Counter), "Firehose "+metric+" (CloudWatch AWS/Firehose).", []string{"delivery_stream", stream}, v)
}

func (m firehoseMetrics) Gauge(stream, metric string, v float64) {
	m.r.Set(metrics.PromName("firehose", metric, metrics.Gauge)+"_seconds", "Firehose "+metric+" (CloudWatch AWS/Firehose), in seconds.", []string{"delivery_stream", stream}, v)
}
