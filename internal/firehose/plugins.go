package firehose

import (
	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/firehose/dest/httpendpoint"
	"github.com/freshet/freshet/internal/firehose/dest/opensearch"
	"github.com/freshet/freshet/internal/firehose/dest/redshift"
	"github.com/freshet/freshet/internal/firehose/dest/splunk"
)

// plugin adapts one destination package to the engine: its Spec, its
// validation and constructor, and where its configuration keeps the
// common parts (S3 bucket, buffering, processing, backup mode).
type plugin struct {
	spec     dest.Spec
	config   func(*destConfig) any
	validate func(*destConfig) error
	build    func(*destConfig, *Service) (dest.Destination, error)
	s3       func(*destConfig) *firehoseapi.S3DestinationConfiguration
	// hints returns the destination's own buffering hints (nil: the S3
	// configuration's, as for Redshift).
	hints      func(*destConfig) (size, secs *int64)
	processing func(*destConfig) *firehoseapi.ProcessingConfiguration
	backupMode func(*destConfig) *string
	describe   func(m map[string]any, out *firehoseapi.DestinationDescription) (*firehoseapi.DestinationDescription, error)
	// intermediate says every batch is first written to the S3
	// configuration's bucket (Redshift's COPY source).
	intermediate bool
}

func pluginFor(d *destConfig) *plugin {
	switch {
	case d.HTTPEndpoint != nil:
		return &httpPlugin
	case d.Splunk != nil:
		return &splunkPlugin
	case d.OpenSearch != nil:
		return &openSearchPlugin
	case d.Elasticsearch != nil:
		return &elasticsearchPlugin
	case d.Redshift != nil:
		return &redshiftPlugin
	}
	return nil
}

func (s *Service) destOptions() (httpendpoint.Options, splunk.Options, opensearch.Options) {
	return httpendpoint.Options{HTTPClient: s.opts.HTTPClient, Logger: s.log, Now: s.now, Sleep: s.sleep},
		splunk.Options{HTTPClient: s.opts.HTTPClient, Logger: s.log, Now: s.now, Sleep: s.sleep},
		opensearch.Options{HTTPClient: s.opts.HTTPClient, Logger: s.log, Now: s.now, Sleep: s.sleep}
}

var httpPlugin = plugin{
	spec:     httpendpoint.Spec,
	config:   func(d *destConfig) any { return d.HTTPEndpoint },
	validate: func(d *destConfig) error { return httpendpoint.Validate(d.HTTPEndpoint) },
	build: func(d *destConfig, s *Service) (dest.Destination, error) {
		o, _, _ := s.destOptions()
		return httpendpoint.New(d.HTTPEndpoint, o)
	},
	s3: func(d *destConfig) *firehoseapi.S3DestinationConfiguration { return &d.HTTPEndpoint.S3Configuration },
	hints: func(d *destConfig) (*int64, *int64) {
		if h := d.HTTPEndpoint.BufferingHints; h != nil {
			return h.SizeInMBs, h.IntervalInSeconds
		}
		return nil, nil
	},
	processing: func(d *destConfig) *firehoseapi.ProcessingConfiguration {
		return d.HTTPEndpoint.ProcessingConfiguration
	},
	backupMode: func(d *destConfig) *string { return d.HTTPEndpoint.S3BackupMode },
	describe: func(m map[string]any, out *firehoseapi.DestinationDescription) (_ *firehoseapi.DestinationDescription, err error) {
		out.HttpEndpointDestinationDescription, err = fromMap[firehoseapi.HttpEndpointDestinationDescription](m)
		return out, err
	},
}

var splunkPlugin = plugin{
	spec:     splunk.Spec,
	config:   func(d *destConfig) any { return d.Splunk },
	validate: func(d *destConfig) error { return splunk.Validate(d.Splunk) },
	build: func(d *destConfig, s *Service) (dest.Destination, error) {
		_, o, _ := s.destOptions()
		return splunk.New(d.Splunk, o)
	},
	s3: func(d *destConfig) *firehoseapi.S3DestinationConfiguration { return &d.Splunk.S3Configuration },
	hints: func(d *destConfig) (*int64, *int64) {
		if h := d.Splunk.BufferingHints; h != nil {
			return h.SizeInMBs, h.IntervalInSeconds
		}
		return nil, nil
	},
	processing: func(d *destConfig) *firehoseapi.ProcessingConfiguration { return d.Splunk.ProcessingConfiguration },
	backupMode: func(d *destConfig) *string { return d.Splunk.S3BackupMode },
	describe: func(m map[string]any, out *firehoseapi.DestinationDescription) (_ *firehoseapi.DestinationDescription, err error) {
		out.SplunkDestinationDescription, err = fromMap[firehoseapi.SplunkDestinationDescription](m)
		return out, err
	},
}

