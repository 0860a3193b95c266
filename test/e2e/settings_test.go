package e2e

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestStreamSettings(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{})
	createActive(t, c, "cfg", 1)
	name := aws.String("cfg")
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/cfg")

	// Enhanced monitoring.
	on := must(c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameIteratorAgeMilliseconds}}))
	if len(on.CurrentShardLevelMetrics) != 0 || fmt.Sprint(on.DesiredShardLevelMetrics) != "[IncomingBytes IteratorAgeMilliseconds]" {
		t.Fatalf("enable: %+v", on)
	}
	all := must(c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}}))
	if len(all.DesiredShardLevelMetrics) != 7 {
		t.Fatalf("ALL: %v", all.DesiredShardLevelMetrics)
	}
	off := must(c.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}}))
	if len(off.DesiredShardLevelMetrics) != 6 || len(off.CurrentShardLevelMetrics) != 7 {
		t.Fatalf("disable: %+v", off)
	}
	d := must(c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name}))
	if len(d.StreamDescription.EnhancedMonitoring) != 1 || len(d.StreamDescription.EnhancedMonitoring[0].ShardLevelMetrics) != 6 {
		t.Fatalf("describe: %+v", d.StreamDescription.EnhancedMonitoring)
	}

	// Resource policies.
	p := must(c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn}))
	if *p.Policy != "{}" {
		t.Fatalf("no policy yet: %s", *p.Policy)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kinesis:GetRecords","Resource":"` + *arn + `"}]}`
	must(c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(doc)}))
	if p := must(c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})); *p.Policy != doc {
		t.Fatalf("policy round trip: %s", *p.Policy)
	}
	_, err := c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String("{not json")})
	apiErr(t, err, "InvalidArgumentException", "")
	must(c.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn}))
	if p := must(c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})); *p.Policy != "{}" {
		t.Fatalf("after delete: %s", *p.Policy)
	}

	// Max record size: 2 MiB records pass once the stream allows them.
	big := bytes.Repeat([]byte("z"), 2<<20)
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: big})
	apiErr(t, err, "ValidationException", "")
	_, err = c.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(512)})
	apiErr(t, err, "ValidationException", "1 validation error detected: Value '512' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024")
	must(c.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(4096)}))
	must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: big}))
	s := must(c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name}))
	if *s.StreamDescriptionSummary.MaxRecordSizeInKiB != 4096 {
		t.Fatalf("max record size %d", *s.StreamDescriptionSummary.MaxRecordSizeInKiB)
	}

	// Warm throughput and account settings are kept and reported.
	w := must(c.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamName: name, WarmThroughputMiBps: aws.Int32(50)}))
	if *w.WarmThroughput.TargetMiBps != 50 {
		t.Fatalf("warm: %+v", w.WarmThroughput)
	}
	if s := must(c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})); s.StreamDescriptionSummary.WarmThroughput == nil || *s.StreamDescriptionSummary.WarmThroughput.TargetMiBps != 50 {
		t.Fatalf("summary warm: %+v", s.StreamDescriptionSummary.WarmThroughput)
	}
	u := must(c.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}}))
	if u.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled || u.MinimumThroughputBillingCommitment.StartedAt == nil {
		t.Fatalf("account settings: %+v", u.MinimumThroughputBillingCommitment)
	}
	if a := must(c.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})); a.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled {
		t.Fatalf("describe account: %+v", a.MinimumThroughputBillingCommitment)
	}
}
