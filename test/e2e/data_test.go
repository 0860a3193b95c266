package e2e

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func iter(t *testing.T, c *kinesis.Client, in *kinesis.GetShardIteratorInput) *string {
	t.Helper()
	return must(c.GetShardIterator(ctx, in)).ShardIterator
}

func seqLess(a, b string) bool {
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	return x.Cmp(y) < 0
}

func TestPutGetRoundTrip(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{})
	createActive(t, c, "data", 2)
	name := aws.String("data")

	// 1,000 records in two PutRecords calls, plus single PutRecords.
	var entries []types.PutRecordsRequestEntry
	for i := 0; i < 1000; i++ {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("pk-%d", i%37)), Data: []byte(fmt.Sprintf("record-%04d", i))})
	}
	perShard := map[string][]string{} // shard -> payloads in put order
	seqOf := map[string]string{}
	for _, batch := range [][]types.PutRecordsRequestEntry{entries[:500], entries[500:]} {
		out := must(c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: batch}))
		if *out.FailedRecordCount != 0 || len(out.Records) != len(batch) {
			t.Fatalf("failed %d of %d", *out.FailedRecordCount, len(out.Records))
		}
		for i, r := range out.Records {
			perShard[*r.ShardId] = append(perShard[*r.ShardId], string(batch[i].Data))
			seqOf[string(batch[i].Data)] = *r.SequenceNumber
		}
	}
	if len(perShard) != 2 {
		t.Fatalf("records landed on %d shards, want 2", len(perShard))
	}
	single := must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("pk-0"), Data: []byte("single")}))
	perShard[*single.ShardId] = append(perShard[*single.ShardId], "single")
	seqOf["single"] = *single.SequenceNumber

	for shard, want := range perShard {
		it := iter(t, c, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		var got []string
		prev := ""
		for calls := 0; ; calls++ {
			out := must(c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(100)}))
			for _, r := range out.Records {
				got = append(got, string(r.Data))
				if seqOf[string(r.Data)] != *r.SequenceNumber {
					t.Fatalf("%s: sequence number %s, put returned %s", r.Data, *r.SequenceNumber, seqOf[string(r.Data)])
				}
				if prev != "" && !seqLess(prev, *r.SequenceNumber) {
					t.Fatalf("sequence numbers not increasing: %s then %s", prev, *r.SequenceNumber)
				}
				prev = *r.SequenceNumber
				if r.ApproximateArrivalTimestamp == nil || time.Since(*r.ApproximateArrivalTimestamp) > time.Minute {
					t.Fatalf("arrival timestamp %v", r.ApproximateArrivalTimestamp)
				}
			}
			if len(out.Records) > 0 && len(got) < len(want) && *out.MillisBehindLatest < 0 {
				t.Fatalf("MillisBehindLatest %d", *out.MillisBehindLatest)
			}
			it = out.NextShardIterator
			if len(out.Records) == 0 {
				if *out.MillisBehindLatest != 0 {
					t.Fatalf("caught up but MillisBehindLatest %d", *out.MillisBehindLatest)
				}
				break
			}
			if calls > 100 {
				t.Fatal("no end")
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: read %d records, put %d, or out of order", shard, len(got), len(want))
		}
	}

	// Iterator types.
	shard := aws.String(*single.ShardId)
	read1 := func(it *string) string {
		out := must(c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1)}))
		if len(out.Records) == 0 {
			return ""
		}
		return string(out.Records[0].Data)
	}
	if got := read1(iter(t, c, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: shard, ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: single.SequenceNumber})); got != "single" {
		t.Fatalf("AT_SEQUENCE_NUMBER read %q", got)
	}
	if got := read1(iter(t, c, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: shard, ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: single.SequenceNumber})); got != "" {
		t.Fatalf("AFTER_SEQUENCE_NUMBER of the last record read %q", got)
	}
	latest := iter(t, c, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: shard, ShardIteratorType: types.ShardIteratorTypeLatest})
	must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("pk-0"), Data: []byte("after-latest")}))
	if got := read1(latest); got != "after-latest" {
		t.Fatalf("LATEST read %q", got)
	}
	if got := read1(iter(t, c, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: shard, ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(time.Now().Add(time.Hour))})); got != "" {
		t.Fatalf("AT_TIMESTAMP in the future read %q", got)
	}
	if got := read1(iter(t, c, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: shard, ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(time.Now().Add(-time.Hour))})); got != perShard[*shard][0] {
		t.Fatalf("AT_TIMESTAMP an hour ago read %q, want the first record %q", got, perShard[*shard][0])
	}
}

