package s3_test

import (
	"bytes"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/freshet/freshet/internal/s3"
)

var oddKeys = []string{
	"../../etc/passwd",
	"..",
	"a//b",
	"/leading-slash",
	"ünïcødé/日本語/файл",
	"with space and+plus%20",
	strings.Repeat("k", 1024),
	"trailing/",
	"dot/./segment",
}

// TestDurableRestart writes through one Service, closes it, and reads
// everything back through a new Service on the same directory.
func TestDurableRestart(t *testing.T) {
	dir := t.TempDir()
	svc := s3.New(s3.Options{Dir: dir})
	ts := httptest.NewServer(svc)
	c := client(t, ts, true)
	cx := ctx(t)
	for _, b := range []string{"keep", "gone"} {
		if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range oddKeys {
		if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("keep"), Key: aws.String(k), Body: body("body of " + k),
			ContentType: aws.String("text/x-" + string(rune('a'+len(k)%26)))}); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
	if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("keep"), Key: aws.String("deleted"), Body: body("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(cx, &awss3.DeleteObjectInput{Bucket: aws.String("keep"), Key: aws.String("deleted")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(cx, &awss3.DeleteBucketInput{Bucket: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	mpu, err := c.CreateMultipartUpload(cx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("keep"), Key: aws.String("pending")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(cx, &awss3.UploadPartInput{Bucket: aws.String("keep"), Key: aws.String("pending"), UploadId: mpu.UploadId, PartNumber: aws.Int32(1), Body: body("only part")})
	if err != nil {
		t.Fatal(err)
	}
	ts.Close()
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}

	// Nothing outside dir was written, and every file under it has a safe name.
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if strings.Contains(d.Name(), "passwd") || strings.Contains(d.Name(), "ü") {
			t.Errorf("a key leaked into a file name: %s", p)
		}
		return nil
	})

	_, ts2 := server(t, dir)
	c = client(t, ts2, false)
	lb, err := c.ListBuckets(cx, &awss3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 1 || *lb.Buckets[0].Name != "keep" {
		t.Fatalf("buckets after restart: %+v %v", lb, err)
	}
	var listed []string
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: aws.String("keep"), MaxKeys: aws.Int32(4)})
	for p.HasMorePages() {
		out, err := p.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			listed = append(listed, *o.Key)
		}
	}
	want := slices.Clone(oddKeys)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("keys after restart %q, want %q", listed, want)
	}
	for _, k := range oddKeys {
		get, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("keep"), Key: aws.String(k)})
		if err != nil {
			t.Fatalf("get %q: %v", k, err)
		}
		got, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if string(got) != "body of "+k || *get.ContentType != "text/x-"+string(rune('a'+len(k)%26)) {
			t.Fatalf("get %q after restart: %q %s", k, got, *get.ContentType)
		}
	}
	// The pending upload survived and completes.
	done, err := c.CompleteMultipartUpload(cx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("keep"), Key: aws.String("pending"), UploadId: mpu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
	if err != nil || !strings.HasSuffix(*done.ETag, `-1"`) {
		t.Fatalf("complete after restart: %+v %v", done, err)
	}
	get, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("keep"), Key: aws.String("pending")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if !bytes.Equal(got, []byte("only part")) {
		t.Fatalf("completed after restart: %q", got)
	}
}

// TestKeyEscaping stores hostile keys in memory and on disk and checks that
// each reads back as itself and that nothing lands outside the directory.
func TestKeyEscaping(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "data")
	for _, d := range []string{"", dir} {
		_, ts := server(t, d)
		c := client(t, ts, true)
		cx := ctx(t)
		if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("esc")}); err != nil {
			t.Fatal(err)
		}
		for _, k := range oddKeys {
			if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("esc"), Key: aws.String(k), Body: body(k)}); err != nil {
				t.Fatalf("put %q: %v", k, err)
			}
		}
		for _, k := range oddKeys {
			get, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("esc"), Key: aws.String(k)})
			if err != nil {
				t.Fatalf("get %q: %v", k, err)
			}
			got, _ := io.ReadAll(get.Body)
			get.Body.Close()
			if string(got) != k {
				t.Fatalf("key %q read back %q", k, got)
			}
		}
		_, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("esc"), Key: aws.String(strings.Repeat("k", 1025)), Body: body("x")})
		if apiCode(err) != "KeyTooLongError" {
			t.Fatalf("1025-byte key: %v", err)
		}
	}
	ents, _ := os.ReadDir(parent)
	if len(ents) != 1 || ents[0].Name() != "data" {
		t.Fatalf("files outside the data directory: %v", ents)
	}
}