var openSearchPlugin = plugin{
	spec:     opensearch.Spec,
	config:   func(d *destConfig) any { return d.OpenSearch },
	validate: func(d *destConfig) error { return opensearch.Validate(d.OpenSearch) },
	build: func(d *destConfig, s *Service) (dest.Destination, error) {
		_, _, o := s.destOptions()
		return opensearch.New(d.OpenSearch, o)
	},
	s3: func(d *destConfig) *firehoseapi.S3DestinationConfiguration { return &d.OpenSearch.S3Configuration },
	hints: func(d *destConfig) (*int64, *int64) {
		if h := d.OpenSearch.BufferingHints; h != nil {
			return h.SizeInMBs, h.IntervalInSeconds
		}
		return nil, nil
	},
	processing: func(d *destConfig) *firehoseapi.ProcessingConfiguration { return d.OpenSearch.ProcessingConfiguration },
	backupMode: func(d *destConfig) *string { return d.OpenSearch.S3BackupMode },
	describe: func(m map[string]any, out *firehoseapi.DestinationDescription) (_ *firehoseapi.DestinationDescription, err error) {
		out.AmazonopensearchserviceDestinationDescription, err = fromMap[firehoseapi.AmazonopensearchserviceDestinationDescription](m)
		return out, err
	},
}

var elasticsearchPlugin = plugin{
	spec:     opensearch.ElasticsearchSpec,
	config:   func(d *destConfig) any { return d.Elasticsearch },
	validate: func(d *destConfig) error { return opensearch.ValidateElasticsearch(d.Elasticsearch) },
	build: func(d *destConfig, s *Service) (dest.Destination, error) {
		_, _, o := s.destOptions()
		return opensearch.NewElasticsearch(d.Elasticsearch, o)
	},
	s3: func(d *destConfig) *firehoseapi.S3DestinationConfiguration { return &d.Elasticsearch.S3Configuration },
	hints: func(d *destConfig) (*int64, *int64) {
		if h := d.Elasticsearch.BufferingHints; h != nil {
			return h.SizeInMBs, h.IntervalInSeconds
		}
		return nil, nil
	},
	processing: func(d *destConfig) *firehoseapi.ProcessingConfiguration {
		return d.Elasticsearch.ProcessingConfiguration
	},
	backupMode: func(d *destConfig) *string { return d.Elasticsearch.S3BackupMode },
	describe: func(m map[string]any, out *firehoseapi.DestinationDescription) (_ *firehoseapi.DestinationDescription, err error) {
		out.ElasticsearchDestinationDescription, err = fromMap[firehoseapi.ElasticsearchDestinationDescription](m)
		return out, err
	},
}

var redshiftPlugin = plugin{
	spec:     redshift.Spec,
	config:   func(d *destConfig) any { return d.Redshift },
	validate: func(d *destConfig) error { return redshift.Validate(d.Redshift) },
	build: func(d *destConfig, s *Service) (dest.Destination, error) {
		return redshift.New(d.Redshift, redshift.Options{Logger: s.log, Now: s.now, Sleep: s.sleep})
	},
	s3: func(d *destConfig) *firehoseapi.S3DestinationConfiguration { return &d.Redshift.S3Configuration },
	hints: func(d *destConfig) (*int64, *int64) {
		if h := d.Redshift.S3Configuration.BufferingHints; h != nil {
			return h.SizeInMBs, h.IntervalInSeconds
		}
		return nil, nil
	},
	processing: func(d *destConfig) *firehoseapi.ProcessingConfiguration { return d.Redshift.ProcessingConfiguration },
	backupMode: func(d *destConfig) *string { return d.Redshift.S3BackupMode },
	describe: func(m map[string]any, out *firehoseapi.DestinationDescription) (_ *firehoseapi.DestinationDescription, err error) {
		out.RedshiftDestinationDescription, err = fromMap[firehoseapi.RedshiftDestinationDescription](m)
		return out, err
	},
	intermediate: true,
}
