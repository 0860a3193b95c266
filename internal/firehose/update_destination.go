package firehose

import (
	"context"
	"strconv"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// UpdateDestination changes the destination's configuration with merge
// semantics (only the given fields change) and bumps VersionId. The
// pipeline first delivers what it buffered under the old configuration;
// records accepted from then on are delivered under the new one.
func (s *Service) UpdateDestination(ctx context.Context, in *firehoseapi.UpdateDestinationInput) (*firehoseapi.UpdateDestinationOutput, error) {
	ds, err := s.lookup(ctx, in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	doc := *ds.doc
	if doc.DeletingMs != 0 {
		return nil, resourceInUse(&doc)
	}
	if in.CurrentDeliveryStreamVersionId != strconv.Itoa(doc.Version) {
		return nil, awserr.Newf("ConcurrentModificationException", "Cannot update firehose: %s since the current version id: %d and specified version id: %s do not match", doc.Name, doc.Version, in.CurrentDeliveryStreamVersionId)
	}
	if in.DestinationId != destinationID {
		return nil, invalidArgument("Destination Id %s not found.", in.DestinationId)
	}
	next, err := mergeUpdate(&doc.Dest, in)
	if err != nil {
		return nil, err
	}
	if err := checkUpdateRules(&doc.Dest, next); err != nil {
		return nil, err
	}
	if err := validateDestination(next); err != nil {
		return nil, err
	}
	doc.Dest = *next
	doc.Version++
	doc.UpdatedMs = s.now().UnixMilli()
	old := ds.pipe
	if old != nil {
		// Deliver what the old configuration buffered before the new one
		// takes over: its checkpoint then covers every record read so far.
		old.stop(true)
		ds.pipe = nil
	}
	if err := s.save(ctx, ds, &doc); err != nil {
		s.startPipeline(ds)
		return nil, err
	}
	s.startPipeline(ds)
	s.log.Info("delivery stream destination updated", "stream", doc.Name, "version", doc.Version)
	return &firehoseapi.UpdateDestinationOutput{}, nil
}

// mergeUpdate applies the update's fields to a copy of the current
// configuration. An update of another destination type replaces it.
func mergeUpdate(cur *destConfig, in *firehoseapi.UpdateDestinationInput) (*destConfig, error) {
	type pair struct {
		update  any
		current any
		set     func(*destConfig, map[string]any) error
	}
	n := 0
	var chosen *pair
	consider := func(p pair, given bool) {
		if given {
			n++
			chosen = &p
		}
	}
	consider(pair{in.S3DestinationUpdate, s3Current(cur), func(d *destConfig, m map[string]any) (err error) {
		d.ExtendedS3, err = fromMap[firehoseapi.ExtendedS3DestinationConfiguration](m)
		return err
	}}, in.S3DestinationUpdate != nil)
	consider(pair{in.ExtendedS3DestinationUpdate, s3Current(cur), func(d *destConfig, m map[string]any) (err error) {
		d.ExtendedS3, err = fromMap[firehoseapi.ExtendedS3DestinationConfiguration](m)
		return err
	}}, in.ExtendedS3DestinationUpdate != nil)
	consider(pair{in.RedshiftDestinationUpdate, cur.Redshift, func(d *destConfig, m map[string]any) (err error) {
		d.Redshift, err = fromMap[firehoseapi.RedshiftDestinationConfiguration](m)
		return err
	}}, in.RedshiftDestinationUpdate != nil)
	consider(pair{in.ElasticsearchDestinationUpdate, cur.Elasticsearch, func(d *destConfig, m map[string]any) (err error) {
		d.Elasticsearch, err = fromMap[firehoseapi.ElasticsearchDestinationConfiguration](m)
		return err
	}}, in.ElasticsearchDestinationUpdate != nil)
	consider(pair{in.AmazonopensearchserviceDestinationUpdate, cur.OpenSearch, func(d *destConfig, m map[string]any) (err error) {
		d.OpenSearch, err = fromMap[firehoseapi.AmazonopensearchserviceDestinationConfiguration](m)
		return err
	}}, in.AmazonopensearchserviceDestinationUpdate != nil)
	consider(pair{in.SplunkDestinationUpdate, cur.Splunk, func(d *destConfig, m map[string]any) (err error) {
		d.Splunk, err = fromMap[firehoseapi.SplunkDestinationConfiguration](m)
		return err
	}}, in.SplunkDestinationUpdate != nil)
	consider(pair{in.HttpEndpointDestinationUpdate, cur.HTTPEndpoint, func(d *destConfig, m map[string]any) (err error) {
		d.HTTPEndpoint, err = fromMap[firehoseapi.HttpEndpointDestinationConfiguration](m)
		return err
	}}, in.HttpEndpointDestinationUpdate != nil)
	if in.AmazonOpenSearchServerlessDestinationUpdate != nil || in.SnowflakeDestinationUpdate != nil || in.IcebergDestinationUpdate != nil {
		return nil, invalidArgument("That destination type is not supported by Freshet yet.")
	}
	if n != 1 {
		return nil, invalidArgument("Exactly one destination update must be specified; %d were given.", n)
	}
	base := map[string]any{}
	if !isNil(chosen.current) {
		m, err := toMap(chosen.current)
		if err != nil {
			return nil, err
		}
		base = m
	}
	upd, err := toMap(chosen.update)
	if err != nil {
		return nil, err
	}
	for from, to := range map[string]string{"S3Update": "S3Configuration", "S3BackupUpdate": "S3BackupConfiguration"} {
		if v, ok := upd[from]; ok {
			upd[to] = v
			delete(upd, from)
		}
	}
	deepMerge(base, upd)
	next := &destConfig{}
	if err := chosen.set(next, base); err != nil {
		return nil, invalidArgument("The destination update is not valid: %v", err)
	}
	return next, nil
}

func s3Current(cur *destConfig) any {
	if cur.ExtendedS3 == nil {
		return nil
	}
	return cur.ExtendedS3
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch p := v.(type) {
	case *firehoseapi.RedshiftDestinationConfiguration:
		return p == nil
	case *firehoseapi.ElasticsearchDestinationConfiguration:
		return p == nil
	case *firehoseapi.AmazonopensearchserviceDestinationConfiguration:
		return p == nil
	case *firehoseapi.SplunkDestinationConfiguration:
		return p == nil
	case *firehoseapi.HttpEndpointDestinationConfiguration:
		return p == nil
	case *firehoseapi.ExtendedS3DestinationConfiguration:
		return p == nil
	}
	return false
}

// deepMerge copies src into dst; objects merge member by member, anything
// else (arrays included) replaces.
func deepMerge(dst, src map[string]any) {
	for k, v := range src {
		sm, sok := v.(map[string]any)
		dm, dok := dst[k].(map[string]any)
		if sok && dok {
			deepMerge(dm, sm)
			continue
		}
		dst[k] = v
	}
}

// checkUpdateRules enforces what may not change: S3 backup cannot be
// turned off once on, and dynamic partitioning can be neither enabled nor
// disabled after creation.
func checkUpdateRules(cur, next *destConfig) error {
	if cur.ExtendedS3 == nil || next.ExtendedS3 == nil {
		return nil
	}
	if strOr(cur.ExtendedS3.S3BackupMode, backupDisabled) == backupEnabled && strOr(next.ExtendedS3.S3BackupMode, backupDisabled) != backupEnabled {
		return invalidArgument("S3 backup cannot be disabled once it has been enabled.")
	}
	dp := func(c *firehoseapi.ExtendedS3DestinationConfiguration) bool {
		return c.DynamicPartitioningConfiguration != nil && boolOr(c.DynamicPartitioningConfiguration.Enabled, false)
	}
	if dp(cur.ExtendedS3) != dp(next.ExtendedS3) {
		return invalidArgument("Dynamic partitioning can only be enabled when the delivery stream is created, and cannot be disabled.")
	}
	return nil
}
