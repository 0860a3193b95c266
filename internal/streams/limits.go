package streams

import (
	"context"

	"github.com/freshet/freshet/internal/api/kinesisapi"
)

// DescribeLimits reports the account's shard limit and usage in the region.
func (s *Service) DescribeLimits(ctx context.Context, _ *kinesisapi.DescribeLimitsInput) (*kinesisapi.DescribeLimitsOutput, error) {
	account, region := s.caller(ctx)
	out := &kinesisapi.DescribeLimitsOutput{ShardLimit: int64(s.opts.ShardLimit), OnDemandStreamCountLimit: onDemandStreamLimit}
	for _, state := range s.streamsIn(account, region) {
		out.OpenShardCount += int64(len(state.routes))
		if state.doc.Mode == modeOnDemand {
			out.OnDemandStreamCount++
		}
	}
	return out, nil
}

// DescribeAccountSettings reports account-level settings; Freshet has no
// minimum throughput billing commitment.
func (s *Service) DescribeAccountSettings(context.Context, *kinesisapi.DescribeAccountSettingsInput) (*kinesisapi.DescribeAccountSettingsOutput, error) {
	return &kinesisapi.DescribeAccountSettingsOutput{
		MinimumThroughputBillingCommitment: &kinesisapi.MinimumThroughputBillingCommitmentOutput{Status: "DISABLED"},
	}, nil
}

var _ kinesisapi.API = (*Service)(nil)
