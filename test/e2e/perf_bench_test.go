package e2e

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Benchmarks for issue #3's performance table. Each iteration runs a whole
// scenario against an in-process server with the embedded store:
//
//	go test -run '^$' -bench 'SubscribeToShard|UpdateShardCount' -benchtime 1x ./test/e2e

// BenchmarkSubscribeToShardLatency: end-to-end latency (put call start to
// the record's arrival at an enhanced fan-out consumer) at 1,000 records/s,
// PutRecords of 10 every 10 ms, for 5 s.
func BenchmarkSubscribeToShardLatency(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, _, _ := startServer(b, serverOpts{dataDir: b.TempDir()})
		createActive(b, c, "lat", 1)
		arn := "arn:aws:kinesis:us-east-1:000000000000:stream/lat"
		reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("lat")})
		if err != nil {
			b.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		out, err := c.SubscribeToShard(sctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
		if err != nil {
			b.Fatal(err)
		}
		lat := make(chan []time.Duration, 1)
		go func() {
			var ds []time.Duration
			for ev := range out.GetStream().Events() {
				e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
				if !ok {
					continue
				}
				now := time.Now()
				for _, r := range e.Value.Records {
					ns, _ := strconv.ParseInt(string(r.Data[:19]), 10, 64)
					ds = append(ds, now.Sub(time.Unix(0, ns)))
				}
			}
			lat <- ds
		}()
		tick := time.NewTicker(10 * time.Millisecond)
		end := time.Now().Add(5 * time.Second)
		sent := 0
		for now := range tick.C {
			if now.After(end) {
				break
			}
			stamp := fmt.Sprintf("%019d", time.Now().UnixNano())
			var recs []types.PutRecordsRequestEntry
			for j := 0; j < 10; j++ {
				recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte(stamp + "-payload-of-about-one-hundred-bytes-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")})
			}
			if _, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("lat"), Records: recs}); err != nil {
				b.Fatal(err)
			}
			sent += 10
		}
		tick.Stop()
		time.Sleep(200 * time.Millisecond)
		cancel()
		ds := <-lat
		if len(ds) < sent*9/10 {
			b.Fatalf("received %d of %d records", len(ds), sent)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(ms(ds[len(ds)/2]), "e2e-p50-ms")
		b.ReportMetric(ms(ds[len(ds)*99/100]), "e2e-p99-ms")
		b.ReportMetric(float64(len(ds))/5, "records/s")
	}
}

// BenchmarkUpdateShardCount: UpdateShardCount from 64 to 128 shards, timed
// until the stream is ACTIVE with 128 open shards (--state-delay 0).
func BenchmarkUpdateShardCount(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, _, _ := startServer(b, serverOpts{shardLimit: 1000, dataDir: b.TempDir()})
		createActive(b, c, "wide", 64)
		start := time.Now()
		if _, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("wide"), TargetShardCount: aws.Int32(128), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
			b.Fatal(err)
		}
		for {
			s, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("wide")})
			if err != nil {
				b.Fatal(err)
			}
			if s.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive && *s.StreamDescriptionSummary.OpenShardCount == 128 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-to-128-shards")
	}
}
