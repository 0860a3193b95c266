package s3_test

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSDKBucketsAndObjects(t *testing.T) {
	for _, style := range []struct {
		name string
		path bool
	}{{"path", true}, {"vhost", false}} {
		t.Run(style.name, func(t *testing.T) {
			_, ts := server(t, t.TempDir())
			c := client(t, ts, style.path)
			cx := ctx(t)
			if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("alpha")}); err != nil {
				t.Fatal(err)
			}
			_, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("alpha")})
			var owned *types.BucketAlreadyOwnedByYou
			if !errors.As(err, &owned) {
				t.Fatalf("second CreateBucket: %v, want BucketAlreadyOwnedByYou", err)
			}
			if _, err := c.HeadBucket(cx, &awss3.HeadBucketInput{Bucket: aws.String("alpha")}); err != nil {
				t.Fatal(err)
			}
			_, err = c.HeadBucket(cx, &awss3.HeadBucketInput{Bucket: aws.String("nope")})
			var nf *types.NotFound
			if !errors.As(err, &nf) {
				t.Fatalf("HeadBucket missing: %v", err)
			}
			lb, err := c.ListBuckets(cx, &awss3.ListBucketsInput{})
			if err != nil || len(lb.Buckets) != 1 || *lb.Buckets[0].Name != "alpha" || lb.Buckets[0].CreationDate == nil {
				t.Fatalf("ListBuckets: %+v %v", lb, err)
			}
			loc, err := c.GetBucketLocation(cx, &awss3.GetBucketLocationInput{Bucket: aws.String("alpha")})
			if err != nil || loc.LocationConstraint != "" {
				t.Fatalf("GetBucketLocation: %+v %v", loc, err)
			}

			data := []byte("hello, freshet s3")
			put, err := c.PutObject(cx, &awss3.PutObjectInput{
				Bucket: aws.String("alpha"), Key: aws.String("dir/hello.txt"), Body: bytes.NewReader(data),
				ContentType: aws.String("text/plain"), ContentEncoding: aws.String("identity"),
				CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String("inline"),
				Metadata: map[string]string{"Color": "blue"},
			})
			if err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(data)
			wantETag := `"` + hex.EncodeToString(sum[:]) + `"`
			if *put.ETag != wantETag {
				t.Fatalf("ETag %s, want %s", *put.ETag, wantETag)
			}
			get, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("alpha"), Key: aws.String("dir/hello.txt")})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(get.Body)
			get.Body.Close()
			if !bytes.Equal(got, data) || *get.ETag != wantETag || *get.ContentType != "text/plain" ||
				aws.ToString(get.ContentEncoding) != "identity" || aws.ToString(get.CacheControl) != "max-age=60" ||
				aws.ToString(get.ContentDisposition) != "inline" || get.Metadata["color"] != "blue" || get.LastModified == nil {
				t.Fatalf("GetObject: %q %+v", got, get)
			}
			head, err := c.HeadObject(cx, &awss3.HeadObjectInput{Bucket: aws.String("alpha"), Key: aws.String("dir/hello.txt")})
			if err != nil || aws.ToInt64(head.ContentLength) != int64(len(data)) || *head.ETag != wantETag {
				t.Fatalf("HeadObject: %+v %v", head, err)
			}

			// Range requests.
			rg, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("alpha"), Key: aws.String("dir/hello.txt"), Range: aws.String("bytes=7-13")})
			if err != nil {
				t.Fatal(err)
			}
			got, _ = io.ReadAll(rg.Body)
			rg.Body.Close()
			if string(got) != string(data[7:14]) || aws.ToString(rg.ContentRange) != fmt.Sprintf("bytes 7-13/%d", len(data)) {
				t.Fatalf("range: %q %v", got, aws.ToString(rg.ContentRange))
			}
			rg, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("alpha"), Key: aws.String("dir/hello.txt"), Range: aws.String("bytes=-2")})
			if err != nil {
				t.Fatal(err)
			}
			got, _ = io.ReadAll(rg.Body)
			rg.Body.Close()
			if string(got) != "s3" {
				t.Fatalf("suffix range: %q", got)
			}
			_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("alpha"), Key: aws.String("dir/hello.txt"), Range: aws.String("bytes=100-")})
			if apiCode(err) != "InvalidRange" {
				t.Fatalf("unsatisfiable range: %v", err)
			}

			// Conditional GET.
			_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("alpha"), Key: aws.String("dir/hello.txt"), IfMatch: aws.String(`"0000"`)})
			if apiCode(err) != "PreconditionFailed" {
				t.Fatalf("If-Match: %v", err)
			}
			_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("alpha"), Key: aws.String("dir/hello.txt"), IfNoneMatch: aws.String(wantETag)})
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusNotModified {
				t.Fatalf("If-None-Match: %v", err)
			}

			// Errors through the SDK's typed errors.
			_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("alpha"), Key: aws.String("missing")})
			var nsk *types.NoSuchKey
			if !errors.As(err, &nsk) {
				t.Fatalf("missing key: %v", err)
			}
			_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
			if apiCode(err) != "NoSuchBucket" {
				t.Fatalf("missing bucket: %v", err)
			}
			_, err = c.HeadObject(cx, &awss3.HeadObjectInput{Bucket: aws.String("alpha"), Key: aws.String("missing")})
			if !errors.As(err, &nf) {
				t.Fatalf("HeadObject missing: %v", err)
			}
			_, err = c.DeleteBucket(cx, &awss3.DeleteBucketInput{Bucket: aws.String("alpha")})
			if apiCode(err) != "BucketNotEmpty" {
				t.Fatalf("DeleteBucket non-empty: %v", err)
			}

			// CopyObject.
			cp, err := c.CopyObject(cx, &awss3.CopyObjectInput{Bucket: aws.String("alpha"), Key: aws.String("copy"), CopySource: aws.String("alpha/dir/hello.txt")})
			if err != nil || aws.ToString(cp.CopyObjectResult.ETag) != wantETag {
				t.Fatalf("CopyObject: %+v %v", cp, err)
			}
			// DeleteObjects, then the bucket is empty and goes.
			do, err := c.DeleteObjects(cx, &awss3.DeleteObjectsInput{Bucket: aws.String("alpha"), Delete: &types.Delete{
				Objects: []types.ObjectIdentifier{{Key: aws.String("copy")}, {Key: aws.String("never-was")}},
			}})
			if err != nil || len(do.Deleted) != 2 || len(do.Errors) != 0 {
				t.Fatalf("DeleteObjects: %+v %v", do, err)
			}
			if _, err := c.DeleteObject(cx, &awss3.DeleteObjectInput{Bucket: aws.String("alpha"), Key: aws.String("dir/hello.txt")}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeleteBucket(cx, &awss3.DeleteBucketInput{Bucket: aws.String("alpha")}); err != nil {
				t.Fatal(err)
			}
			_, err = c.HeadBucket(cx, &awss3.HeadBucketInput{Bucket: aws.String("alpha")})
			if !errors.As(err, &nf) {
				t.Fatalf("HeadBucket after delete: %v", err)
			}
		})
	}
}

