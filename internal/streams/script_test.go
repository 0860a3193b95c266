package streams

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// TestScripts runs testdata/* scripts against a Service on a memory store
// and a test clock. Commands:
//
//	create name=S shards=N [delay=DUR]       CreateStream (state delay DUR)
//	split name=S shard=ID at=HASHKEY          SplitShard
//	merge name=S shard=ID adjacent=ID         MergeShards
//	scale name=S target=N                     UpdateShardCount
//	put name=S key=PK [hash=HASHKEY] data=D [as=LABEL]
//	                                          PutRecord: prints shard and offset
//	shards name=S [filter=TYPE] [id=ID]       ListShards: one line per shard
//	status name=S                             the stream's status
//	read name=S shard=ID [type=T] [seq=LABEL] [time=LABEL] [limit=N]
//	                                          GetShardIterator + GetRecords until the end
//	mark LABEL                                remember the clock's time
//	advance DUR                               move the clock
//
// Rewrite the expectations with: go test ./internal/streams -run TestScripts -rewrite
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		s, clk := newTestService(t)
		ctx := context.Background()
		sc := &script{seqs: map[string]string{}, times: map[string]time.Time{}}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			out, err := sc.run(ctx, s, clk, d)
			if err != nil {
				if e, ok := awserr.As(err); ok {
					return fmt.Sprintf("error: %s: %s\n", e.Code, e.Message)
				}
				t.Fatalf("%s: %v", d.Pos, err)
			}
			return out
		})
	})
}

func arg(d *datadriven.TestData, key string) string {
	for _, a := range d.CmdArgs {
		if a.Key == key && len(a.Vals) > 0 {
			return a.Vals[0]
		}
	}
	return ""
}

// script keeps what a script names: sequence numbers of puts (as=LABEL)
// and moments (mark LABEL).
type script struct {
	seqs  map[string]string
	times map[string]time.Time
}

func (sc *script) run(ctx context.Context, s *Service, clk *testClock, d *datadriven.TestData) (string, error) {
	name := str(arg(d, "name"))
	switch d.Cmd {
	case "create":
		var n int64
		fmt.Sscan(arg(d, "shards"), &n)
		if v := arg(d, "delay"); v != "" {
			dur, _ := time.ParseDuration(v)
			s.opts.StateDelay = dur
		}
		_, err := s.CreateStream(ctx, &kinesisapi.CreateStreamInput{StreamName: *name, ShardCount: &n})
		return "ok\n", err
	case "split":
		_, err := s.SplitShard(ctx, &kinesisapi.SplitShardInput{StreamName: name, ShardToSplit: arg(d, "shard"), NewStartingHashKey: arg(d, "at")})
		return "ok\n", err
	case "merge":
		_, err := s.MergeShards(ctx, &kinesisapi.MergeShardsInput{StreamName: name, ShardToMerge: arg(d, "shard"), AdjacentShardToMerge: arg(d, "adjacent")})
		return "ok\n", err
	case "scale":
		var n int64
		fmt.Sscan(arg(d, "target"), &n)
		out, err := s.UpdateShardCount(ctx, &kinesisapi.UpdateShardCountInput{StreamName: name, TargetShardCount: n, ScalingType: "UNIFORM_SCALING"})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("current %d target %d\n", *out.CurrentShardCount, *out.TargetShardCount), nil
	case "put":
		in := &kinesisapi.PutRecordInput{StreamName: name, PartitionKey: arg(d, "key"), Data: []byte(arg(d, "data"))}
		if h := arg(d, "hash"); h != "" {
			in.ExplicitHashKey = &h
		}
		out, err := s.PutRecord(ctx, in)
		if err != nil {
			return "", err
		}
		seq, _ := parseSeqNum(out.SequenceNumber)
		if label := arg(d, "as"); label != "" {
			sc.seqs[label] = out.SequenceNumber
		}
		return fmt.Sprintf("%s offset %d\n", out.ShardId, seq.offset), nil
	case "mark":
		sc.times[d.CmdArgs[0].Key] = clk.Now()
		return "ok\n", nil
	case "status":
		out, err := s.DescribeStreamSummary(ctx, &kinesisapi.DescribeStreamSummaryInput{StreamName: name})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s, %d open shards\n", out.StreamDescriptionSummary.StreamStatus, out.StreamDescriptionSummary.OpenShardCount), nil
	case "shards":
		in := &kinesisapi.ListShardsInput{StreamName: name}
		if f := arg(d, "filter"); f != "" {
			in.ShardFilter = &kinesisapi.ShardFilter{Type: f}
			if id := arg(d, "id"); id != "" {
				in.ShardFilter.ShardId = &id
			}
		}
		out, err := s.ListShards(ctx, in)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, sh := range out.Shards {
			fmt.Fprintf(&b, "%s [%s, %s]", sh.ShardId, abbrev(sh.HashKeyRange.StartingHashKey), abbrev(sh.HashKeyRange.EndingHashKey))
			if sh.ParentShardId != nil {
				fmt.Fprintf(&b, " parent %s", *sh.ParentShardId)
			}
			if sh.AdjacentParentShardId != nil {
				fmt.Fprintf(&b, " adjacent %s", *sh.AdjacentParentShardId)
			}
			if sh.SequenceNumberRange.EndingSequenceNumber != nil {
				b.WriteString(" closed")
			}
			b.WriteString("\n")
		}
		return b.String(), nil
	case "read":
		typ := arg(d, "type")
		if typ == "" {
			typ = "TRIM_HORIZON"
		}
		in := &kinesisapi.GetShardIteratorInput{StreamName: name, ShardId: arg(d, "shard"), ShardIteratorType: typ}
		if l := arg(d, "seq"); l != "" {
			seq := sc.seqs[l]
			if seq == "" {
				seq = l // a literal sequence number
			}
			in.StartingSequenceNumber = &seq
		}
		if l := arg(d, "time"); l != "" {
			at := sc.times[l]
			in.Timestamp = &at
		}
		it, err := s.GetShardIterator(ctx, in)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		next := it.ShardIterator
		for calls := 0; next != nil && calls < 20; calls++ {
			in := &kinesisapi.GetRecordsInput{ShardIterator: *next}
			if l := arg(d, "limit"); l != "" {
				var n int64
				fmt.Sscan(l, &n)
				in.Limit = &n
			}
			out, err := s.GetRecords(ctx, in)
			if err != nil {
				return "", err
			}
			for _, r := range out.Records {
				fmt.Fprintf(&b, "%s %s\n", r.PartitionKey, r.Data)
			}
			for _, c := range out.ChildShards {
				fmt.Fprintf(&b, "child %s parents %s\n", c.ShardId, strings.Join(c.ParentShards, ","))
			}
			if len(out.Records) == 0 && out.NextShardIterator != nil {
				b.WriteString("(at the tip)\n")
				break
			}
			next = out.NextShardIterator
		}
		if next == nil {
			b.WriteString("(shard ended)\n")
		}
		return b.String(), nil
	case "advance":
		dur, err := time.ParseDuration(d.CmdArgs[0].Key)
		if err != nil {
			return "", err
		}
		clk.Add(dur)
		return "ok\n", nil
	}
	return "", fmt.Errorf("unknown command %q", d.Cmd)
}

// abbrev shortens 39-digit hash keys to their leading digits and length.
func abbrev(k string) string {
	if len(k) <= 12 {
		return k
	}
	return fmt.Sprintf("%s…(%d)", k[:6], len(k))
}
