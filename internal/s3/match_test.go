package s3_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/s3"
)

func signed(t *testing.T, r *http.Request, service string) *http.Request {
	t.Helper()
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, r,
		"UNSIGNED-PAYLOAD", service, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMatch(t *testing.T) {
	svc := s3.New(s3.Options{Domains: []string{"localhost", "s3.example.test"}})
	req := func(method, url string, hdr ...string) *http.Request {
		r := httptest.NewRequest(method, url, strings.NewReader(""))
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return r
	}
	cases := []struct {
		name string
		r    *http.Request
		want bool
	}{
		{"signed s3 GET /", signed(t, req("GET", "http://127.0.0.1:4567/"), "s3"), true},
		{"signed s3 POST / (odd but s3)", signed(t, req("POST", "http://127.0.0.1:4567/"), "s3"), true},
		{"signed kinesis JSON", signed(t, req("POST", "http://127.0.0.1:4567/", "X-Amz-Target", "Kinesis_20131202.ListStreams"), "kinesis"), false},
		{"signed lambda invoke", signed(t, req("POST", "http://127.0.0.1:4567/2015-03-31/functions/f/invocations"), "lambda"), false},
		{"signed sts form", signed(t, req("POST", "http://127.0.0.1:4567/", "Content-Type", "application/x-www-form-urlencoded"), "sts"), false},
		{"virtual host", req("GET", "http://logs.localhost:4567/a/b"), true},
		{"virtual host custom domain", req("PUT", "http://my.bucket.s3.example.test/k"), true},
		{"unsigned GET /bucket", req("GET", "http://127.0.0.1:4567/bucket"), true},
		{"unsigned PUT object", req("PUT", "http://127.0.0.1:4567/bucket/key"), true},
		{"unsigned GET /", req("GET", "http://127.0.0.1:4567/"), true},
		{"unsigned target", req("POST", "http://127.0.0.1:4567/", "X-Amz-Target", "Firehose_20150804.ListDeliveryStreams"), false},
		{"unsigned sts form", req("POST", "http://127.0.0.1:4567/", "Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), false},
		{"unsigned POST /", req("POST", "http://127.0.0.1:4567/"), false},
		{"unsigned POST delete", req("POST", "http://127.0.0.1:4567/bucket?delete"), true},
	}
	for _, c := range cases {
		if got := svc.Match(c.r); got != c.want {
			t.Errorf("%s: Match = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestVerifyError(t *testing.T) {
	svc := s3.New(s3.Options{Verify: func(r *http.Request) error {
		if r.Header.Get("Authorization") == "" {
			return &awserr.Error{Code: "AccessDenied", Message: "Access Denied", Status: http.StatusForbidden}
		}
		return nil
	}})
	rec := httptest.NewRecorder()
	svc.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "<Code>AccessDenied</Code><Message>Access Denied</Message>") {
		t.Fatalf("unsigned: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	svc.ServeHTTP(rec, signed(t, httptest.NewRequest("GET", "/", nil), "s3"))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">") {
		t.Fatalf("signed: %d %s", rec.Code, rec.Body)
	}
}

// TestManyObjects puts 100k keys in random order into one bucket and pages
// through them, checking order and reporting the time taken.
func TestManyObjects(t *testing.T) {
	n := 100_000
	if testing.Short() || raceEnabled {
		n = 10_000 // the race detector makes each request ~20x slower
	}
	svc := s3.New(s3.Options{})
	do := func(method, url string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, httptest.NewRequest(method, url, nil))
		return rec
	}
	if r := do("PUT", "/many"); r.Code != 200 {
		t.Fatal(r.Body)
	}
	perm := rand.Perm(n)
	start := time.Now()
	for _, i := range perm {
		if r := do("PUT", fmt.Sprintf("/many/p%02d/k%06d", i%50, i)); r.Code != 200 {
			t.Fatal(r.Body)
		}
	}
	put := time.Since(start)
	start = time.Now()
	token, count, last := "", 0, ""
	for {
		url := "/many?list-type=2&max-keys=1000"
		if token != "" {
			url += "&continuation-token=" + token
		}
		r := do("GET", url)
		body, _ := io.ReadAll(r.Body)
		s := string(body)
		for {
			i := strings.Index(s, "<Key>")
			if i < 0 {
				break
			}
			s = s[i+5:]
			k := s[:strings.Index(s, "</Key>")]
			if k <= last {
				t.Fatalf("out of order: %q after %q", k, last)
			}
			last = k
			count++
		}
		i := strings.Index(string(body), "<NextContinuationToken>")
		if i < 0 {
			break
		}
		rest := string(body)[i+len("<NextContinuationToken>"):]
		token = rest[:strings.Index(rest, "<")]
	}
	list := time.Since(start)
	if count != n {
		t.Fatalf("listed %d keys, want %d", count, n)
	}
	start = time.Now()
	r := do("GET", "/many?list-type=2&delimiter=/")
	if c := strings.Count(r.Body.String(), "<CommonPrefixes>"); c != 50 {
		t.Fatalf("%d common prefixes, want 50", c)
	}
	t.Logf("%d random-order PUTs (memory, in-process) %v; full listing in pages of 1000 %v; delimiter listing %v",
		n, put.Round(time.Millisecond), list.Round(time.Millisecond), time.Since(start).Round(time.Microsecond))
}

// TestVerifyErrorMapping checks that the SigV4 verifier's JSON-service codes
// come out as S3's.
func TestVerifyErrorMapping(t *testing.T) {
	for in, want := range map[string]string{
		"InvalidSignatureException":   "<Code>SignatureDoesNotMatch</Code>",
		"UnrecognizedClientException": "<Code>InvalidAccessKeyId</Code>",
	} {
		svc := s3.New(s3.Options{Verify: func(*http.Request) error { return awserr.New(in, "x") }})
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, httptest.NewRequest("GET", "/b/k", nil))
		if rec.Code != 403 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %s", in, rec.Code, rec.Body)
		}
	}
}

// TestDiskFigures reports sequential durable PUT latency and the time a new
// Service takes to load the objects back.
func TestDiskFigures(t *testing.T) {
	n := 3000
	if raceEnabled {
		n = 500
	}
	dir := t.TempDir()
	svc := s3.New(s3.Options{Dir: dir})
	do := func(svc *s3.Service, method, url, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, httptest.NewRequest(method, url, strings.NewReader(body)))
		return rec
	}
	do(svc, "PUT", "/disk", "")
	start := time.Now()
	for i := range n {
		if r := do(svc, "PUT", fmt.Sprintf("/disk/k%05d", i), strings.Repeat("x", 1000)); r.Code != 200 {
			t.Fatal(r.Body)
		}
	}
	put := time.Since(start)
	_ = svc.Close()
	start = time.Now()
	svc2 := s3.New(s3.Options{Dir: dir})
	if err := svc2.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	load := time.Since(start)
	r := do(svc2, "GET", "/disk?list-type=2&prefix=k0299", "")
	if c := strings.Count(r.Body.String(), "<Key>"); c != min(10, max(0, n-2990)) {
		t.Fatalf("listed %d keys after reload", c)
	}
	t.Logf("%d sequential durable 1 KB PUTs: %v each; reload of %d objects: %v", n, (put / time.Duration(n)).Round(time.Microsecond), n, load.Round(time.Millisecond))
}
