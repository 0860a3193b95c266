package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func registerActive(t *testing.T, c *kinesis.Client, streamARN, name string) string {
	t.Helper()
	reg := must(c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN), ConsumerName: aws.String(name)}))
	return *reg.Consumer.ConsumerARN
}

// subscribe collects the records of one SubscribeToShard until want
// records arrived or the stream ended, and reports how it ended.
func subscribe(t *testing.T, c *kinesis.Client, consumerARN, shard string, pos types.StartingPosition, want int, timeout time.Duration) (records []types.Record, events []*types.SubscribeToShardEvent, ended bool) {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := c.SubscribeToShard(cctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(consumerARN), ShardId: aws.String(shard), StartingPosition: &pos})
	if err != nil {
		t.Fatal(err)
	}
	stream := out.GetStream()
	defer stream.Close()
	for ev := range stream.Events() {
		e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !ok {
			t.Fatalf("unexpected event %T", ev)
		}
		events = append(events, &e.Value)
		records = append(records, e.Value.Records...)
		if want > 0 && len(records) >= want {
			return records, events, false
		}
	}
	if err := stream.Err(); err != nil && cctx.Err() == nil {
		t.Fatalf("stream error: %v", err)
	}
	return records, events, cctx.Err() == nil
}

func TestSubscribeToShardPushesRecords(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{})
	createActive(t, c, "sub", 1)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/sub"
	one := registerActive(t, c, arn, "one")
	two := registerActive(t, c, arn, "two")
	for i := 0; i < 5; i++ {
		must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("sub"), PartitionKey: aws.String("k"), Data: []byte(fmt.Sprintf("old-%d", i))}))
	}
	// Two consumers read the same data independently.
	for _, consumer := range []string{one, two} {
		recs, events, _ := subscribe(t, c, consumer, "shardId-000000000000", types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}, 5, 5*time.Second)
		if len(recs) != 5 || string(recs[0].Data) != "old-0" || string(recs[4].Data) != "old-4" {
			t.Fatalf("%s read %d records", consumer, len(recs))
		}
		last := events[len(events)-1]
		if *last.ContinuationSequenceNumber != *recs[4].SequenceNumber {
			t.Fatalf("continuation %s, last record %s", *last.ContinuationSequenceNumber, *recs[4].SequenceNumber)
		}
	}
	// A second subscription for the same consumer and shard within 5 s is refused.
	_, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(one), ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	apiErr(t, err, "ResourceInUseException", "")

	// New records are pushed as they are written: measure how soon.
	three := registerActive(t, c, arn, "three")
	got := make(chan time.Duration, 10)
	go func() {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		out, err := c.SubscribeToShard(cctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(three), ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		defer out.GetStream().Close()
		for ev := range out.GetStream().Events() {
			e := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			for _, r := range e.Value.Records {
				var sent int64
				fmt.Sscan(string(r.Data), &sent)
				got <- time.Since(time.Unix(0, sent))
			}
		}
		close(got)
	}()
	time.Sleep(300 * time.Millisecond) // let the subscription start
	var worst time.Duration
	for i := 0; i < 5; i++ {
		must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("sub"), PartitionKey: aws.String("k"), Data: []byte(fmt.Sprint(time.Now().UnixNano()))}))
		select {
		case d, ok := <-got:
			if !ok {
				t.Fatal("subscription ended early")
			}
			worst = max(worst, d)
		case <-time.After(3 * time.Second):
			t.Fatal("record not pushed within 3 s")
		}
	}
	// Pushed, not polled on a timer: well under the 5 s heartbeat.
	if worst > time.Second {
		t.Fatalf("slowest push took %v", worst)
	}
	_, err = c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn + "/consumer/nope:1"), ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	apiErr(t, err, "ResourceNotFoundException", "")
}

func TestSubscribeToShardFollowsReshardAndEnds(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{subLife: 2 * time.Second})
	createActive(t, c, "rsub", 1)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/rsub"
	consumer := registerActive(t, c, arn, "c")
	must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("rsub"), PartitionKey: aws.String("k"), Data: []byte("before")}))
	must(c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("rsub"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}))
	put := must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("rsub"), PartitionKey: aws.String("k"), Data: []byte("after")}))

	// The parent's subscription delivers its record, then ChildShards, then ends.
	recs, events, ended := subscribe(t, c, consumer, "shardId-000000000000", types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}, 0, 5*time.Second)
	if !ended || len(recs) != 1 || string(recs[0].Data) != "before" {
		t.Fatalf("parent: %d records, ended %v", len(recs), ended)
	}
	children := events[len(events)-1].ChildShards
	if len(children) != 2 {
		t.Fatalf("child shards: %+v", children)
	}
	// Follow to the child that holds the key; its subscription ends after
	// the (shortened) lifetime.
	time.Sleep(5 * time.Second) // AWS's one-call-per-5-s rule applies per shard; a child is a new shard
	start := time.Now()
	recs, _, ended = subscribe(t, c, consumer, *put.ShardId, types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}, 0, 10*time.Second)
	if !ended || len(recs) != 1 || string(recs[0].Data) != "after" {
		t.Fatalf("child: %d records, ended %v", len(recs), ended)
	}
	if d := time.Since(start); d < 1500*time.Millisecond || d > 5*time.Second {
		t.Fatalf("subscription lasted %v, want about 2 s", d)
	}
}
