package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// readLineage reads a whole stream the way KCL does: a shard is read only
// after its parents ended, following ChildShards. It returns the data per
// partition key in the order read.
func readLineage(t *testing.T, c *kinesis.Client, name string) map[string][]string {
	t.Helper()
	shards := must(c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})).Shards
	byID := map[string]types.Shard{}
	for _, sh := range shards {
		byID[*sh.ShardId] = sh
	}
	done := map[string]bool{}
	perKey := map[string][]string{}
	for len(done) < len(shards) {
		progressed := false
		for _, sh := range shards {
			id := *sh.ShardId
			if done[id] {
				continue
			}
			ready := true
			for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
				if p != nil && !done[*p] {
					if _, known := byID[*p]; known {
						ready = false
					}
				}
			}
			if !ready {
				continue
			}
			it := must(c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).ShardIterator
			for it != nil {
				out := must(c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it}))
				for _, r := range out.Records {
					perKey[*r.PartitionKey] = append(perKey[*r.PartitionKey], string(r.Data))
				}
				if out.NextShardIterator == nil {
					if sh.SequenceNumberRange.EndingSequenceNumber == nil {
						t.Fatalf("open shard %s ended", id)
					}
					for _, child := range out.ChildShards {
						if _, ok := byID[*child.ShardId]; !ok {
							t.Fatalf("%s names unknown child %s", id, *child.ShardId)
						}
					}
					break
				}
				if len(out.Records) == 0 {
					if sh.SequenceNumberRange.EndingSequenceNumber != nil {
						t.Fatalf("closed shard %s never ended", id)
					}
					break // the tip of an open shard
				}
				it = out.NextShardIterator
			}
			done[id] = true
			progressed = true
		}
		if !progressed {
			t.Fatal("lineage has a cycle or a missing parent")
		}
	}
	return perKey
}

func TestReshardingEndToEnd(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{stateDelay: 100 * time.Millisecond})
	createActive(t, c, "rs", 2)
	name := aws.String("rs")
	n := 0
	put := func() {
		var recs []types.PutRecordsRequestEntry
		for k := 0; k < 8; k++ {
			recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", k)), Data: []byte(fmt.Sprint(n))})
		}
		n++
		must(c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: recs}))
	}
	waitActive := func() {
		w := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) {
			o.MinDelay = 20 * time.Millisecond
			o.MaxDelay = 50 * time.Millisecond
		})
		if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: name}, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	put()
	must(c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("85070591730234615865843651857942052864")}))
	s := must(c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name}))
	if s.StreamDescriptionSummary.StreamStatus != types.StreamStatusUpdating || *s.StreamDescriptionSummary.OpenShardCount != 3 {
		t.Fatalf("after split: %s with %d open shards", s.StreamDescriptionSummary.StreamStatus, *s.StreamDescriptionSummary.OpenShardCount)
	}
	_, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: name, ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000003")})
	apiErr(t, err, "ResourceInUseException", "Stream rs under account 000000000000 not ACTIVE, instead in state UPDATING")
	put()
	waitActive()
	must(c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: name, ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000003")}))
	put()
	waitActive()
	up := must(c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: name, TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling}))
	if *up.CurrentShardCount != 2 || *up.TargetShardCount != 4 || *up.StreamName != "rs" {
		t.Fatalf("UpdateShardCount: %+v", up)
	}
	put()
	waitActive()
	must(c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: name, TargetShardCount: aws.Int32(3), ScalingType: types.ScalingTypeUniformScaling}))
	put()
	waitActive()
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: name, TargetShardCount: aws.Int32(7), ScalingType: types.ScalingTypeUniformScaling})
	apiErr(t, err, "LimitExceededException", "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 3 Target shard count: 7")

	s = must(c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name}))
	if *s.StreamDescriptionSummary.OpenShardCount != 3 {
		t.Fatalf("open shards: %d", *s.StreamDescriptionSummary.OpenShardCount)
	}
	perKey := readLineage(t, c, "rs")
	for k := 0; k < 8; k++ {
		got := fmt.Sprint(perKey[fmt.Sprintf("key-%d", k)])
		if got != "[0 1 2 3 4]" {
			t.Errorf("key-%d read as %s, want [0 1 2 3 4]", k, got)
		}
	}
	// Open shards tile the hash key space exactly.
	open := must(c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name, ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})).Shards
	if len(open) != 3 {
		t.Fatalf("AT_LATEST: %d shards", len(open))
	}
}

// TestAtTimestampAcrossShards: AT_TIMESTAMP iterators on every shard —
// parents and children of a split — start at the first record that
// arrived at or after the timestamp.
func TestAtTimestampAcrossShards(t *testing.T) {
	c, clk, _ := startServer(t, serverOpts{})
	createActive(t, c, "ts", 2)
	name := aws.String("ts")
	put := func(tag string) {
		var recs []types.PutRecordsRequestEntry
		for k := 0; k < 6; k++ {
			recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", k)), Data: []byte(tag)})
		}
		must(c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: recs}))
	}
	put("early")
	clk.advance(10 * time.Second)
	at := time.Now().Add(-time.Second).Add(10 * time.Second) // the server's clock, a second ago
	put("late")
	must(c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("85070591730234615865843651857942052864")}))
	clk.advance(10 * time.Second)
	put("child")
	shards := must(c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name})).Shards
	seen := map[string]int{}
	for _, sh := range shards {
		it := must(c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(at)})).ShardIterator
		for it != nil {
			out := must(c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it}))
			for _, r := range out.Records {
				seen[string(r.Data)]++
				if r.ApproximateArrivalTimestamp.Before(at) {
					t.Fatalf("%s: record from %v before %v", *sh.ShardId, r.ApproximateArrivalTimestamp, at)
				}
			}
			if len(out.Records) == 0 {
				break
			}
			it = out.NextShardIterator
		}
	}
	if seen["early"] != 0 || seen["late"] != 6 || seen["child"] != 6 {
		t.Fatalf("AT_TIMESTAMP read %v; want no early, 6 late, 6 child", seen)
	}
}
