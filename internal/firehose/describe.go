package firehose

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
)

const destinationID = "destinationId-000000000001"

// DescribeDeliveryStream describes a delivery stream and its destination.
func (s *Service) DescribeDeliveryStream(ctx context.Context, in *firehoseapi.DescribeDeliveryStreamInput) (*firehoseapi.DescribeDeliveryStreamOutput, error) {
	ds, err := s.lookup(ctx, in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	doc := ds.snapshot()
	created := time.UnixMilli(doc.CreatedMs)
	d := firehoseapi.DeliveryStreamDescription{
		DeliveryStreamName:   doc.Name,
		DeliveryStreamARN:    doc.arn(),
		DeliveryStreamStatus: doc.status(s.now(), s.opts.StateDelay),
		DeliveryStreamType:   doc.Type,
		VersionId:            strconv.Itoa(doc.Version),
		CreateTimestamp:      &created,
		Destinations:         []firehoseapi.DestinationDescription{},
	}
	if doc.Version > 1 {
		updated := time.UnixMilli(doc.UpdatedMs)
		d.LastUpdateTimestamp = &updated
	}
	if doc.Encryption != nil {
		d.DeliveryStreamEncryptionConfiguration = &firehoseapi.DeliveryStreamEncryptionConfiguration{
			KeyType: &doc.Encryption.KeyType,
			Status:  &doc.Encryption.Status,
		}
		if doc.Encryption.KeyARN != "" {
			d.DeliveryStreamEncryptionConfiguration.KeyARN = &doc.Encryption.KeyARN
		}
	} else if doc.Type == typeDirectPut {
		disabled := "DISABLED"
		d.DeliveryStreamEncryptionConfiguration = &firehoseapi.DeliveryStreamEncryptionConfiguration{Status: &disabled}
	}
	switch doc.Type {
	case typeKinesis:
		start := time.UnixMilli(doc.DeliveryStartMs)
		d.Source = &firehoseapi.SourceDescription{KinesisStreamSourceDescription: &firehoseapi.KinesisStreamSourceDescription{
			KinesisStreamARN:       &doc.Kinesis.KinesisStreamARN,
			RoleARN:                &doc.Kinesis.RoleARN,
			DeliveryStartTimestamp: &start,
		}}
	case typeDirectPut:
		if doc.DirectPut != nil {
			d.Source = &firehoseapi.SourceDescription{DirectPutSourceDescription: &firehoseapi.DirectPutSourceDescription{ThroughputHintInMBs: &doc.DirectPut.ThroughputHintInMBs}}
		}
	}
	skip := in.ExclusiveStartDestinationId != nil && *in.ExclusiveStartDestinationId >= destinationID
	if !skip {
		dd, err := describeDestination(&doc.Dest)
		if err != nil {
			return nil, err
		}
		d.Destinations = append(d.Destinations, *dd)
	}
	return &firehoseapi.DescribeDeliveryStreamOutput{DeliveryStreamDescription: d}, nil
}

// describeDestination renders a destination configuration as its
// description, with the defaults AWS fills in.
func describeDestination(dc *destConfig) (*firehoseapi.DestinationDescription, error) {
	out := &firehoseapi.DestinationDescription{DestinationId: destinationID}
	if dc.ExtendedS3 != nil {
		m, err := toMap(withS3Defaults(dc.ExtendedS3))
		if err != nil {
			return nil, err
		}
		if b, ok := m["S3BackupConfiguration"].(map[string]any); ok {
			m["S3BackupDescription"] = fillS3Map(b, defaultS3MiB)
			delete(m, "S3BackupConfiguration")
		}
		if out.ExtendedS3DestinationDescription, err = fromMap[firehoseapi.ExtendedS3DestinationDescription](m); err != nil {
			return nil, err
		}
		out.S3DestinationDescription, err = fromMap[firehoseapi.S3DestinationDescription](m)
		return out, err
	}
	p := pluginFor(dc)
	m, err := toMap(p.config(dc))
	if err != nil {
		return nil, err
	}
	if s3, ok := m["S3Configuration"].(map[string]any); ok {
		m["S3DestinationDescription"] = fillS3Map(s3, defaultS3MiB)
		delete(m, "S3Configuration")
	}
	if b, ok := m["S3BackupConfiguration"].(map[string]any); ok {
		m["S3BackupDescription"] = fillS3Map(b, defaultS3MiB)
		delete(m, "S3BackupConfiguration")
	}
	if _, ok := m["BufferingHints"]; !ok && p.spec.SizeInMBs.Default > 0 {
		m["BufferingHints"] = map[string]any{"SizeInMBs": p.spec.SizeInMBs.Default, "IntervalInSeconds": p.spec.IntervalInSeconds.Default}
	}
	if _, ok := m["S3BackupMode"]; !ok && len(p.spec.BackupModes) > 0 {
		m["S3BackupMode"] = p.spec.BackupModes[0]
	}
	if _, ok := m["RetryOptions"]; !ok && p.spec.RetrySeconds > 0 {
		m["RetryOptions"] = map[string]any{"DurationInSeconds": p.spec.RetrySeconds}
	}
	return p.describe(m, out)
}

// withS3Defaults returns c with the buffering and compression defaults
// AWS reports filled in.
func withS3Defaults(c *firehoseapi.ExtendedS3DestinationConfiguration) *firehoseapi.ExtendedS3DestinationConfiguration {
	cp := *c
	size := defaultS3MiB
	switch {
	case convertEnabled(c.DataFormatConversionConfiguration):
		size = convertS3MiB
	case c.DynamicPartitioningConfiguration != nil && boolOr(c.DynamicPartitioningConfiguration.Enabled, false):
		size = partitionS3MiB
	}
	h := firehoseapi.BufferingHints{}
	if c.BufferingHints != nil {
		h = *c.BufferingHints
	}
	if h.SizeInMBs == nil {
		v := int64(size)
		h.SizeInMBs = &v
	}
	if h.IntervalInSeconds == nil {
		v := int64(defaultS3Secs)
		h.IntervalInSeconds = &v
	}
	cp.BufferingHints = &h
	if cp.CompressionFormat == nil {
		v := uncompressed
		cp.CompressionFormat = &v
	}
	if cp.EncryptionConfiguration == nil {
		v := noEncryption
		cp.EncryptionConfiguration = &firehoseapi.EncryptionConfiguration{NoEncryptionConfig: &v}
	}
	if cp.S3BackupMode == nil {
		v := backupDisabled
		cp.S3BackupMode = &v
	}
	if cp.CloudWatchLoggingOptions == nil {
		f := false
		cp.CloudWatchLoggingOptions = &firehoseapi.CloudWatchLoggingOptions{Enabled: &f}
	}
	return &cp
}

// fillS3Map fills the defaults of an S3DestinationConfiguration held as a
// JSON object.
func fillS3Map(m map[string]any, size int) map[string]any {
	h, _ := m["BufferingHints"].(map[string]any)
	if h == nil {
		h = map[string]any{}
	}
	if _, ok := h["SizeInMBs"]; !ok {
		h["SizeInMBs"] = size
	}
	if _, ok := h["IntervalInSeconds"]; !ok {
		h["IntervalInSeconds"] = defaultS3Secs
	}
	m["BufferingHints"] = h
	if _, ok := m["CompressionFormat"]; !ok {
		m["CompressionFormat"] = uncompressed
	}
	if _, ok := m["EncryptionConfiguration"]; !ok {
		m["EncryptionConfiguration"] = map[string]any{"NoEncryptionConfig": noEncryption}
	}
	if _, ok := m["CloudWatchLoggingOptions"]; !ok {
		m["CloudWatchLoggingOptions"] = map[string]any{"Enabled": false}
	}
	return m
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

func fromMap[T any](m map[string]any) (*T, error) {
	return convertJSON[T](m)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
