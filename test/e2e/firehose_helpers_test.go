package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Shared helpers of the Firehose end-to-end tests.

const testRole = "arn:aws:iam::000000000000:role/firehose"

func newFirehoseClient(endpoint string) *firehose.Client {
	return firehose.New(firehose.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       plainBodyClient{c: &http.Client{Timeout: 30 * time.Second}},
	})
}

func newS3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// s3Object is one object read back, with the headers that matter.
type s3Object struct {
	Key             string
	Body            []byte
	ContentEncoding string
	ContentType     string
}

// listObjects returns every object under prefix, sorted by key.
func listObjects(t testing.TB, c *s3.Client, bucket, prefix string) []s3Object {
	t.Helper()
	ctx := context.Background()
	var out []s3Object
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s3Object{Key: *o.Key, Body: body, ContentEncoding: aws.ToString(g.ContentEncoding), ContentType: aws.ToString(g.ContentType)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// waitObjects polls until done(objects) is true or the timeout passes,
// and returns the last listing.
func waitObjects(t testing.TB, c *s3.Client, bucket, prefix string, timeout time.Duration, done func([]s3Object) bool) []s3Object {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		objs := listObjects(t, c, bucket, prefix)
		if done(objs) {
			return objs
		}
		if time.Now().After(deadline) {
			keys := make([]string, len(objs))
			for i, o := range objs {
				keys[i] = o.Key
			}
			t.Fatalf("timed out after %s waiting for objects under %s/%s; have %s", timeout, bucket, prefix, strings.Join(keys, ", "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func makeBucket(t testing.TB, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
}

// concat joins object bodies (already decoded) in key order.
func concat(parts [][]byte) []byte { return bytes.Join(parts, nil) }
