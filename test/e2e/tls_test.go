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
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
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

// TestSubscribeToShardOverHTTP2: enhanced fan-out over HTTPS with HTTP/2
// (ALPN h2), as the Java SDK and KCL use it.
func TestSubscribeToShardOverHTTP2(t *testing.T) {
	_, _, endpoint := startServer(t, serverOpts{})
	secure := "https://" + strings.TrimPrefix(endpoint, "http://")
	var protos []string
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}
	c := kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(secure),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient: httpDoer(func(r *http.Request) (*http.Response, error) {
			resp, err := tr.RoundTrip(r)
			if err == nil {
				protos = append(protos, resp.Proto)
			}
			return resp, err
		}),
	})
	createActive(t, c, "h2", 1)
	consumer := registerActive(t, c, "arn:aws:kinesis:us-east-1:000000000000:stream/h2", "h2c")
	must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("h2"), PartitionKey: aws.String("k"), Data: []byte("over h2")}))
	recs, _, _ := subscribe(t, c, consumer, "shardId-000000000000", types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}, 1, 5*time.Second)
	if len(recs) != 1 || string(recs[0].Data) != "over h2" {
		t.Fatalf("received %d records", len(recs))
	}
	for _, p := range protos {
		if p != "HTTP/2.0" {
			t.Fatalf("a call went over %s", p)
		}
	}
}

type httpDoer func(*http.Request) (*http.Response, error)

func (f httpDoer) Do(r *http.Request) (*http.Response, error) { return f(r) }
