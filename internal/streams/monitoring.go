package streams

import (
	"context"
	"slices"

	"github.com/freshet/freshet/internal/api/kinesisapi"
)

// allMetrics are the shard-level metrics "ALL" stands for, in AWS's order.
var allMetrics = []string{"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
	"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"}

// EnableEnhancedMonitoring turns shard-level metrics on.
func (s *Service) EnableEnhancedMonitoring(ctx context.Context, in *kinesisapi.EnableEnhancedMonitoringInput) (*kinesisapi.EnhancedMonitoringOutput, error) {
	return s.setMonitoring(ctx, in.StreamName, in.StreamARN, in.ShardLevelMetrics, true)
}

// DisableEnhancedMonitoring turns shard-level metrics off.
func (s *Service) DisableEnhancedMonitoring(ctx context.Context, in *kinesisapi.DisableEnhancedMonitoringInput) (*kinesisapi.EnhancedMonitoringOutput, error) {
	return s.setMonitoring(ctx, in.StreamName, in.StreamARN, in.ShardLevelMetrics, false)
}

func (s *Service) setMonitoring(ctx context.Context, name, arn *string, metrics []string, on bool) (*kinesisapi.EnhancedMonitoringOutput, error) {
	_, st, _, err := s.lookup(ctx, name, arn)
	if err != nil {
		return nil, err
	}
	if slices.Contains(metrics, "ALL") {
		metrics = allMetrics
	}
	out := &kinesisapi.EnhancedMonitoringOutput{}
	err = s.update(ctx, st, func(doc *streamDoc) error {
		if err := s.requireActive(doc); err != nil {
			return err
		}
		out.CurrentShardLevelMetrics = append([]string{}, doc.Metrics...)
		var next []string
		for _, m := range allMetrics { // keep AWS's order
			has := slices.Contains(doc.Metrics, m)
			named := slices.Contains(metrics, m)
			if (on && (has || named)) || (!on && has && !named) {
				next = append(next, m)
			}
		}
		doc.Metrics = next
		out.DesiredShardLevelMetrics = append([]string{}, next...)
		name, arn := doc.Name, doc.arn()
		out.StreamName, out.StreamARN = &name, &arn
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
