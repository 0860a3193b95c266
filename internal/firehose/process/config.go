package process

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// Processor types and parameter names of the model.
const (
	TypeLambda                  = "Lambda"
	TypeMetadataExtraction      = "MetadataExtraction"
	TypeRecordDeAggregation     = "RecordDeAggregation"
	TypeAppendDelimiterToRecord = "AppendDelimiterToRecord"
	TypeDecompression           = "Decompression"
	TypeCloudWatchLogProcessing = "CloudWatchLogProcessing"
)

// allowed lists each processor type's parameters; required ones are
// checked separately.
var allowed = map[string][]string{
	TypeLambda:                  {"LambdaArn", "NumberOfRetries", "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds"},
	TypeMetadataExtraction:      {"MetadataExtractionQuery", "JsonParsingEngine"},
	TypeRecordDeAggregation:     {"SubRecordType", "Delimiter"},
	TypeAppendDelimiterToRecord: {"Delimiter"},
	TypeDecompression:           {"CompressionFormat"},
	TypeCloudWatchLogProcessing: {"DataMessageExtraction"},
}

// Defaults and limits of the Lambda processor (data-transformation docs:
// buffer 0.2-3 MB, default 1 MB; interval 0-900 s, default 60 s).
const (
	defaultRetries      = 3
	maxRetries          = 300
	defaultLambdaBytes  = 1 << 20
	defaultLambdaPeriod = 60 * time.Second
)

// config is a validated processing configuration.
type config struct {
	enabled bool

	lambda *lambdaConfig

	query string // MetadataExtractionQuery, "" if none

	deagg      string // "", "JSON" or "DELIMITED"
	deaggDelim []byte

	appendDelim []byte // nil if AppendDelimiterToRecord is absent

	gunzip       bool
	cwExtraction bool
}

type lambdaConfig struct {
	arn      string
	retries  int
	bytes    int
	interval time.Duration
}

func invalid(format string, args ...any) *awserr.Error {
	return awserr.Newf("InvalidArgumentException", format, args...)
}

// parseConfig validates cfg against AWS's rules; dp is the dynamic
// partitioning configuration (nil or disabled if none).
func parseConfig(cfg *firehoseapi.ProcessingConfiguration, dp *firehoseapi.DynamicPartitioningConfiguration) (*config, error) {
	c := &config{}
	if cfg == nil {
		return c, nil
	}
	c.enabled = cfg.Enabled != nil && *cfg.Enabled
	dpOn := dp != nil && dp.Enabled != nil && *dp.Enabled
	seen := map[string]bool{}
	for _, p := range cfg.Processors {
		names, ok := allowed[p.Type]
		if !ok {
			return nil, invalid("Processor type %s is not supported.", p.Type)
		}
		if seen[p.Type] {
			return nil, invalid("Processor type %s is specified more than once. Each processor type may be specified only once.", p.Type)
		}
		seen[p.Type] = true
		params, err := parameters(p, names)
		if err != nil {
			return nil, err
		}
		if err := c.apply(p.Type, params, dpOn); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// parameters checks p's parameter names and returns them as a map.
func parameters(p firehoseapi.Processor, names []string) (map[string]string, error) {
	params := make(map[string]string, len(p.Parameters))
	for _, pp := range p.Parameters {
		known := false
		for _, n := range names {
			known = known || n == pp.ParameterName
		}
		if !known {
			return nil, invalid("Parameter %s is not valid for processor type %s.", pp.ParameterName, p.Type)
		}
		if _, dup := params[pp.ParameterName]; dup {
			return nil, invalid("Parameter %s is specified more than once for processor type %s.", pp.ParameterName, p.Type)
		}
		params[pp.ParameterName] = pp.ParameterValue
	}
	return params, nil
}

func (c *config) apply(typ string, params map[string]string, dpOn bool) error {
	switch typ {
	case TypeLambda:
		l, err := parseLambda(params)
		c.lambda = l
		return err
	case TypeMetadataExtraction:
		return c.parseMetadata(params, dpOn)
	case TypeRecordDeAggregation:
		return c.parseDeagg(params)
	case TypeAppendDelimiterToRecord:
		c.appendDelim = []byte("\n")
		if v, ok := params["Delimiter"]; ok {
			d, err := delimiter(typ, v)
			if err != nil {
				return err
			}
			c.appendDelim = d
		}
		return nil
	case TypeDecompression:
		if v := params["CompressionFormat"]; v != "GZIP" {
			return invalid("CompressionFormat %q is not valid for processor type Decompression. Valid values: GZIP.", v)
		}
		c.gunzip = true
		return nil
	default: // CloudWatchLogProcessing
		v, ok := params["DataMessageExtraction"]
		if !ok || (v != "true" && v != "false") {
			return invalid("DataMessageExtraction must be true or false for processor type CloudWatchLogProcessing.")
		}
		c.cwExtraction = v == "true"
		return nil
	}
}

func parseLambda(params map[string]string) (*lambdaConfig, error) {
	l := &lambdaConfig{retries: defaultRetries, bytes: defaultLambdaBytes, interval: defaultLambdaPeriod}
	l.arn = params["LambdaArn"]
	if l.arn == "" {
		return nil, invalid("LambdaArn must be specified for processor type Lambda.")
	}
	if v, ok := params["NumberOfRetries"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > maxRetries {
			return nil, invalid("NumberOfRetries must be an integer between 0 and %d, but was %q.", maxRetries, v)
		}
		l.retries = n
	}
	if v, ok := params["BufferSizeInMBs"]; ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || f < 0.2 || f > 3 {
			return nil, invalid("BufferSizeInMBs must be a number between 0.2 and 3, but was %q.", v)
		}
		l.bytes = int(f * (1 << 20))
	}
	if v, ok := params["BufferIntervalInSeconds"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > 900 {
			return nil, invalid("BufferIntervalInSeconds must be an integer between 0 and 900, but was %q.", v)
		}
		l.interval = time.Duration(n) * time.Second
	}
	return l, nil
}

func (c *config) parseMetadata(params map[string]string, dpOn bool) error {
	if !dpOn {
		return invalid("Processor type MetadataExtraction requires dynamic partitioning to be enabled.")
	}
	if e, ok := params["JsonParsingEngine"]; !ok || e != "JQ-1.6" {
		return invalid("JsonParsingEngine %q is not valid for processor type MetadataExtraction. Valid values: JQ-1.6.", e)
	}
	q := params["MetadataExtractionQuery"]
	if strings.TrimSpace(q) == "" {
		return invalid("MetadataExtractionQuery must be specified for processor type MetadataExtraction.")
	}
	c.query = q
	return nil
}

func (c *config) parseDeagg(params map[string]string) error {
	switch t := params["SubRecordType"]; t {
	case "JSON":
		c.deagg = t
	case "DELIMITED":
		c.deagg = t
		v, ok := params["Delimiter"]
		if !ok {
			return invalid("Delimiter must be specified for processor type RecordDeAggregation when SubRecordType is DELIMITED.")
		}
		d, err := delimiter(TypeRecordDeAggregation, v)
		if err != nil {
			return err
		}
		c.deaggDelim = d
	default:
		return invalid("SubRecordType %q is not valid for processor type RecordDeAggregation. Valid values: JSON, DELIMITED.", t)
	}
	return nil
}

// delimiter decodes a base64 Delimiter parameter.
func delimiter(typ, v string) ([]byte, error) {
	d, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(d) == 0 {
		return nil, invalid("Delimiter for processor type %s must be a non-empty base64-encoded string.", typ)
	}
	return d, nil
}
