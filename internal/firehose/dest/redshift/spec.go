package redshift

import (
	"strings"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// ErrorOutputType names the failed-record output. AWS puts the manifest of
// skipped S3 objects under "errors/"; Freshet writes one JSON line per
// given-up record there instead.
const ErrorOutputType = "errors"

// Spec describes the Redshift destination. Its buffering hints are those
// of the intermediate S3Configuration.
var Spec = dest.Spec{
	Name:              "Redshift",
	MetricName:        "Redshift",
	SizeInMBs:         dest.Range{Min: 1, Max: 128, Default: 5},
	IntervalInSeconds: dest.Range{Min: 0, Max: 900, Default: 300},
	RetrySeconds:      3600,
	BackupModes:       []string{"Disabled", "Enabled"},
	ErrorOutputType:   ErrorOutputType,
}

func invalid(msg string) *awserr.Error { return awserr.New("InvalidArgumentException", msg) }

// Validate checks a Redshift destination configuration beyond the model's
// constraints and answers InvalidArgumentException.
func Validate(cfg *firehoseapi.RedshiftDestinationConfiguration) error {
	if cfg == nil {
		return invalid("RedshiftDestinationConfiguration is required.")
	}
	if _, err := parseJDBC(cfg.ClusterJDBCURL); err != nil {
		return invalid("ClusterJDBCURL " + err.Error() + ".")
	}
	if c := cfg.S3Configuration.CompressionFormat; c != nil && (*c == "Snappy" || *c == "ZIP") {
		return invalid("Compression format " + *c + " is not supported for the intermediate S3 location of an Amazon Redshift destination: the Amazon Redshift COPY operation that reads from the S3 bucket doesn't support it.")
	}
	if err := validateCopy(&cfg.CopyCommand); err != nil {
		return err
	}
	sm := cfg.SecretsManagerConfiguration
	secrets := sm != nil && sm.Enabled
	switch {
	case secrets && (cfg.Username != nil || cfg.Password != nil):
		return invalid("Username and Password must not be given when SecretsManagerConfiguration is enabled.")
	case secrets && (sm.SecretARN == nil || *sm.SecretARN == ""):
		return invalid("SecretsManagerConfiguration.SecretARN is required when SecretsManagerConfiguration is enabled.")
	case !secrets && (cfg.Username == nil || *cfg.Username == "" || cfg.Password == nil || *cfg.Password == ""):
		return invalid("Username and Password are required when SecretsManagerConfiguration is not enabled.")
	}
	if err := validateRetry(cfg.RetryOptions); err != nil {
		return err
	}
	if m := cfg.S3BackupMode; m != nil {
		if *m != "Disabled" && *m != "Enabled" {
			return invalid("S3BackupMode must be Disabled or Enabled for an Amazon Redshift destination.")
		}
		if *m == "Enabled" && cfg.S3BackupConfiguration == nil {
			return invalid("S3BackupConfiguration is required when S3BackupMode is Enabled.")
		}
	}
	return nil
}

func validateCopy(cc *firehoseapi.CopyCommand) error {
	if strings.TrimSpace(cc.DataTableName) == "" {
		return invalid("CopyCommand.DataTableName is required.")
	}
	if _, err := splitIdent(cc.DataTableName); err != nil {
		return invalid("CopyCommand.DataTableName is not a valid table name: " + err.Error() + ".")
	}
	if cc.DataTableColumns != nil {
		if _, err := splitColumns(*cc.DataTableColumns); err != nil {
			return invalid("CopyCommand.DataTableColumns: " + err.Error() + ".")
		}
	}
	if cc.CopyOptions != nil {
		if _, err := parseCopyOptions(*cc.CopyOptions); err != nil {
			return invalid("CopyCommand.CopyOptions: " + err.Error() + ".")
		}
	}
	return nil
}

func validateRetry(r *firehoseapi.RedshiftRetryOptions) error {
	if r == nil || r.DurationInSeconds == nil {
		return nil
	}
	if d := *r.DurationInSeconds; d < 0 || d > 7200 {
		return invalid("RetryOptions.DurationInSeconds must be between 0 and 7200.")
	}
	return nil
}

// ApplyUpdate merges an UpdateDestination's RedshiftDestinationUpdate into
// cfg: only the fields given change; S3Update and S3BackupUpdate merge
// field by field. The caller validates the result.
func ApplyUpdate(cfg *firehoseapi.RedshiftDestinationConfiguration, upd *firehoseapi.RedshiftDestinationUpdate) {
	if upd == nil {
		return
	}
	setStr(&cfg.RoleARN, upd.RoleARN)
	setStr(&cfg.ClusterJDBCURL, upd.ClusterJDBCURL)
	if upd.CopyCommand != nil {
		cfg.CopyCommand = *upd.CopyCommand
	}
	if upd.Username != nil {
		cfg.Username = upd.Username
	}
	if upd.Password != nil {
		cfg.Password = upd.Password
	}
	if upd.RetryOptions != nil {
		cfg.RetryOptions = upd.RetryOptions
	}
	if upd.S3Update != nil {
		mergeS3(&cfg.S3Configuration, upd.S3Update)
	}
	if upd.ProcessingConfiguration != nil {
		cfg.ProcessingConfiguration = upd.ProcessingConfiguration
	}
	if upd.S3BackupMode != nil {
		cfg.S3BackupMode = upd.S3BackupMode
	}
	if upd.S3BackupUpdate != nil {
		if cfg.S3BackupConfiguration == nil {
			cfg.S3BackupConfiguration = &firehoseapi.S3DestinationConfiguration{}
		}
		mergeS3(cfg.S3BackupConfiguration, upd.S3BackupUpdate)
	}
	if upd.CloudWatchLoggingOptions != nil {
		cfg.CloudWatchLoggingOptions = upd.CloudWatchLoggingOptions
	}
	if upd.SecretsManagerConfiguration != nil {
		cfg.SecretsManagerConfiguration = upd.SecretsManagerConfiguration
	}
}

func mergeS3(c *firehoseapi.S3DestinationConfiguration, u *firehoseapi.S3DestinationUpdate) {
	setStr(&c.RoleARN, u.RoleARN)
	setStr(&c.BucketARN, u.BucketARN)
	if u.Prefix != nil {
		c.Prefix = u.Prefix
	}
	if u.ErrorOutputPrefix != nil {
		c.ErrorOutputPrefix = u.ErrorOutputPrefix
	}
	if u.BufferingHints != nil {
		if c.BufferingHints == nil {
			c.BufferingHints = u.BufferingHints
		} else {
			h := *c.BufferingHints
			if u.BufferingHints.SizeInMBs != nil {
				h.SizeInMBs = u.BufferingHints.SizeInMBs
			}
			if u.BufferingHints.IntervalInSeconds != nil {
				h.IntervalInSeconds = u.BufferingHints.IntervalInSeconds
			}
			c.BufferingHints = &h
		}
	}
	if u.CompressionFormat != nil {
		c.CompressionFormat = u.CompressionFormat
	}
	if u.EncryptionConfiguration != nil {
		c.EncryptionConfiguration = u.EncryptionConfiguration
	}
	if u.CloudWatchLoggingOptions != nil {
		c.CloudWatchLoggingOptions = u.CloudWatchLoggingOptions
	}
}

func setStr(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}
