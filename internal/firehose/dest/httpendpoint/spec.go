package httpendpoint

import (
	"net/url"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// Spec describes the HTTP endpoint destination.
var Spec = dest.Spec{
	Name:              "HttpEndpoint",
	MetricName:        "HttpEndpoint",
	SizeInMBs:         dest.Range{Min: 1, Max: 64, Default: 5},
	IntervalInSeconds: dest.Range{Min: 0, Max: 900, Default: 300},
	RetrySeconds:      300,
	BackupModes:       []string{"FailedDataOnly", "AllData"},
	ErrorOutputType:   "http-endpoint-failed",
}

const maxRetrySeconds = 7200

func invalid(format string, args ...any) error {
	return awserr.Newf("InvalidArgumentException", format, args...)
}

// Validate checks the rules the model cannot express. Unlike AWS, http://
// URLs and any port are accepted (self-hosting).
func Validate(cfg *firehoseapi.HttpEndpointDestinationConfiguration) error {
	if cfg == nil {
		return invalid("HttpEndpointDestinationConfiguration is required.")
	}
	if err := validateURL(cfg.EndpointConfiguration.Url); err != nil {
		return err
	}
	if h := cfg.BufferingHints; h != nil {
		if err := checkRange("SizeInMBs", h.SizeInMBs, Spec.SizeInMBs); err != nil {
			return err
		}
		if err := checkRange("IntervalInSeconds", h.IntervalInSeconds, Spec.IntervalInSeconds); err != nil {
			return err
		}
	}
	if r := cfg.RetryOptions; r != nil && r.DurationInSeconds != nil {
		if d := *r.DurationInSeconds; d < 0 || d > maxRetrySeconds {
			return invalid("RetryOptions.DurationInSeconds must be between 0 and %d seconds, got %d.", maxRetrySeconds, d)
		}
	}
	if m := cfg.S3BackupMode; m != nil && !validBackupMode(*m) {
		return invalid("Invalid S3BackupMode %q for HTTP endpoint destination; valid values are FailedDataOnly and AllData.", *m)
	}
	if rc := cfg.RequestConfiguration; rc != nil {
		if ce := rc.ContentEncoding; ce != nil && *ce != "NONE" && *ce != "GZIP" {
			return invalid("Invalid ContentEncoding %q; valid values are NONE and GZIP.", *ce)
		}
		seen := map[string]bool{}
		for _, a := range rc.CommonAttributes {
			if seen[a.AttributeName] {
				return invalid("Duplicate common attribute name %q in RequestConfiguration.", a.AttributeName)
			}
			seen[a.AttributeName] = true
		}
	}
	return nil
}

func validateURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("Invalid HTTP endpoint URL %q: it must be an absolute http:// or https:// URL.", raw)
	}
	return nil
}

func checkRange(name string, v *int64, r dest.Range) error {
	if v == nil {
		return nil
	}
	if *v < int64(r.Min) || *v > int64(r.Max) {
		return invalid("BufferingHints.%s must be between %d and %d for the HTTP endpoint destination, got %d.", name, r.Min, r.Max, *v)
	}
	return nil
}

func validBackupMode(m string) bool {
	for _, b := range Spec.BackupModes {
		if b == m {
			return true
		}
	}
	return false
}

// ApplyUpdate merges an UpdateDestination's HttpEndpointDestinationUpdate
// into cfg: only the fields given replace the stored ones. S3Update is left
// to the caller (it belongs to the S3 configuration's own merge).
func ApplyUpdate(cfg *firehoseapi.HttpEndpointDestinationConfiguration, upd *firehoseapi.HttpEndpointDestinationUpdate) {
	if cfg == nil || upd == nil {
		return
	}
	if e := upd.EndpointConfiguration; e != nil {
		cfg.EndpointConfiguration.Url = e.Url
		if e.Name != nil {
			cfg.EndpointConfiguration.Name = e.Name
		}
		if e.AccessKey != nil {
			cfg.EndpointConfiguration.AccessKey = e.AccessKey
		}
	}
	if upd.BufferingHints != nil {
		if cfg.BufferingHints == nil {
			cfg.BufferingHints = &firehoseapi.HttpEndpointBufferingHints{}
		}
		if upd.BufferingHints.SizeInMBs != nil {
			cfg.BufferingHints.SizeInMBs = upd.BufferingHints.SizeInMBs
		}
		if upd.BufferingHints.IntervalInSeconds != nil {
			cfg.BufferingHints.IntervalInSeconds = upd.BufferingHints.IntervalInSeconds
		}
	}
	if upd.CloudWatchLoggingOptions != nil {
		cfg.CloudWatchLoggingOptions = upd.CloudWatchLoggingOptions
	}
	if upd.RequestConfiguration != nil {
		cfg.RequestConfiguration = upd.RequestConfiguration
	}
	if upd.ProcessingConfiguration != nil {
		cfg.ProcessingConfiguration = upd.ProcessingConfiguration
	}
	if upd.RoleARN != nil {
		cfg.RoleARN = upd.RoleARN
	}
	if upd.RetryOptions != nil {
		cfg.RetryOptions = upd.RetryOptions
	}
	if upd.S3BackupMode != nil {
		cfg.S3BackupMode = upd.S3BackupMode
	}
	if upd.SecretsManagerConfiguration != nil {
		cfg.SecretsManagerConfiguration = upd.SecretsManagerConfiguration
	}
}
