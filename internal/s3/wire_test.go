package s3_test

import (
	"bytes"
	"encoding/base64"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/freshet/freshet/internal/s3"
)

// TestSDKChecksums records what aws-sdk-go-v2 sends and checks that its
// checksums are accepted, stored and returned with x-amz-checksum-mode.
func TestSDKChecksums(t *testing.T) {
	t.Run("http", func(t *testing.T) { testSDKChecksums(t, false) })
	t.Run("https", func(t *testing.T) { testSDKChecksums(t, true) })
}

func testSDKChecksums(t *testing.T, tlsOn bool) {
	svc := s3.New(s3.Options{})
	var mu sync.Mutex
	var seen []string
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			mu.Lock()
			seen = append(seen, r.Header.Get("X-Amz-Content-Sha256")+"|"+r.Header.Get("Content-Encoding")+"|"+r.Header.Get("X-Amz-Trailer"))
			mu.Unlock()
		}
		svc.ServeHTTP(w, r)
	}))
	if tlsOn {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	defer ts.Close()
	c := client(t, ts, true)
	cx := ctx(t)
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("sums")}); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("checksum me "), 10000)
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmCrc64nvme} {
		key := "obj-" + string(alg)
		put, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), Body: bytes.NewReader(data), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		get, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(get.Body) // the SDK validates the checksum while reading
		get.Body.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: read back %d bytes, %v", alg, len(got), err)
		}
		var sent, back *string
		switch alg {
		case types.ChecksumAlgorithmCrc32:
			sent, back = put.ChecksumCRC32, get.ChecksumCRC32
			want := make([]byte, 4)
			v := crc32.ChecksumIEEE(data)
			want[0], want[1], want[2], want[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
			if aws.ToString(back) != base64.StdEncoding.EncodeToString(want) {
				t.Fatalf("CRC32 %s, want independent %s", aws.ToString(back), base64.StdEncoding.EncodeToString(want))
			}
		case types.ChecksumAlgorithmCrc32c:
			sent, back = put.ChecksumCRC32C, get.ChecksumCRC32C
		case types.ChecksumAlgorithmSha1:
			sent, back = put.ChecksumSHA1, get.ChecksumSHA1
		case types.ChecksumAlgorithmSha256:
			sent, back = put.ChecksumSHA256, get.ChecksumSHA256
		case types.ChecksumAlgorithmCrc64nvme:
			sent, back = put.ChecksumCRC64NVME, get.ChecksumCRC64NVME
		}
		if aws.ToString(back) == "" || aws.ToString(sent) != aws.ToString(back) {
			t.Fatalf("%s: put answered %q, get %q", alg, aws.ToString(sent), aws.ToString(back))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("PUT framing seen (sha256|content-encoding|trailer): %q", seen)
	if tlsOn && !strings.Contains(strings.Join(seen, " "), "aws-chunked") {
		t.Fatalf("over HTTPS the SDK was expected to send aws-chunked bodies with trailers; saw %q", seen)
	}
}

// rawClient leaves Content-Encoding alone (no transparent gzip).
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// chunkedBody builds an aws-chunked body with a CRC32 trailer.
func chunkedBody(data []byte, chunk int, signed bool, trailer string) string {
	var b strings.Builder
	sig := ""
	if signed {
		sig = ";chunk-signature=" + strings.Repeat("0", 64)
	}
	for len(data) > 0 {
		n := min(chunk, len(data))
		b.WriteString(strings.ToLower(strconvHex(n)) + sig + "\r\n")
		b.Write(data[:n])
		b.WriteString("\r\n")
		data = data[n:]
	}
	b.WriteString("0" + sig + "\r\n")
	if trailer != "" {
		b.WriteString(trailer + "\r\n")
		if signed {
			b.WriteString("x-amz-trailer-signature:" + strings.Repeat("1", 64) + "\r\n")
		}
	}
	b.WriteString("\r\n")
	return b.String()
}

func strconvHex(n int) string {
	const digits = "0123456789abcdef"
	if n == 0 {
		return "0"
	}
	var out []byte
	for n > 0 {
		out = append([]byte{digits[n%16]}, out...)
		n /= 16
	}
	return string(out)
}

func crc32b64(data []byte) string {
	v := crc32.ChecksumIEEE(data)
	return base64.StdEncoding.EncodeToString([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// TestAWSChunked sends aws-chunked bodies by hand: unsigned with a trailer,
// signed without and with a trailer, and a wrong trailer checksum.
func TestAWSChunked(t *testing.T) {
	_, ts := server(t, t.TempDir())
	do := func(method, path string, hdr map[string]string, body string) *http.Response {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := rawClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := do("PUT", "/chunky", nil, ""); r.StatusCode != 200 {
		t.Fatalf("create bucket: %d", r.StatusCode)
	}
	data := bytes.Repeat([]byte("0123456789abcdefghij"), 5000) // 100,000 bytes
	cases := []struct {
		name, sha, trailer, trailerHdr string
		signed                         bool
		status                         int
	}{
		{"unsigned-trailer", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32:" + crc32b64(data), "x-amz-checksum-crc32", false, 200},
		{"signed", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "", "", true, 200},
		{"signed-trailer", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "x-amz-checksum-crc32:" + crc32b64(data), "x-amz-checksum-crc32", true, 200},
		{"bad-trailer", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32:AAAAAA==", "x-amz-checksum-crc32", false, 400},
	}
	for _, c := range cases {
		hdr := map[string]string{
			"X-Amz-Content-Sha256":         c.sha,
			"Content-Encoding":             "aws-chunked,gzip",
			"X-Amz-Decoded-Content-Length": "100000",
			"Content-Type":                 "text/x-test",
		}
		if c.trailerHdr != "" {
			hdr["X-Amz-Trailer"] = c.trailerHdr
		}
		r := do("PUT", "/chunky/"+c.name, hdr, chunkedBody(data, 8192, c.signed, c.trailer))
		msg, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != c.status {
			t.Fatalf("%s: status %d %s", c.name, r.StatusCode, msg)
		}
		if c.status != 200 {
			if !strings.Contains(string(msg), "<Code>BadDigest</Code>") {
				t.Fatalf("%s: %s", c.name, msg)
			}
			if r := do("HEAD", "/chunky/"+c.name, nil, ""); r.StatusCode != 404 {
				t.Fatalf("%s: stored despite a bad checksum", c.name)
			}
			continue
		}
		r = do("GET", "/chunky/"+c.name, nil, "")
		got, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if !bytes.Equal(got, data) {
			t.Fatalf("%s: read back %d bytes", c.name, len(got))
		}
		if ce := r.Header.Get("Content-Encoding"); ce != "gzip" {
			t.Fatalf("%s: stored Content-Encoding %q, want gzip", c.name, ce)
		}
	}
	// A body shorter than x-amz-decoded-content-length is refused.
	r := do("PUT", "/chunky/short", map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
		"Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": "100001"}, chunkedBody(data, 8192, false, ""))
	if r.StatusCode != 400 {
		t.Fatalf("short body: %d", r.StatusCode)
	}
	// A wrong Content-MD5 is refused; a HEAD error has no body.
	r = do("PUT", "/chunky/md5", map[string]string{"Content-Md5": "AAAAAAAAAAAAAAAAAAAAAA=="}, "abc")
	msg, _ := io.ReadAll(r.Body)
	if r.StatusCode != 400 || !strings.Contains(string(msg), "BadDigest") {
		t.Fatalf("bad md5: %d %s", r.StatusCode, msg)
	}
	r = do("HEAD", "/chunky/none", nil, "")
	msg, _ = io.ReadAll(r.Body)
	if r.StatusCode != 404 || len(msg) != 0 || r.Header.Get("X-Amz-Request-Id") == "" {
		t.Fatalf("HEAD error: %d %q", r.StatusCode, msg)
	}
	r = do("GET", "/chunky/none", nil, "")
	msg, _ = io.ReadAll(r.Body)
	if r.StatusCode != 404 || !strings.Contains(string(msg), "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>none</Key><RequestId>"+r.Header.Get("X-Amz-Request-Id")+"</RequestId>") {
		t.Fatalf("GET error: %d %s", r.StatusCode, msg)
	}
	r = do("GET", "/chunky?tagging", nil, "")
	if r.StatusCode != 501 {
		t.Fatalf("unbuilt sub-resource: %d", r.StatusCode)
	}
}