func TestSDKInvalidBucketName(t *testing.T) {
	_, ts := server(t, "")
	c := client(t, ts, true)
	for _, name := range []string{"ab", "Upper", "-lead", "a..b", "192.168.1.1"} {
		_, err := c.CreateBucket(ctx(t), &awss3.CreateBucketInput{Bucket: aws.String(name)})
		if apiCode(err) != "InvalidBucketName" {
			t.Errorf("%q: %v", name, err)
		}
	}
}

func TestSDKListObjects(t *testing.T) {
	_, ts := server(t, "")
	c := client(t, ts, true)
	cx := ctx(t)
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("list")}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := range 7 {
		keys = append(keys, fmt.Sprintf("logs/2026/%02d.txt", i), fmt.Sprintf("logs/2027/%02d.txt", i))
	}
	keys = append(keys, "logs/top.txt", "readme", "z/ü", "a b+c")
	for _, k := range keys {
		if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("list"), Key: aws.String(k), Body: body(k)}); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(keys)

	// All keys, paginated two at a time.
	var got []string
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if aws.ToInt32(out.KeyCount) != int32(len(out.Contents)) {
			t.Fatalf("KeyCount %d, %d contents", aws.ToInt32(out.KeyCount), len(out.Contents))
		}
		for _, o := range out.Contents {
			got = append(got, *o.Key)
			if aws.ToInt64(o.Size) != int64(len(*o.Key)) {
				t.Fatalf("size of %s: %d", *o.Key, aws.ToInt64(o.Size))
			}
		}
	}
	if !slices.Equal(got, keys) || pages != (len(keys)+1)/2 {
		t.Fatalf("paginated keys %q in %d pages, want %q", got, pages, keys)
	}

	// Prefix and delimiter, paginated one at a time through common prefixes.
	var objs, prefixes []string
	p = awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: aws.String("list"), Prefix: aws.String("logs/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			objs = append(objs, *o.Key)
		}
		for _, cp := range out.CommonPrefixes {
			prefixes = append(prefixes, *cp.Prefix)
		}
	}
	if !slices.Equal(prefixes, []string{"logs/2026/", "logs/2027/"}) || !slices.Equal(objs, []string{"logs/top.txt"}) {
		t.Fatalf("delimiter listing: prefixes %q objects %q", prefixes, objs)
	}

	// start-after.
	out, err := c.ListObjectsV2(cx, &awss3.ListObjectsV2Input{Bucket: aws.String("list"), StartAfter: aws.String("logs/2027/05.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) == 0 || *out.Contents[0].Key != "logs/2027/06.txt" {
		t.Fatalf("start-after: %+v", out.Contents)
	}

	// V1 with marker and NextMarker.
	got = got[:0]
	marker := ""
	for {
		v1, err := c.ListObjects(cx, &awss3.ListObjectsInput{Bucket: aws.String("list"), Marker: aws.String(marker), MaxKeys: aws.Int32(3)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range v1.Contents {
			got = append(got, *o.Key)
		}
		if !aws.ToBool(v1.IsTruncated) {
			break
		}
		marker = aws.ToString(v1.NextMarker)
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("v1 keys %q, want %q", got, keys)
	}

	_, err = c.ListObjectsV2(cx, &awss3.ListObjectsV2Input{Bucket: aws.String("nope")})
	var nsb *types.NoSuchBucket
	if !errors.As(err, &nsb) {
		t.Fatalf("list missing bucket: %v", err)
	}
}

func TestSDKMultipart(t *testing.T) {
	_, ts := server(t, t.TempDir())
	c := client(t, ts, false)
	cx := ctx(t)
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("mpu-test")}); err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateMultipartUpload(cx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("mpu-test"), Key: aws.String("big/object"),
		ContentType: aws.String("application/x-test"), Metadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{5 << 20, 5 << 20, 1234}
	var all []byte
	var parts []types.CompletedPart
	var md5s []byte
	for i, n := range sizes {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		all = append(all, b...)
		s := md5.Sum(b)
		md5s = append(md5s, s[:]...)
		up, err := c.UploadPart(cx, &awss3.UploadPartInput{Bucket: aws.String("mpu-test"), Key: aws.String("big/object"),
			UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(b)})
		if err != nil {
			t.Fatal(err)
		}
		if *up.ETag != `"`+hex.EncodeToString(s[:])+`"` {
			t.Fatalf("part %d ETag %s", i+1, *up.ETag)
		}
		parts = append(parts, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	lp, err := c.ListParts(cx, &awss3.ListPartsInput{Bucket: aws.String("mpu-test"), Key: aws.String("big/object"), UploadId: cr.UploadId})
	if err != nil || len(lp.Parts) != 3 || aws.ToInt64(lp.Parts[2].Size) != 1234 {
		t.Fatalf("ListParts: %+v %v", lp, err)
	}
	lu, err := c.ListMultipartUploads(cx, &awss3.ListMultipartUploadsInput{Bucket: aws.String("mpu-test")})
	if err != nil || len(lu.Uploads) != 1 || *lu.Uploads[0].UploadId != *cr.UploadId {
		t.Fatalf("ListMultipartUploads: %+v %v", lu, err)
	}

	// Wrong ETag and wrong order fail.
	_, err = c.CompleteMultipartUpload(cx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("mpu-test"), Key: aws.String("big/object"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: aws.String(`"00"`), PartNumber: aws.Int32(1)}}}})
	if apiCode(err) != "InvalidPart" {
		t.Fatalf("bad etag: %v", err)
	}
	_, err = c.CompleteMultipartUpload(cx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("mpu-test"), Key: aws.String("big/object"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{parts[1], parts[0]}}})
	if apiCode(err) != "InvalidPartOrder" {
		t.Fatalf("bad order: %v", err)
	}

	done, err := c.CompleteMultipartUpload(cx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("mpu-test"), Key: aws.String("big/object"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	es := md5.Sum(md5s)
	wantETag := `"` + hex.EncodeToString(es[:]) + `-3"`
	if *done.ETag != wantETag {
		t.Fatalf("ETag %s, want %s", *done.ETag, wantETag)
	}
	get, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("mpu-test"), Key: aws.String("big/object")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if !bytes.Equal(got, all) || *get.ETag != wantETag || *get.ContentType != "application/x-test" || get.Metadata["k"] != "v" {
		t.Fatalf("assembled object: %d bytes, %+v", len(got), get)
	}
	_, err = c.UploadPart(cx, &awss3.UploadPartInput{Bucket: aws.String("mpu-test"), Key: aws.String("big/object"),
		UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: body("x")})
	if apiCode(err) != "NoSuchUpload" {
		t.Fatalf("part after complete: %v", err)
	}

	// A small non-last part is refused; abort removes the upload.
	cr2, err := c.CreateMultipartUpload(cx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("mpu-test"), Key: aws.String("small")})
	if err != nil {
		t.Fatal(err)
	}
	var small []types.CompletedPart
	for i := 1; i <= 2; i++ {
		up, err := c.UploadPart(cx, &awss3.UploadPartInput{Bucket: aws.String("mpu-test"), Key: aws.String("small"), UploadId: cr2.UploadId, PartNumber: aws.Int32(int32(i)), Body: body("tiny")})
		if err != nil {
			t.Fatal(err)
		}
		small = append(small, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i))})
	}
	_, err = c.CompleteMultipartUpload(cx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("mpu-test"), Key: aws.String("small"), UploadId: cr2.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: small}})
	if apiCode(err) != "EntityTooSmall" {
		t.Fatalf("small parts: %v", err)
	}
	if _, err := c.AbortMultipartUpload(cx, &awss3.AbortMultipartUploadInput{Bucket: aws.String("mpu-test"), Key: aws.String("small"), UploadId: cr2.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListParts(cx, &awss3.ListPartsInput{Bucket: aws.String("mpu-test"), Key: aws.String("small"), UploadId: cr2.UploadId})
	if apiCode(err) != "NoSuchUpload" {
		t.Fatalf("ListParts after abort: %v", err)
	}
}
