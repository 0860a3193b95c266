package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

var ctx = context.Background()

func createActive(t testing.TB, c *kinesis.Client, name string, shards int32) {
	t.Helper()
	must(c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}))
	w := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay = 10 * time.Millisecond
		o.MaxDelay = 50 * time.Millisecond
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestCreateDescribeDeleteLifecycle(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{stateDelay: 300 * time.Millisecond})
	must(c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("life"), ShardCount: aws.Int32(3)}))

	d := must(c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("life")}))
	if d.StreamDescription.StreamStatus != types.StreamStatusCreating || len(d.StreamDescription.Shards) != 0 {
		t.Fatalf("right after create: %s with %d shards, want CREATING with none", d.StreamDescription.StreamStatus, len(d.StreamDescription.Shards))
	}
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("life"), PartitionKey: aws.String("k"), Data: []byte("x")})
	apiErr(t, err, "ResourceNotFoundException", "Stream life under account 000000000000 not found.")
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("life")})
	apiErr(t, err, "ResourceInUseException", "")

	time.Sleep(350 * time.Millisecond)
	d = must(c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("life")}))
	sd := d.StreamDescription
	if sd.StreamStatus != types.StreamStatusActive || len(sd.Shards) != 3 || *sd.RetentionPeriodHours != 24 ||
		*sd.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/life" || sd.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
		t.Fatalf("active stream: %+v", sd)
	}
	// Shards tile the whole hash key space, in order.
	if *sd.Shards[0].HashKeyRange.StartingHashKey != "0" || *sd.Shards[2].HashKeyRange.EndingHashKey != "340282366920938463463374607431768211455" ||
		*sd.Shards[0].HashKeyRange.EndingHashKey != "113427455640312821154458202477256070484" || *sd.Shards[1].ShardId != "shardId-000000000001" {
		t.Fatalf("shards: %+v", sd.Shards)
	}

	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("life"), ShardCount: aws.Int32(1)})
	apiErr(t, err, "ResourceInUseException", "Stream life under account 000000000000 already exists.")

	must(c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("life")}))
	d = must(c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("life")}))
	if d.StreamDescription.StreamStatus != types.StreamStatusDeleting {
		t.Fatalf("after delete: %s", d.StreamDescription.StreamStatus)
	}
	time.Sleep(350 * time.Millisecond)
	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("life")})
	apiErr(t, err, "ResourceNotFoundException", "Stream life under account 000000000000 not found.")
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("life")})
	apiErr(t, err, "ResourceNotFoundException", "")
	// The name is free again.
	must(c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("life"), ShardCount: aws.Int32(1)}))
}

func TestCreateStreamValidation(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{shardLimit: 10})
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bad name!"), ShardCount: aws.Int32(1)})
	apiErr(t, err, "ValidationException", "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(strings.Repeat("a", 129)), ShardCount: aws.Int32(0)})
	apiErr(t, err, "ValidationException", "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '"+strings.Repeat("a", 129)+"' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128")

	createActive(t, c, "three", 3)
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("big"), ShardCount: aws.Int32(8)})
	apiErr(t, err, "LimitExceededException", "This request would exceed the shard limit for the account 000000000000 in us-east-1. Current shard count for the account: 3. Limit: 10. Number of additional shards that would have resulted from this request: 8. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.")
	createActive(t, c, "seven", 7) // exactly at the limit

	lim := must(c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{}))
	if *lim.ShardLimit != 10 || *lim.OpenShardCount != 10 || *lim.OnDemandStreamCount != 0 {
		t.Fatalf("limits: %+v", lim)
	}

	// ON_DEMAND streams start with 4 shards and need no ShardCount.
	c2, _, _ := startServer(t, serverOpts{})
	must(c2.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}))
	s := must(c2.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")}))
	if *s.StreamDescriptionSummary.OpenShardCount != 4 || s.StreamDescriptionSummary.StreamModeDetails.StreamMode != types.StreamModeOnDemand {
		t.Fatalf("on-demand summary: %+v", s.StreamDescriptionSummary)
	}
	lim = must(c2.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{}))
	if *lim.OnDemandStreamCount != 1 || *lim.ShardLimit != 500 {
		t.Fatalf("limits: %+v", lim)
	}
	acct := must(c2.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{}))
	if acct.MinimumThroughputBillingCommitment == nil || acct.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusDisabled {
		t.Fatalf("account settings: %+v", acct)
	}
}

