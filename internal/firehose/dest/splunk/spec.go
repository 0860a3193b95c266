package splunk

import (
	"net/url"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// Spec describes the Splunk destination.
var Spec = dest.Spec{
	Name:              "Splunk",
	MetricName:        "Splunk",
	SizeInMBs:         dest.Range{Min: 1, Max: 5, Default: 5},
	IntervalInSeconds: dest.Range{Min: 0, Max: 60, Default: 60},
	RetrySeconds:      300,
	BackupModes:       []string{"FailedEventsOnly", "AllEvents"},
	ErrorOutputType:   "splunk-failed",
}

// DefaultAckTimeoutSeconds is HECAcknowledgmentTimeoutInSeconds' default.
const DefaultAckTimeoutSeconds = 180

func invalid(format string, args ...any) error {
	return awserr.Newf("InvalidArgumentException", format, args...)
}

// Validate checks the rules the model cannot express; http:// HEC
// endpoints on any port are accepted (self-hosting).
func Validate(cfg *firehoseapi.SplunkDestinationConfiguration) error {
	if cfg == nil {
		return invalid("SplunkDestinationConfiguration is required.")
	}
	if u, err := url.Parse(cfg.HECEndpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("Invalid HECEndpoint %q: it must be an absolute http:// or https:// URL.", cfg.HECEndpoint)
	}
	if cfg.HECEndpointType != "Raw" && cfg.HECEndpointType != "Event" {
		return invalid("Invalid HECEndpointType %q; valid values are Raw and Event.", cfg.HECEndpointType)
	}
	if cfg.HECToken == nil && (cfg.SecretsManagerConfiguration == nil || !cfg.SecretsManagerConfiguration.Enabled) {
		return invalid("HECToken is required when SecretsManagerConfiguration is not enabled.")
	}
	if t := cfg.HECAcknowledgmentTimeoutInSeconds; t != nil && (*t < 180 || *t > 600) {
		return invalid("HECAcknowledgmentTimeoutInSeconds must be between 180 and 600 seconds, got %d.", *t)
	}
	if h := cfg.BufferingHints; h != nil {
		if err := checkRange("SizeInMBs", h.SizeInMBs, Spec.SizeInMBs); err != nil {
			return err
		}
		if err := checkRange("IntervalInSeconds", h.IntervalInSeconds, Spec.IntervalInSeconds); err != nil {
			return err
		}
	}
	if r := cfg.RetryOptions; r != nil && r.DurationInSeconds != nil && (*r.DurationInSeconds < 0 || *r.DurationInSeconds > 7200) {
		return invalid("RetryOptions.DurationInSeconds must be between 0 and 7200 seconds, got %d.", *r.DurationInSeconds)
	}
	if m := cfg.S3BackupMode; m != nil && *m != "FailedEventsOnly" && *m != "AllEvents" {
		return invalid("Invalid S3BackupMode %q for Splunk destination; valid values are FailedEventsOnly and AllEvents.", *m)
	}
	return nil
}

func checkRange(name string, v *int64, r dest.Range) error {
	if v != nil && (*v < int64(r.Min) || *v > int64(r.Max)) {
		return invalid("BufferingHints.%s must be between %d and %d for the Splunk destination, got %d.", name, r.Min, r.Max, *v)
	}
	return nil
}

// ApplyUpdate merges a SplunkDestinationUpdate into cfg: only the fields
// given replace the stored ones. S3Update is left to the caller.
func ApplyUpdate(cfg *firehoseapi.SplunkDestinationConfiguration, upd *firehoseapi.SplunkDestinationUpdate) {
	if cfg == nil || upd == nil {
		return
	}
	if upd.HECEndpoint != nil {
		cfg.HECEndpoint = *upd.HECEndpoint
	}
	if upd.HECEndpointType != nil {
		cfg.HECEndpointType = *upd.HECEndpointType
	}
	if upd.HECToken != nil {
		cfg.HECToken = upd.HECToken
	}
	if upd.HECAcknowledgmentTimeoutInSeconds != nil {
		cfg.HECAcknowledgmentTimeoutInSeconds = upd.HECAcknowledgmentTimeoutInSeconds
	}
	if upd.RetryOptions != nil {
		cfg.RetryOptions = upd.RetryOptions
	}
	if upd.S3BackupMode != nil {
		cfg.S3BackupMode = upd.S3BackupMode
	}
	if upd.ProcessingConfiguration != nil {
		cfg.ProcessingConfiguration = upd.ProcessingConfiguration
	}
	if upd.CloudWatchLoggingOptions != nil {
		cfg.CloudWatchLoggingOptions = upd.CloudWatchLoggingOptions
	}
	if upd.BufferingHints != nil {
		if cfg.BufferingHints == nil {
			cfg.BufferingHints = &firehoseapi.SplunkBufferingHints{}
		}
		if upd.BufferingHints.SizeInMBs != nil {
			cfg.BufferingHints.SizeInMBs = upd.BufferingHints.SizeInMBs
		}
		if upd.BufferingHints.IntervalInSeconds != nil {
			cfg.BufferingHints.IntervalInSeconds = upd.BufferingHints.IntervalInSeconds
		}
	}
	if upd.SecretsManagerConfiguration != nil {
		cfg.SecretsManagerConfiguration = upd.SecretsManagerConfiguration
	}
}
