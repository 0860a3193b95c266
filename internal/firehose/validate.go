package firehose

import (
	"strings"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/compress"
	"github.com/freshet/freshet/internal/firehose/convert"
	"github.com/freshet/freshet/internal/firehose/process"
	"github.com/freshet/freshet/internal/firehose/s3key"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

const (
	maxTags         = 50
	minConvertMiB   = 64
	defaultS3MiB    = 5
	defaultS3Secs   = 300
	convertS3MiB    = 128
	partitionS3MiB  = 64
	uncompressed    = "UNCOMPRESSED"
	backupEnabled   = "Enabled"
	backupDisabled  = "Disabled"
	noEncryption    = "NoEncryption"
	jsonParsingJQ16 = "JQ-1.6"
)

// validateDestination checks what the model cannot: the rules between
// fields of one destination configuration.
func validateDestination(d *destConfig) error {
	if d.ExtendedS3 != nil {
		return validateExtendedS3(d.ExtendedS3)
	}
	p := pluginFor(d)
	if p == nil {
		return invalidArgument("Exactly one destination configuration must be specified; 0 were given.")
	}
	if err := p.validate(d); err != nil {
		return err
	}
	s3 := p.s3(d)
	if s3 == nil {
		return invalidArgument("S3Configuration is required for the %s destination.", p.spec.Name)
	}
	return validateS3(s3, "S3Configuration")
}

func validateExtendedS3(c *firehoseapi.ExtendedS3DestinationConfiguration) error {
	if _, err := bucketOf(c.BucketARN); err != nil {
		return err
	}
	dp := c.DynamicPartitioningConfiguration != nil && boolOr(c.DynamicPartitioningConfiguration.Enabled, false)
	conv := convertEnabled(c.DataFormatConversionConfiguration)
	if err := s3key.Validate(str(c.Prefix), str(c.ErrorOutputPrefix), s3key.ValidateOptions{DynamicPartitioning: dp}); err != nil {
		return err
	}
	format := strOr(c.CompressionFormat, uncompressed)
	if _, err := compress.Lookup(format); err != nil {
		return invalidArgument("CompressionFormat %s is not supported.", format)
	}
	if c.BufferingHints != nil && c.BufferingHints.SizeInMBs != nil {
		size := *c.BufferingHints.SizeInMBs
		if dp && size < partitionS3MiB {
			return invalidArgument("BufferingHints.SizeInMBs must be at least %d when Dynamic Partitioning is enabled.", partitionS3MiB)
		}
		if conv && size < minConvertMiB {
			return invalidArgument("BufferingHints.SizeInMBs must be at least %d when data format conversion is enabled.", minConvertMiB)
		}
	}
	if conv && format != uncompressed {
		return invalidArgument("CompressionFormat must be UNCOMPRESSED when data format conversion is enabled; the serializer compresses.")
	}
	if conv {
		if err := validateConversion(c.DataFormatConversionConfiguration); err != nil {
			return err
		}
	}
	if c.CustomTimeZone != nil && *c.CustomTimeZone != "" {
		if _, err := time.LoadLocation(*c.CustomTimeZone); err != nil {
			return invalidArgument("CustomTimeZone %s is not a valid time zone.", *c.CustomTimeZone)
		}
	}
	mode := strOr(c.S3BackupMode, backupDisabled)
	if mode == backupEnabled {
		if c.S3BackupConfiguration == nil {
			return invalidArgument("S3BackupConfiguration is required when S3BackupMode is Enabled.")
		}
		if err := validateS3(c.S3BackupConfiguration, "S3BackupConfiguration"); err != nil {
			return err
		}
	}
	return validateProcessing(c.ProcessingConfiguration, c.DynamicPartitioningConfiguration)
}

// validateS3 checks an S3DestinationConfiguration: the intermediate or
// backup bucket of another destination.
func validateS3(c *firehoseapi.S3DestinationConfiguration, where string) error {
	if _, err := bucketOf(c.BucketARN); err != nil {
		return err
	}
	if err := s3key.Validate(str(c.Prefix), str(c.ErrorOutputPrefix), s3key.ValidateOptions{}); err != nil {
		return err
	}
	format := strOr(c.CompressionFormat, uncompressed)
	if _, err := compress.Lookup(format); err != nil {
		return invalidArgument("%s.CompressionFormat %s is not supported.", where, format)
	}
	return nil
}

func convertEnabled(c *firehoseapi.DataFormatConversionConfiguration) bool {
	return c != nil && boolOr(c.Enabled, true)
}

// bucketOf returns the bucket an S3 bucket ARN names.
func bucketOf(arn string) (string, error) {
	i := strings.Index(arn, ":s3:::")
	if !strings.HasPrefix(arn, "arn:") || i < 0 || len(arn) == i+6 {
		return "", invalidArgument("BucketARN %s is not a valid S3 bucket ARN.", arn)
	}
	return arn[i+6:], nil
}

func validateTags(tags []firehoseapi.Tag) error {
	if len(tags) > maxTags {
		return invalidArgument("A delivery stream can have at most %d tags.", maxTags)
	}
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return invalidArgument("Tag keys must not start with aws: (got %s).", t.Key)
		}
	}
	return nil
}

func encryptionFrom(in *firehoseapi.DeliveryStreamEncryptionConfigurationInput) (*encryptionDoc, error) {
	e := &encryptionDoc{KeyType: in.KeyType, Status: "ENABLED"}
	switch in.KeyType {
	case "AWS_OWNED_CMK":
		if in.KeyARN != nil {
			return nil, invalidArgument("KeyARN must not be specified when KeyType is AWS_OWNED_CMK.")
		}
	case "CUSTOMER_MANAGED_CMK":
		if in.KeyARN == nil {
			return nil, invalidArgument("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.")
		}
		e.KeyARN = *in.KeyARN
	default:
		return nil, awserr.Newf("InvalidArgumentException", "KeyType %s is not valid.", in.KeyType)
	}
	return e, nil
}

// parseKinesisARN splits arn:aws:kinesis:<region>:<account>:stream/<name>.
func parseKinesisARN(arn string) (region, account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" || !strings.HasPrefix(parts[5], "stream/") {
		return "", "", "", false
	}
	name = strings.TrimPrefix(parts[5], "stream/")
	if name == "" || strings.Contains(name, "/") {
		return "", "", "", false
	}
	return parts[3], parts[4], name, true
}

func str(p *string) string { return strOr(p, "") }

func strOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func intOr(p *int64, def int) int {
	if p == nil {
		return def
	}
	return int(*p)
}

// validateProcessing checks a ProcessingConfiguration by building it.
func validateProcessing(c *firehoseapi.ProcessingConfiguration, dp *firehoseapi.DynamicPartitioningConfiguration) error {
	_, err := process.New(c, dp, process.Options{})
	return err
}

// validateConversion checks what can be checked without the schema: the
// serializer and deserializer choice. Glue is read when the pipeline
// starts.
func validateConversion(c *firehoseapi.DataFormatConversionConfiguration) error {
	sc := c.SchemaConfiguration
	if sc == nil || sc.DatabaseName == nil || sc.TableName == nil {
		return invalidArgument("SchemaConfiguration with DatabaseName and TableName is required when data format conversion is enabled.")
	}
	_, err := convert.New([]convert.Column{{Name: "x", Type: "string"}}, c)
	return err
}