func TestDescribeByARNAndPaging(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{})
	createActive(t, c, "pages", 5)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/pages"
	s := must(c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(arn)}))
	if *s.StreamDescriptionSummary.StreamName != "pages" || *s.StreamDescriptionSummary.OpenShardCount != 5 || *s.StreamDescriptionSummary.ConsumerCount != 0 {
		t.Fatalf("summary: %+v", s.StreamDescriptionSummary)
	}
	d := must(c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("pages"), Limit: aws.Int32(2)}))
	if len(d.StreamDescription.Shards) != 2 || !*d.StreamDescription.HasMoreShards {
		t.Fatalf("page 1: %d shards, more=%v", len(d.StreamDescription.Shards), *d.StreamDescription.HasMoreShards)
	}
	d = must(c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("pages"), Limit: aws.Int32(2), ExclusiveStartShardId: aws.String("shardId-000000000003")}))
	if len(d.StreamDescription.Shards) != 1 || *d.StreamDescription.Shards[0].ShardId != "shardId-000000000004" || *d.StreamDescription.HasMoreShards {
		t.Fatalf("last page: %+v", d.StreamDescription.Shards)
	}
	_, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("pages"), Limit: aws.Int32(0)})
	apiErr(t, err, "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope")})
	apiErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")

	// The SDK's paginator drives ListShards NextToken.
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String("pages"), MaxResults: aws.Int32(2)}
	for {
		page := must(c.ListShards(ctx, in))
		for _, sh := range page.Shards {
			ids = append(ids, *sh.ShardId)
		}
		if page.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: page.NextToken, MaxResults: aws.Int32(2)}
	}
	if fmt.Sprint(ids) != "[shardId-000000000000 shardId-000000000001 shardId-000000000002 shardId-000000000003 shardId-000000000004]" {
		t.Fatalf("paged shards: %v", ids)
	}
	ls := must(c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("pages"), ExclusiveStartShardId: aws.String("shardId-000000000002")}))
	if len(ls.Shards) != 2 || ls.NextToken != nil {
		t.Fatalf("after shard 2: %+v", ls.Shards)
	}
	ls = must(c.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: aws.String(arn), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000003")}}))
	if len(ls.Shards) != 1 || *ls.Shards[0].ShardId != "shardId-000000000004" {
		t.Fatalf("AFTER_SHARD_ID: %+v", ls.Shards)
	}
	for _, typ := range []types.ShardFilterType{types.ShardFilterTypeAtLatest, types.ShardFilterTypeAtTrimHorizon, types.ShardFilterTypeFromTrimHorizon} {
		ls = must(c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("pages"), ShardFilter: &types.ShardFilter{Type: typ}}))
		if len(ls.Shards) != 5 {
			t.Fatalf("%s: %d shards", typ, len(ls.Shards))
		}
	}
	ls = must(c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("pages"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(time.Now())}}))
	if len(ls.Shards) != 5 {
		t.Fatalf("AT_TIMESTAMP now: %d shards", len(ls.Shards))
	}
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("pages"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp}})
	apiErr(t, err, "InvalidArgumentException", "")
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("pages"), NextToken: ls.NextToken, MaxResults: aws.Int32(1)})
	if err != nil { // a nil NextToken is simply absent
		t.Fatal(err)
	}
	first := must(c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("pages"), MaxResults: aws.Int32(1)}))
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("pages"), NextToken: first.NextToken})
	apiErr(t, err, "InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{NextToken: aws.String("bm90IGEgdG9rZW4")})
	apiErr(t, err, "InvalidArgumentException", "Invalid NextToken.")
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{})
	apiErr(t, err, "InvalidArgumentException", "Either NextToken or StreamName should be provided.")
}

