package e2e

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// TestHTTPSAndHTTPOnOnePort: an SDK client over HTTPS (self-signed
// certificate, verification off, HTTP/2) and one over plain HTTP share the
// port and see the same streams.
func TestHTTPSAndHTTPOnOnePort(t *testing.T) {
	plain, _, endpoint := startServer(t, serverOpts{})
	secure := "https://" + strings.TrimPrefix(endpoint, "http://")
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}
	client := kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(secure),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: tr, Timeout: 10 * time.Second},
	})
	must(client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("tls"), ShardCount: aws.Int32(1)}))
	must(client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("tls"), PartitionKey: aws.String("k"), Data: []byte("over https")}))
	names := must(plain.ListStreams(ctx, &kinesis.ListStreamsInput{})).StreamNames
	if len(names) != 1 || names[0] != "tls" {
		t.Fatalf("plain client sees %v", names)
	}
	// The HTTPS side speaks HTTP/2 when the client offers it.
	resp, err := (&http.Client{Transport: tr}).Get(secure + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Proto != "HTTP/2.0" || resp.TLS == nil {
		t.Fatalf("https /healthz: %s, tls %v", resp.Proto, resp.TLS != nil)
	}
}
