package opensearch

import (
	"net/url"
	"strings"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// Spec describes the Amazon OpenSearch Service destination.
var Spec = dest.Spec{
	Name:              "Amazonopensearchservice",
	MetricName:        "AmazonOpenSearchService",
	SizeInMBs:         dest.Range{Min: 1, Max: 100, Default: 5},
	IntervalInSeconds: dest.Range{Min: 0, Max: 900, Default: 300},
	RetrySeconds:      300,
	BackupModes:       []string{"FailedDocumentsOnly", "AllDocuments"},
	ErrorOutputType:   "AmazonOpenSearchService-failed",
}

// ElasticsearchSpec describes the (legacy) Elasticsearch destination: the
// same behaviour; the model documents the same AmazonOpenSearchService-failed/
// folder for its failed documents.
var ElasticsearchSpec = dest.Spec{
	Name:              "Elasticsearch",
	MetricName:        "Elasticsearch",
	SizeInMBs:         Spec.SizeInMBs,
	IntervalInSeconds: Spec.IntervalInSeconds,
	RetrySeconds:      300,
	BackupModes:       Spec.BackupModes,
	ErrorOutputType:   "AmazonOpenSearchService-failed",
}

// Rotation periods.
const (
	NoRotation = "NoRotation"
	OneHour    = "OneHour"
	OneDay     = "OneDay"
	OneWeek    = "OneWeek"
	OneMonth   = "OneMonth"
)

// settings is what both configuration types have in common.
type settings struct {
	domainARN, endpoint *string
	index               string
	typeName            string
	rotation            string
	retrySeconds        *int64
	backupMode          *string
	docIDFormat         string
	size, interval      *int64
}

func fromOpenSearch(c *firehoseapi.AmazonopensearchserviceDestinationConfiguration) settings {
	s := settings{domainARN: c.DomainARN, endpoint: c.ClusterEndpoint, index: c.IndexName,
		backupMode: c.S3BackupMode, rotation: OneDay, docIDFormat: "FIREHOSE_DEFAULT"}
	if c.TypeName != nil {
		s.typeName = *c.TypeName
	}
	if c.IndexRotationPeriod != nil {
		s.rotation = *c.IndexRotationPeriod
	}
	if c.RetryOptions != nil {
		s.retrySeconds = c.RetryOptions.DurationInSeconds
	}
	if c.DocumentIdOptions != nil {
		s.docIDFormat = c.DocumentIdOptions.DefaultDocumentIdFormat
	}
	if c.BufferingHints != nil {
		s.size, s.interval = c.BufferingHints.SizeInMBs, c.BufferingHints.IntervalInSeconds
	}
	return s
}

func fromElasticsearch(c *firehoseapi.ElasticsearchDestinationConfiguration) settings {
	s := settings{domainARN: c.DomainARN, endpoint: c.ClusterEndpoint, index: c.IndexName,
		backupMode: c.S3BackupMode, rotation: OneDay, docIDFormat: "FIREHOSE_DEFAULT"}
	if c.TypeName != nil {
		s.typeName = *c.TypeName
	}
	if c.IndexRotationPeriod != nil {
		s.rotation = *c.IndexRotationPeriod
	}
	if c.RetryOptions != nil {
		s.retrySeconds = c.RetryOptions.DurationInSeconds
	}
	if c.DocumentIdOptions != nil {
		s.docIDFormat = c.DocumentIdOptions.DefaultDocumentIdFormat
	}
	if c.BufferingHints != nil {
		s.size, s.interval = c.BufferingHints.SizeInMBs, c.BufferingHints.IntervalInSeconds
	}
	return s
}

func invalid(format string, args ...any) error {
	return awserr.Newf("InvalidArgumentException", format, args...)
}

// Validate checks an OpenSearch Service configuration's semantic rules.
func Validate(cfg *firehoseapi.AmazonopensearchserviceDestinationConfiguration) error {
	if cfg == nil {
		return invalid("AmazonopensearchserviceDestinationConfiguration is required.")
	}
	return fromOpenSearch(cfg).validate(Spec)
}

// ValidateElasticsearch checks an Elasticsearch configuration's semantic
// rules.
func ValidateElasticsearch(cfg *firehoseapi.ElasticsearchDestinationConfiguration) error {
	if cfg == nil {
		return invalid("ElasticsearchDestinationConfiguration is required.")
	}
	return fromElasticsearch(cfg).validate(ElasticsearchSpec)
}

func (s settings) validate(spec dest.Spec) error {
	switch {
	case s.domainARN != nil && s.endpoint != nil:
		return invalid("Only one of DomainARN and ClusterEndpoint can be specified.")
	case s.domainARN == nil && s.endpoint == nil:
		return invalid("Either DomainARN or ClusterEndpoint must be specified.")
	case s.endpoint == nil:
		return invalid("Freshet cannot resolve DomainARN %s to a cluster; specify its ClusterEndpoint instead.", *s.domainARN)
	}
	if u, err := url.Parse(*s.endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("Invalid ClusterEndpoint %q: it must be an absolute http:// or https:// URL.", *s.endpoint)
	}
	if err := validIndexName(s.index); err != nil {
		return err
	}
	switch s.rotation {
	case NoRotation, OneHour, OneDay, OneWeek, OneMonth:
	default:
		return invalid("Invalid IndexRotationPeriod %q; valid values are NoRotation, OneHour, OneDay, OneWeek and OneMonth.", s.rotation)
	}
	if s.docIDFormat != "FIREHOSE_DEFAULT" && s.docIDFormat != "NO_DOCUMENT_ID" {
		return invalid("Invalid DefaultDocumentIdFormat %q; valid values are FIREHOSE_DEFAULT and NO_DOCUMENT_ID.", s.docIDFormat)
	}
	if s.retrySeconds != nil && (*s.retrySeconds < 0 || *s.retrySeconds > 7200) {
		return invalid("RetryOptions.DurationInSeconds must be between 0 and 7200 seconds, got %d.", *s.retrySeconds)
	}
	if s.backupMode != nil && *s.backupMode != "FailedDocumentsOnly" && *s.backupMode != "AllDocuments" {
		return invalid("Invalid S3BackupMode %q; valid values are FailedDocumentsOnly and AllDocuments.", *s.backupMode)
	}
	for _, h := range []struct {
		name string
		v    *int64
		r    dest.Range
	}{{"SizeInMBs", s.size, spec.SizeInMBs}, {"IntervalInSeconds", s.interval, spec.IntervalInSeconds}} {
		if h.v != nil && (*h.v < int64(h.r.Min) || *h.v > int64(h.r.Max)) {
			return invalid("BufferingHints.%s must be between %d and %d, got %d.", h.name, h.r.Min, h.r.Max, *h.v)
		}
	}
	return nil
}

// validIndexName applies OpenSearch's index name rules (the model allows
// 1-80 characters of anything).
func validIndexName(name string) error {
	switch {
	case name == "":
		return invalid("IndexName must not be empty.")
	case name == "." || name == "..":
		return invalid("Invalid IndexName %q: it must not be '.' or '..'.", name)
	case strings.ToLower(name) != name:
		return invalid("Invalid IndexName %q: it must be lowercase.", name)
	case strings.ContainsAny(name[:1], "_-+"):
		return invalid("Invalid IndexName %q: it must not start with '_', '-' or '+'.", name)
	case strings.ContainsAny(name, "\\/*?\"<>| ,#:"):
		return invalid("Invalid IndexName %q: it must not contain spaces or any of \\ / * ? \" < > | , # :.", name)
	}
	return nil
}

// ApplyUpdate merges an AmazonopensearchserviceDestinationUpdate into cfg:
// only the fields given replace the stored ones. S3Update is left to the
// caller; S3BackupMode cannot be updated (the model has no such field).
func ApplyUpdate(cfg *firehoseapi.AmazonopensearchserviceDestinationConfiguration, upd *firehoseapi.AmazonopensearchserviceDestinationUpdate) {
	if cfg == nil || upd == nil {
		return
	}
	setStr(&cfg.RoleARN, upd.RoleARN)
	setStr(&cfg.IndexName, upd.IndexName)
	if upd.DomainARN != nil {
		cfg.DomainARN, cfg.ClusterEndpoint = upd.DomainARN, nil
	}
	if upd.ClusterEndpoint != nil {
		cfg.ClusterEndpoint, cfg.DomainARN = upd.ClusterEndpoint, nil
	}
	setPtr(&cfg.TypeName, upd.TypeName)
	setPtr(&cfg.IndexRotationPeriod, upd.IndexRotationPeriod)
	setPtr(&cfg.RetryOptions, upd.RetryOptions)
	setPtr(&cfg.ProcessingConfiguration, upd.ProcessingConfiguration)
	setPtr(&cfg.CloudWatchLoggingOptions, upd.CloudWatchLoggingOptions)
	setPtr(&cfg.DocumentIdOptions, upd.DocumentIdOptions)
	if h := upd.BufferingHints; h != nil {
		if cfg.BufferingHints == nil {
			cfg.BufferingHints = &firehoseapi.AmazonopensearchserviceBufferingHints{}
		}
		setPtr(&cfg.BufferingHints.SizeInMBs, h.SizeInMBs)
		setPtr(&cfg.BufferingHints.IntervalInSeconds, h.IntervalInSeconds)
	}
}

// ApplyElasticsearchUpdate is ApplyUpdate for the Elasticsearch types.
func ApplyElasticsearchUpdate(cfg *firehoseapi.ElasticsearchDestinationConfiguration, upd *firehoseapi.ElasticsearchDestinationUpdate) {
	if cfg == nil || upd == nil {
		return
	}
	setStr(&cfg.RoleARN, upd.RoleARN)
	setStr(&cfg.IndexName, upd.IndexName)
	if upd.DomainARN != nil {
		cfg.DomainARN, cfg.ClusterEndpoint = upd.DomainARN, nil
	}
	if upd.ClusterEndpoint != nil {
		cfg.ClusterEndpoint, cfg.DomainARN = upd.ClusterEndpoint, nil
	}
	setPtr(&cfg.TypeName, upd.TypeName)
	setPtr(&cfg.IndexRotationPeriod, upd.IndexRotationPeriod)
	setPtr(&cfg.RetryOptions, upd.RetryOptions)
	setPtr(&cfg.ProcessingConfiguration, upd.ProcessingConfiguration)
	setPtr(&cfg.CloudWatchLoggingOptions, upd.CloudWatchLoggingOptions)
	setPtr(&cfg.DocumentIdOptions, upd.DocumentIdOptions)
	if h := upd.BufferingHints; h != nil {
		if cfg.BufferingHints == nil {
			cfg.BufferingHints = &firehoseapi.ElasticsearchBufferingHints{}
		}
		setPtr(&cfg.BufferingHints.SizeInMBs, h.SizeInMBs)
		setPtr(&cfg.BufferingHints.IntervalInSeconds, h.IntervalInSeconds)
	}
}

func setStr(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setPtr[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}
