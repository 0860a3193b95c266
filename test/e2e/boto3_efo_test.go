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
