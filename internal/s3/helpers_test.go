package s3_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/freshet/freshet/internal/s3"
)

// server runs a Service (on dir; "" = memory) behind an httptest.Server.
func server(t *testing.T, dir string) (*s3.Service, *httptest.Server) {
	t.Helper()
	svc := s3.New(s3.Options{Dir: dir})
	if err := svc.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(svc)
	t.Cleanup(func() {
		ts.Close()
		_ = svc.Close()
	})
	return svc, ts
}

// client returns an aws-sdk-go-v2 S3 client for ts. Virtual-host style
// uses BaseEndpoint http://localhost:<port>, so requests carry Host
// <bucket>.localhost:<port>; the dialer sends them all to ts.
func client(t *testing.T, ts *httptest.Server, pathStyle bool) *awss3.Client {
	t.Helper()
	addr := ts.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}
	scheme := "http"
	if ts.TLS != nil {
		scheme = "https"
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	hc := &http.Client{Transport: tr}
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:  hc,
	}
	return awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		o.BaseEndpoint = aws.String(scheme + "://localhost:" + port)
		o.UsePathStyle = pathStyle
	})
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func body(s string) *strings.Reader { return strings.NewReader(s) }
