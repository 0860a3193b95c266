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

// DescribeAccountSettings reports account-level settings.
func (s *Service) DescribeAccountSettings(ctx context.Context, _ *kinesisapi.DescribeAccountSettingsInput) (*kinesisapi.DescribeAccountSettingsOutput, error) {
	account, _ := s.caller(ctx)
	a, _, err := s.loadAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	return &kinesisapi.DescribeAccountSettingsOutput{MinimumThroughputBillingCommitment: a.output()}, nil
}

var _ kinesisapi.API = (*Service)(nil)
