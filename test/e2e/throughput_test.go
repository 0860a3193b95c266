package e2e

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestEnforcedThroughput: over a shard's 1 MiB/s, the excess entries of a
// PutRecords fail one by one with ProvisionedThroughputExceededException
// while the others in the same call are stored; reads over 5 calls/s are
// refused.
func TestEnforcedThroughput(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{enforce: true})
	createActive(t, c, "tp", 1)
	name := aws.String("tp")
	var recs []types.PutRecordsRequestEntry
	for i := 0; i < 500; i++ {
		recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: append([]byte(fmt.Sprintf("%04d", i)), bytes.Repeat([]byte("x"), 2500)...)})
	}
	out := must(c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: recs}))
	failed := int(*out.FailedRecordCount)
	if failed == 0 || failed == 500 {
		t.Fatalf("%d of 500 records (1.2 MiB) throttled; want some, not all", failed)
	}
	var stored []string
	n := 0
	for i, r := range out.Records {
		if r.ErrorCode != nil {
			n++
			if *r.ErrorCode != "ProvisionedThroughputExceededException" || *r.ErrorMessage != "Rate exceeded for shard shardId-000000000000 in stream tp under account 000000000000." || r.SequenceNumber != nil {
				t.Fatalf("entry %d: %v %v", i, *r.ErrorCode, *r.ErrorMessage)
			}
			continue
		}
		if r.SequenceNumber == nil {
			t.Fatalf("entry %d has neither error nor sequence number", i)
		}
		stored = append(stored, string(recs[i].Data[:4]))
	}
	if n != failed {
		t.Fatalf("FailedRecordCount %d, %d entries carry errors", failed, n)
	}
	// Exactly the accepted entries were stored, in order.
	it := must(c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).ShardIterator
	got := must(c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it}))
	var read []string
	for _, r := range got.Records {
		read = append(read, string(r.Data[:4]))
	}
	if fmt.Sprint(read) != fmt.Sprint(stored) {
		t.Fatalf("read %d records, %d were accepted", len(read), len(stored))
	}
	// Reads: five calls a second per shard, the sixth is refused.
	it = got.NextShardIterator
	var err error
	for i := 0; i < 6 && err == nil; i++ {
		var o *kinesis.GetRecordsOutput
		o, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
		if err == nil {
			it = o.NextShardIterator
		}
	}
	apiErr(t, err, "ProvisionedThroughputExceededException", "Rate exceeded for Shard - shardId-000000000000 in stream tp under account 000000000000.")
	// PutRecord over the limit fails as a whole (drain the budget first).
	must(c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: recs}))
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte("y"), 900<<10)})
	apiErr(t, err, "ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000 in stream tp under account 000000000000.")
}

// TestEnforcedFanOutRate: with --enforce-throughput a consumer receives at
// most about 2 MiB/s from one shard after a 2 MiB burst: 6 MiB already in
// the shard cannot all arrive in much under two seconds (the last event may
// overshoot the budget, so allow 1.2 s).
func TestEnforcedFanOutRate(t *testing.T) {
	name := aws.String("efo-rate")
	blob := bytes.Repeat([]byte("z"), 600<<10)
	c2, _, _ := startServer(t, serverOpts{enforce: true})
	createActive(t, c2, "efo-rate", 1)
	// Writes are limited to 1 MiB/s per shard there: spread them.
	for i := 0; i < 10; i++ {
		for {
			_, err := c2.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: blob})
			if err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/efo-rate"
	consumer := registerActive(t, c2, arn, "slow")
	start := time.Now()
	recs, _, _ := subscribe(t, c2, consumer, "shardId-000000000000", types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}, 10, 20*time.Second)
	if len(recs) != 10 {
		t.Fatalf("received %d of 10 records", len(recs))
	}
	if d := time.Since(start); d < 1200*time.Millisecond {
		t.Fatalf("6 MiB arrived in %v: faster than 2 MiB/s", d)
	}
}
