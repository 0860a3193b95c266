package bench

import (
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
)

// callTimeout bounds one API call, so a stuck server cannot hang the bench.
const callTimeout = 60 * time.Second

// newClient returns a Kinesis client for endpoint that does not retry (the
// bench counts and retries everything itself) and keeps up to conns
// connections to the server open.
func newClient(endpoint string, conns int, rawBody bool) (*kinesis.Client, *http.Transport) {
	tr := &http.Transport{
		Proxy:                 nil, // loopback benchmark: never via a proxy
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          conns,
		MaxIdleConnsPerHost:   conns,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		ResponseHeaderTimeout: callTimeout,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        64 << 10,
	}
	var rt http.RoundTripper = tr
	if !rawBody {
		rt = plainBodyTransport{base: tr}
	}
	client := kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDFRESHETBENCH", "freshet-bench-secret", ""),
		BaseEndpoint:     aws.String(endpoint),
		Retryer:          aws.NopRetryer{},
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: rt, Timeout: callTimeout},
	})
	return client, tr
}

// plainBodyTransport works around an aws-sdk-go-v2 race against fast
// loopback servers (aws/aws-sdk-go-v2#1825, #2737): smithy-go wraps the
// request body in a "safe" closer whose WriteTo returns io.EOF once the SDK
// has closed it, which it does as soon as the response arrives. net/http
// copies the Content-Length bytes and then drains the body with io.Copy,
// which prefers WriteTo; if the response came in between, the drain fails
// with io.EOF, the transport treats it as a write error, closes the
// connection, and the call fails with "use of closed network connection"
// although the server has already applied it. Handing the transport a body
// that only has Read and Close keeps it off the WriteTo path: a closed body
// then just reads as EOF, which ends the drain normally.
type plainBodyTransport struct {
	base http.RoundTripper
}

func (t plainBodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.base.RoundTrip(req)
	}
	r := *req // a RoundTripper must not modify the caller's request
	r.Body = plainBody{req.Body}
	return t.base.RoundTrip(&r)
}

// plainBody exposes only io.ReadCloser of the body it wraps.
type plainBody struct {
	rc io.ReadCloser
}

func (b plainBody) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b plainBody) Close() error               { return b.rc.Close() }

// errKind classifies a failed call or record.
type errKind int

const (
	// errService: the server answered with an error (4xx); nothing applied.
	errService errKind = iota
	// errThrottle: throttled; nothing applied, retry later.
	errThrottle
	// errAmbiguous: transport, read or server-side (5xx) failure; the
	// request may or may not have been applied.
	errAmbiguous
)

// throttleCodes are the error codes that mean "slow down".
var throttleCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"LimitExceededException":                 true,
	"KMSThrottlingException":                 true,
}

// classify tells what a failed call means for the records it carried.
func classify(err error) errKind {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return errAmbiguous // transport error, timeout, undecodable response
	}
	if throttleCodes[apiErr.ErrorCode()] {
		return errThrottle
	}
	if apiErr.ErrorFault() == smithy.FaultServer {
		return errAmbiguous
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && status.HTTPStatusCode() >= 500 {
		return errAmbiguous
	}
	return errService
}

// isThrottleCode reports whether a per-record error code is a throttle.
func isThrottleCode(code string) bool { return throttleCodes[code] }
