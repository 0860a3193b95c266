package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// TestReset: with --allow-reset, POST /_freshet/reset empties everything;
// without it, the path is not served.
func TestReset(t *testing.T) {
	endpoint, _ := startBinary(t, "--state-delay", "0", "--allow-reset")
	c := sdkClient(endpoint, "test", "test")
	createStreamActive(t, c, "gone-soon", 2)
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("gone-soon"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(endpoint+"/_freshet/reset", "application/json", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reset: %s", resp.Status)
	}
	l, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || len(l.StreamNames) != 0 {
		t.Fatalf("after reset: %v %v", l, err)
	}
	// The name is free again and the shard limit counts from zero.
	createStreamActive(t, c, "gone-soon", 1)

	plain, _ := startBinary(t, "--state-delay", "0")
	resp, err = http.Post(plain+"/_freshet/reset", "application/json", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 {
		t.Fatal("reset served without --allow-reset")
	}
}
