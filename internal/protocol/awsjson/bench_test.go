package awsjson_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awsjson"
)

const benchRecords = 500

// putRecordsBody is a PutRecords request as the SDKs send it: n records of
// 100 bytes of data and partition keys of about 20 characters.
func putRecordsBody(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := []byte(`{"Records":[`)
	data := make([]byte, 100)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		b = append(b, `{"Data":"`...)
		b = base64.StdEncoding.AppendEncode(b, data)
		b = append(b, `","PartitionKey":"`...)
		b = fmt.Appendf(b, "partition-key-%06d", r.IntN(1000000))
		b = append(b, `"}`...)
	}
	return append(b, `],"StreamName":"benchmark-stream"}`...)
}

func perRecord(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRecords, "ns/record")
}

func BenchmarkDecodePutRecords(b *testing.B) {
	body := putRecordsBody(benchRecords)
	in := kinesisapi.Operations["PutRecords"].Input

	b.Run("parse+validate", func(b *testing.B) {
		var p awsjson.Parser
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			v, err := p.Parse(body)
			if err != nil {
				b.Fatal(err)
			}
			if err := awsjson.Validate(v, in); err != nil {
				b.Fatal(err)
			}
		}
		perRecord(b)
	})

	// What a hand-written PutRecords binder costs on top: read each record
	// through the accessors, decode all data into one arena.
	b.Run("parse+validate+accessors", func(b *testing.B) {
		var p awsjson.Parser
		arena := make([]byte, 0, 64<<10)
		keys := make([]string, 0, benchRecords)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			v, err := p.Parse(body)
			if err != nil {
				b.Fatal(err)
			}
			if err := awsjson.Validate(v, in); err != nil {
				b.Fatal(err)
			}
			arena, keys = arena[:0], keys[:0]
			for _, r := range v.Member("Records").Elems() {
				keys = append(keys, r.Member("PartitionKey").Str())
				arena, _ = r.Member("Data").AppendBlob(arena)
			}
		}
		perRecord(b)
	})

	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var out kinesisapi.PutRecordsInput
			if err := awsjson.Decode(body, in, &out); err != nil {
				b.Fatal(err)
			}
		}
		perRecord(b)
	})
}

func BenchmarkParse(b *testing.B) {
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"PutRecords500", putRecordsBody(benchRecords)},
		{"CreateStream", []byte(`{"StreamName":"benchmark-stream","ShardCount":4,"StreamModeDetails":{"StreamMode":"PROVISIONED"},"Tags":{"team":"data"}}`)},
	} {
		b.Run(c.name, func(b *testing.B) {
			var p awsjson.Parser
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Parse(c.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("PutRecords500/fresh", func(b *testing.B) {
		body := putRecordsBody(benchRecords)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := awsjson.Parse(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMarshal(b *testing.B) {
	var shards []kinesisapi.Shard
	for i := 0; i < 16; i++ {
		shards = append(shards, kinesisapi.Shard{
			ShardId:             fmt.Sprintf("shardId-%012d", i),
			HashKeyRange:        kinesisapi.HashKeyRange{StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455"},
			SequenceNumberRange: kinesisapi.SequenceNumberRange{StartingSequenceNumber: "49590338271490256608559692538361571095921575989136588898"},
		})
	}
	describe := &kinesisapi.DescribeStreamOutput{StreamDescription: kinesisapi.StreamDescription{
		StreamName: "benchmark-stream", StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/benchmark-stream",
		StreamStatus: "ACTIVE", Shards: shards, RetentionPeriodHours: 24, StreamCreationTimestamp: time.UnixMilli(1700000000123),
	}}
	at := time.UnixMilli(1700000000123)
	recs := make([]kinesisapi.Record, benchRecords)
	for i := range recs {
		recs[i] = kinesisapi.Record{SequenceNumber: "49590338271490256608559692538361571095921575989136588898",
			ApproximateArrivalTimestamp: &at, Data: make([]byte, 100), PartitionKey: "partition-key-000001"}
	}
	getRecords := &kinesisapi.GetRecordsOutput{Records: recs, NextShardIterator: ptr("AAAAAAAAAAH"), MillisBehindLatest: ptr(int64(0))}

	b.Run("DescribeStream16", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := awsjson.Marshal(describe); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetRecords500", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := awsjson.Marshal(getRecords); err != nil {
				b.Fatal(err)
			}
		}
		perRecord(b)
	})
}
