package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// TestBoto3SubscribeToShard: boto3's event-stream parser reads Freshet's
// SubscribeToShard (initial-response first, then the events).
func TestBoto3SubscribeToShard(t *testing.T) {
	t.Parallel()
	py := requirePython(t)
	endpoint, _ := startBinary(t, "--state-delay", "0")
	c := sdkClient(endpoint, "test", "test")
	createStreamActive(t, c, "efo-py", 1)
	var want []string
	for i := 0; i < 20; i++ {
		d := fmt.Sprintf("event-%02d", i)
		want = append(want, d)
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("efo-py"), PartitionKey: aws.String("k"), Data: []byte(d)}); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := runClient(t, time.Minute, clientEnvFor(t), py, testdata(t, "py", "subscribe_to_shard.py"), endpoint,
		"arn:aws:kinesis:us-east-1:000000000000:stream/efo-py", "shardId-000000000000", "20")
	if code != 0 {
		t.Fatalf("subscribe_to_shard.py exited %d\n%s\n%s", code, out, errOut)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct{ Data, Key, Seq, Continuation string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if r.Key != "k" || r.Seq == "" || r.Continuation == "" {
			t.Fatalf("record %+v", r)
		}
		got = append(got, r.Data)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("boto3 received %v, want %v", got, want)
	}
}

// TestBoto3SubscribeAcrossReshard: two boto3 consumers each read a parent
// shard to its end, follow ChildShards and read the children; every
// subscription to an open shard ends after the (shortened) lifetime.
func TestBoto3SubscribeAcrossReshard(t *testing.T) {
	t.Parallel()
	py := requirePython(t)
	endpoint, _ := startBinary(t, "--state-delay", "0", "--subscription-lifetime", "2s")
	c := sdkClient(endpoint, "test", "test")
	createStreamActive(t, c, "efo-rs", 1)
	put := func(key, data string) {
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("efo-rs"), PartitionKey: aws.String(key), Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		put(fmt.Sprintf("key-%d", i), fmt.Sprintf("before-%d", i))
	}
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("efo-rs"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		put(fmt.Sprintf("key-%d", i), fmt.Sprintf("after-%d", i))
	}
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/efo-rs"
	for _, name := range []string{"reader-a", "reader-b"} {
		out, errOut, code := runClient(t, time.Minute, clientEnvFor(t), py, testdata(t, "py", "subscribe_follow.py"), endpoint, arn, name, "shardId-000000000000")
		if code != 0 {
			t.Fatalf("%s: exited %d\n%s\n%s", name, code, out, errOut)
		}
		perKey := map[string][]string{}
		var ends []float64
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var r struct {
				Shard, Data, Key string
				Ended            *float64 `json:"ended_after_s"`
				Children         []string
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("%s line %q: %v", name, line, err)
			}
			if r.Ended != nil {
				if r.Shard == "shardId-000000000000" && len(r.Children) != 2 {
					t.Fatalf("%s: parent ended with children %v", name, r.Children)
				}
				ends = append(ends, *r.Ended)
				continue
			}
			perKey[r.Key] = append(perKey[r.Key], r.Data)
		}
		for i := 0; i < 3; i++ {
			if got := fmt.Sprint(perKey[fmt.Sprintf("key-%d", i)]); got != fmt.Sprintf("[before-%d after-%d]", i, i) {
				t.Fatalf("%s: key-%d read as %s", name, i, got)
			}
		}
		// Parent ends at once (closed shard); each child after about 2 s.
		if len(ends) != 3 || ends[0] > 1.5 || ends[1] < 1.5 || ends[2] < 1.5 || ends[1] > 10 {
			t.Fatalf("%s: subscriptions lasted %v s", name, ends)
		}
	}
}