func TestExplicitHashKeyRouting(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{})
	createActive(t, c, "hk", 4)
	name := aws.String("hk")
	cases := map[string]string{
		"0":                                       "shardId-000000000000",
		"85070591730234615865843651857942052863":  "shardId-000000000000",
		"85070591730234615865843651857942052864":  "shardId-000000000001",
		"340282366920938463463374607431768211455": "shardId-000000000003",
	}
	for key, want := range cases {
		out := must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("any"), ExplicitHashKey: aws.String(key), Data: []byte("x")}))
		if *out.ShardId != want {
			t.Errorf("hash key %s went to %s, want %s", key, *out.ShardId, want)
		}
	}
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("any"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456"), Data: []byte("x")})
	apiErr(t, err, "InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456")
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("any"), ExplicitHashKey: aws.String("-1"), Data: []byte("x")})
	apiErr(t, err, "ValidationException", "1 validation error detected: Value '-1' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")
	// Partition key "a" hashes (MD5) to 0x0cc175b9…, in the first quarter.
	out := must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("a"), Data: []byte("x")}))
	if *out.ShardId != "shardId-000000000000" {
		t.Fatalf("partition key a went to %s", *out.ShardId)
	}
}

func TestPutErrors(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{})
	createActive(t, c, "err", 1)
	name := aws.String("err")
	big := bytes.Repeat([]byte("x"), 1<<20+1)
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: big})
	apiErr(t, err, "ValidationException", "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576")
	must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: big[:1<<20]}))

	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("k"), Data: []byte("ok")}, {PartitionKey: aws.String("k"), Data: big}}})
	apiErr(t, err, "ValidationException", "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576")

	var six []types.PutRecordsRequestEntry
	for i := 0; i < 6; i++ {
		six = append(six, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: big[:1<<20-10]})
	}
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: six})
	apiErr(t, err, "InvalidArgumentException", "Records size exceeds 5 MB limit")

	var many []types.PutRecordsRequestEntry
	for i := 0; i < 501; i++ {
		many = append(many, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")})
	}
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: many})
	apiErr(t, err, "ValidationException", "")
	if !strings.Contains(err.Error(), "Member must have length less than or equal to 500") {
		t.Fatalf("501 records: %v", err)
	}
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("nope"), Records: many[:1]})
	apiErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: []byte("x"), SequenceNumberForOrdering: aws.String("123")})
	apiErr(t, err, "InvalidArgumentException", "ExclusiveMinimumSequenceNumber 123 used in PutRecord on stream err under account 000000000000 is invalid.")
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String(""), Data: []byte("x")})
	apiErr(t, err, "ValidationException", "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1")
}

func TestIteratorErrors(t *testing.T) {
	c, clk, _ := startServer(t, serverOpts{})
	createActive(t, c, "it", 2)
	createActive(t, c, "other", 1)
	name := aws.String("it")
	put := must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("0"), Data: []byte("x")}))
	must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("other"), PartitionKey: aws.String("k"), Data: []byte("x")}))

	_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber})
	apiErr(t, err, "InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.")
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeLatest, StartingSequenceNumber: put.SequenceNumber})
	apiErr(t, err, "InvalidArgumentException", "")
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000001"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: put.SequenceNumber})
	apiErr(t, err, "InvalidArgumentException", "Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in a call to a shard with shardId-000000000001")
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String("12345")})
	apiErr(t, err, "InvalidArgumentException", "StartingSequenceNumber 12345 used in GetShardIterator on shard shardId-000000000000 in stream it under account 000000000000 is invalid.")
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000005"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	apiErr(t, err, "ResourceNotFoundException", "Shard shardId-000000000005 in stream it under account 000000000000 does not exist")
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("bogus"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	apiErr(t, err, "ResourceNotFoundException", "Could not find shard bogus in stream it under account 000000000000.")
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtTimestamp})
	apiErr(t, err, "InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
	// "1" names shard 0's sibling by number, as AWS accepts.
	must(c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("1"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon}))

	// Tampered and foreign iterators are refused.
	it := iter(t, c, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	tampered := []byte(*it)
	tampered[10] ^= 1
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(string(tampered))})
	apiErr(t, err, "InvalidArgumentException", "Invalid ShardIterator.")
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAAAAAAAE=")})
	apiErr(t, err, "InvalidArgumentException", "Invalid ShardIterator.")
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(10001)})
	apiErr(t, err, "ValidationException", "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000")

	// Iterators expire after five minutes, in AWS's words.
	clk.advance(5*time.Minute + time.Second)
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	apiErr(t, err, "ExpiredIteratorException", "")
	if !strings.Contains(err.Error(), "which is further in the future than the tolerated delay of 300000 milliseconds") {
		t.Fatalf("expired: %v", err)
	}
	// A deleted stream's iterators no longer resolve.
	it = iter(t, c, &kinesis.GetShardIteratorInput{StreamName: aws.String("other"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	must(c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("other")}))
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	apiErr(t, err, "ResourceNotFoundException", "")
}