func TestListStreamsPaging(t *testing.T) {
	c, clk, _ := startServer(t, serverOpts{})
	for _, n := range []string{"c", "a", "e", "b", "d"} {
		createActive(t, c, n, 1)
	}
	var names []string
	p := kinesis.NewListStreamsPaginator(c, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page := must(p.NextPage(ctx))
		pages++
		if len(page.StreamSummaries) != len(page.StreamNames) {
			t.Fatalf("summaries %d vs names %d", len(page.StreamSummaries), len(page.StreamNames))
		}
		names = append(names, page.StreamNames...)
	}
	if fmt.Sprint(names) != "[a b c d e]" || pages != 3 {
		t.Fatalf("names %v in %d pages", names, pages)
	}
	l := must(c.ListStreams(ctx, &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String("c")}))
	if fmt.Sprint(l.StreamNames) != "[d e]" || *l.HasMoreStreams {
		t.Fatalf("after c: %v", l.StreamNames)
	}
	s := l.StreamSummaries[0]
	if *s.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/d" || s.StreamStatus != types.StreamStatusActive || s.StreamCreationTimestamp == nil {
		t.Fatalf("summary: %+v", s)
	}
	page := must(c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)}))
	clk.advance(301 * time.Second)
	_, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: page.NextToken})
	apiErr(t, err, "ExpiredNextTokenException", "")
	// Streams are per region: a client in another region sees none of them.
	other := newClientRegion(t, c, "eu-west-1")
	l = must(other.ListStreams(ctx, &kinesis.ListStreamsInput{}))
	if len(l.StreamNames) != 0 {
		t.Fatalf("eu-west-1 sees %v", l.StreamNames)
	}
}

func newClientRegion(t *testing.T, c *kinesis.Client, region string) *kinesis.Client {
	t.Helper()
	o := c.Options()
	o.Region = region
	return kinesis.New(o)
}

func TestRetentionAndTags(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{})
	createActive(t, c, "keep", 1)
	name := aws.String("keep")
	must(c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(48)}))
	_, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(36)})
	apiErr(t, err, "InvalidArgumentException", "Requested retention period (36 hours) for stream keep can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API.")
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(8761)})
	apiErr(t, err, "InvalidArgumentException", "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.")
	_, err = c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(23)})
	apiErr(t, err, "InvalidArgumentException", "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.")
	_, err = c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(72)})
	apiErr(t, err, "InvalidArgumentException", "Requested retention period (72 hours) for stream keep can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API.")
	must(c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(24)}))
	s := must(c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name}))
	if *s.StreamDescriptionSummary.RetentionPeriodHours != 24 {
		t.Fatalf("retention %d", *s.StreamDescriptionSummary.RetentionPeriodHours)
	}
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("nope"), RetentionPeriodHours: aws.Int32(48)})
	apiErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")

	must(c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"team": "data", "env": "dev", "cost": "1"}}))
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/keep")
	must(c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"owner": "me"}}))
	lt := must(c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: name, Limit: aws.Int32(2)}))
	if len(lt.Tags) != 2 || *lt.Tags[0].Key != "cost" || *lt.Tags[1].Key != "env" || !*lt.HasMoreTags {
		t.Fatalf("tags page 1: %+v more=%v", lt.Tags, *lt.HasMoreTags)
	}
	lt = must(c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: name, ExclusiveStartTagKey: aws.String("env")}))
	if len(lt.Tags) != 2 || *lt.Tags[0].Key != "owner" || *lt.Tags[1].Value != "data" || *lt.HasMoreTags {
		t.Fatalf("tags page 2: %+v", lt.Tags)
	}
	must(c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: name, TagKeys: []string{"cost", "absent"}}))
	must(c.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"env"}}))
	lr := must(c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn}))
	if len(lr.Tags) != 2 || *lr.Tags[0].Key != "owner" || *lr.Tags[1].Key != "team" {
		t.Fatalf("tags after removal: %+v", lr.Tags)
	}
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"bad": "a*b"}})
	apiErr(t, err, "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
	many := map[string]string{}
	for i := 0; i < 49; i++ {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: many})
	apiErr(t, err, "InvalidArgumentException", "Failed to add tags to stream keep under account 000000000000 because a given stream cannot have more than 50 tags.")
	_, err = c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope")})
	apiErr(t, err, "ResourceNotFoundException", "")
}
