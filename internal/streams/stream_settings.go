package streams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/storage"
)

// PutResourcePolicy attaches a resource policy to a stream. It is stored
// and returned; evaluating policies is the job of access control.
func (s *Service) PutResourcePolicy(ctx context.Context, in *kinesisapi.PutResourcePolicyInput) (*struct{}, error) {
	if !json.Valid([]byte(in.Policy)) {
		return nil, awserr.New("InvalidArgumentException", "Policy is not a valid JSON document.")
	}
	return s.setPolicy(ctx, in.ResourceARN, in.Policy)
}

// DeleteResourcePolicy removes a stream's resource policy.
func (s *Service) DeleteResourcePolicy(ctx context.Context, in *kinesisapi.DeleteResourcePolicyInput) (*struct{}, error) {
	return s.setPolicy(ctx, in.ResourceARN, "")
}

func (s *Service) setPolicy(ctx context.Context, arn, policy string) (*struct{}, error) {
	t, err := s.resolveResource(ctx, arn)
	if err != nil {
		return nil, err
	}
	st, _, err := s.get(t)
	if err != nil {
		return nil, err
	}
	if err := s.update(ctx, st, func(doc *streamDoc) error { doc.Policy = policy; return nil }); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// GetResourcePolicy returns a stream's resource policy, "{}" when it has none.
func (s *Service) GetResourcePolicy(ctx context.Context, in *kinesisapi.GetResourcePolicyInput) (*kinesisapi.GetResourcePolicyOutput, error) {
	t, err := s.resolveResource(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	_, state, err := s.get(t)
	if err != nil {
		return nil, err
	}
	policy := state.doc.Policy
	if policy == "" {
		policy = "{}"
	}
	return &kinesisapi.GetResourcePolicyOutput{Policy: policy}, nil
}

// UpdateMaxRecordSize sets the largest record the stream accepts (1 to 10 MiB).
func (s *Service) UpdateMaxRecordSize(ctx context.Context, in *kinesisapi.UpdateMaxRecordSizeInput) (*struct{}, error) {
	_, st, _, err := s.lookup(ctx, nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, st, func(doc *streamDoc) error {
		if err := s.requireActive(doc); err != nil {
			return err
		}
		doc.MaxRecordKiB = in.MaxRecordSizeInKiB
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UpdateStreamWarmThroughput records the warm throughput a stream should
// be ready for. Freshet has no capacity to warm; it stores and reports it.
func (s *Service) UpdateStreamWarmThroughput(ctx context.Context, in *kinesisapi.UpdateStreamWarmThroughputInput) (*kinesisapi.UpdateStreamWarmThroughputOutput, error) {
	_, st, _, err := s.lookup(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	out := &kinesisapi.UpdateStreamWarmThroughputOutput{}
	err = s.update(ctx, st, func(doc *streamDoc) error {
		if err := s.requireActive(doc); err != nil {
			return err
		}
		doc.WarmMiBps = in.WarmThroughputMiBps
		name, arn := doc.Name, doc.arn()
		out.StreamName, out.StreamARN, out.WarmThroughput = &name, &arn, warmThroughput(doc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func warmThroughput(doc *streamDoc) *kinesisapi.WarmThroughputObject {
	if doc.WarmMiBps == 0 {
		return nil
	}
	v := doc.WarmMiBps
	return &kinesisapi.WarmThroughputObject{TargetMiBps: &v, CurrentMiBps: &v}
}

// accountSettings is the account-level document behind
// DescribeAccountSettings and UpdateAccountSettings.
type accountSettings struct {
	Commitment string `json:"commitment"`
	StartedMs  int64  `json:"startedMs,omitempty"`
}

func accountKey(account string) string { return "kinesis/account/" + account }

func (s *Service) loadAccount(ctx context.Context, account string) (accountSettings, uint64, error) {
	var a accountSettings
	b, rev, err := s.meta.Get(ctx, accountKey(account))
	if errors.Is(err, storage.ErrNotFound) {
		return accountSettings{Commitment: "DISABLED"}, 0, nil
	}
	if err != nil {
		return a, 0, fmt.Errorf("streams: account settings: %w", err)
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, 0, fmt.Errorf("streams: account settings: %w", err)
	}
	return a, rev, nil
}

func (a accountSettings) output() *kinesisapi.MinimumThroughputBillingCommitmentOutput {
	out := &kinesisapi.MinimumThroughputBillingCommitmentOutput{Status: a.Commitment}
	if a.StartedMs != 0 {
		started := time.UnixMilli(a.StartedMs).UTC()
		out.StartedAt = &started
	}
	return out
}

// UpdateAccountSettings turns the minimum throughput billing commitment on
// or off. Freshet bills nothing; the setting is kept and reported.
func (s *Service) UpdateAccountSettings(ctx context.Context, in *kinesisapi.UpdateAccountSettingsInput) (*kinesisapi.UpdateAccountSettingsOutput, error) {
	account, _ := s.caller(ctx)
	a, rev, err := s.loadAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	a.Commitment = in.MinimumThroughputBillingCommitment.Status
	a.StartedMs = 0
	if a.Commitment == "ENABLED" {
		a.StartedMs = s.now().UnixMilli()
	}
	b, _ := json.Marshal(a)
	if _, err := s.meta.Put(ctx, accountKey(account), b, rev); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil, awserr.New("LimitExceededException", "Rate exceeded for UpdateAccountSettings; try again.")
		}
		return nil, fmt.Errorf("streams: account settings: %w", err)
	}
	return &kinesisapi.UpdateAccountSettingsOutput{MinimumThroughputBillingCommitment: a.output()}, nil
}
