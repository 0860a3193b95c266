package firehose

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// CreateDeliveryStream creates a delivery stream in CREATING state; it
// turns ACTIVE after the state delay and its pipeline starts at once.
func (s *Service) CreateDeliveryStream(ctx context.Context, in *firehoseapi.CreateDeliveryStreamInput) (*firehoseapi.CreateDeliveryStreamOutput, error) {
	account, region := s.caller(ctx)
	typ := typeDirectPut
	if in.DeliveryStreamType != nil {
		typ = *in.DeliveryStreamType
	}
	dest, legacy, err := destinationOf(in)
	if err != nil {
		return nil, err
	}
	if err := s.validateSource(typ, in); err != nil {
		return nil, err
	}
	if err := validateDestination(&dest); err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	var enc *encryptionDoc
	if in.DeliveryStreamEncryptionConfigurationInput != nil {
		if typ != typeDirectPut {
			return nil, invalidArgument("Server-side encryption can only be enabled for DirectPut delivery streams; a Kinesis stream source uses the source stream's encryption.")
		}
		e, err := encryptionFrom(in.DeliveryStreamEncryptionConfigurationInput)
		if err != nil {
			return nil, err
		}
		enc = e
	}

	key := metaKey(account, region, in.DeliveryStreamName)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if ds := s.streams[key]; ds != nil {
		if !ds.doc.gone(now, s.opts.StateDelay) {
			return nil, awserr.Newf("ResourceInUseException", "Firehose %s under accountId %s already exists", in.DeliveryStreamName, account)
		}
		if err := s.sweepLocked(ctx, key, ds); err != nil {
			return nil, err
		}
	}
	count := 0
	prefix := metaKey(account, region, "")
	for k, ds := range s.streams {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix && !ds.doc.gone(now, s.opts.StateDelay) {
			count++
		}
	}
	if count >= s.opts.StreamLimit {
		return nil, awserr.Newf("LimitExceededException", "You have already consumed your firehose quota of %d hoses. Firehose names: %s", s.opts.StreamLimit, in.DeliveryStreamName)
	}
	uid := make([]byte, 8)
	if _, err := rand.Read(uid); err != nil {
		return nil, fmt.Errorf("firehose: uid: %w", err)
	}
	doc := &streamDoc{
		UID:        hex.EncodeToString(uid),
		Name:       in.DeliveryStreamName,
		Account:    account,
		Region:     region,
		Type:       typ,
		CreatedMs:  now.UnixMilli(),
		UpdatedMs:  now.UnixMilli(),
		Version:    1,
		Dest:       dest,
		LegacyS3:   legacy,
		Tags:       in.Tags,
		Encryption: enc,
		DirectPut:  in.DirectPutSourceConfiguration,
	}
	if enc != nil {
		enc.ChangedMs = doc.CreatedMs
	}
	if typ == typeKinesis {
		doc.Kinesis = in.KinesisStreamSourceConfiguration
		doc.DeliveryStartMs = doc.CreatedMs
	}
	b, err := jsonMarshal(doc)
	if err != nil {
		return nil, err
	}
	rev, err := s.meta.Put(ctx, key, b, 0)
	if err != nil {
		return nil, fmt.Errorf("firehose: store stream: %w", err)
	}
	ds := &deliveryStream{key: key, doc: doc, rev: rev, wake: make(chan struct{}, 1)}
	s.streams[key] = ds
	s.startPipeline(ds)
	s.log.Info("delivery stream created", "stream", doc.Name, "type", typ, "destination", dest.kind())
	arn := doc.arn()
	return &firehoseapi.CreateDeliveryStreamOutput{DeliveryStreamARN: &arn}, nil
}

// destinationOf picks the one destination configuration of a create
// request. The legacy S3DestinationConfiguration becomes an ExtendedS3 one.
func destinationOf(in *firehoseapi.CreateDeliveryStreamInput) (destConfig, bool, error) {
	var d destConfig
	n := 0
	legacy := false
	if in.S3DestinationConfiguration != nil {
		n++
		ext, err := convertJSON[firehoseapi.ExtendedS3DestinationConfiguration](in.S3DestinationConfiguration)
		if err != nil {
			return d, false, err
		}
		d.ExtendedS3, legacy = ext, true
	}
	if in.ExtendedS3DestinationConfiguration != nil {
		n++
		d.ExtendedS3 = in.ExtendedS3DestinationConfiguration
	}
	if in.RedshiftDestinationConfiguration != nil {
		n++
		d.Redshift = in.RedshiftDestinationConfiguration
	}
	if in.ElasticsearchDestinationConfiguration != nil {
		n++
		d.Elasticsearch = in.ElasticsearchDestinationConfiguration
	}
	if in.AmazonopensearchserviceDestinationConfiguration != nil {
		n++
		d.OpenSearch = in.AmazonopensearchserviceDestinationConfiguration
	}
	if in.SplunkDestinationConfiguration != nil {
		n++
		d.Splunk = in.SplunkDestinationConfiguration
	}
	if in.HttpEndpointDestinationConfiguration != nil {
		n++
		d.HTTPEndpoint = in.HttpEndpointDestinationConfiguration
	}
	for name, set := range map[string]bool{
		"AmazonOpenSearchServerless": in.AmazonOpenSearchServerlessDestinationConfiguration != nil,
		"Snowflake":                  in.SnowflakeDestinationConfiguration != nil,
		"Iceberg":                    in.IcebergDestinationConfiguration != nil,
	} {
		if set {
			return d, false, invalidArgument("The %s destination is not supported by Freshet yet.", name)
		}
	}
	if n != 1 {
		return d, false, invalidArgument("Exactly one destination configuration must be specified; %d were given.", n)
	}
	return d, legacy, nil
}

func (s *Service) validateSource(typ string, in *firehoseapi.CreateDeliveryStreamInput) error {
	switch typ {
	case typeDirectPut:
		if in.KinesisStreamSourceConfiguration != nil {
			return invalidArgument("KinesisStreamSourceConfiguration is only allowed when DeliveryStreamType is KinesisStreamAsSource.")
		}
	case typeKinesis:
		if in.KinesisStreamSourceConfiguration == nil {
			return invalidArgument("KinesisStreamSourceConfiguration is required when DeliveryStreamType is KinesisStreamAsSource.")
		}
		if s.opts.Kinesis == nil {
			return invalidArgument("Kinesis stream sources are not available on this server.")
		}
		if _, _, _, ok := parseKinesisARN(in.KinesisStreamSourceConfiguration.KinesisStreamARN); !ok {
			return invalidArgument("KinesisStreamARN %s is not a valid Kinesis stream ARN.", in.KinesisStreamSourceConfiguration.KinesisStreamARN)
		}
	default:
		return invalidArgument("DeliveryStreamType %s is not supported by Freshet yet.", typ)
	}
	if in.MSKSourceConfiguration != nil || in.DatabaseSourceConfiguration != nil {
		return invalidArgument("MSK and database sources are not supported by Freshet yet.")
	}
	return nil
}
