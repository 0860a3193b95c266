package splunk

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"
)

// responseTimeout bounds one HEC request (connection and answer).
const responseTimeout = 3 * time.Minute

// Options are the destination's dependencies; zero values get defaults.
type Options struct {
	// HTTPClient sends the requests; it is copied, never modified. Nil
	// means a default client. Redirects are never followed and a client
	// without a Timeout gets the 3-minute response timeout.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Sleep waits between attempts (nil: a real timer that stops when ctx
	// ends). Tests inject a fast one that advances their clock.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (o Options) withDefaults() Options {
	c := http.Client{}
	if o.HTTPClient != nil {
		c = *o.HTTPClient
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c.Timeout == 0 {
		c.Timeout = responseTimeout
	}
	o.HTTPClient = &c
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	return o
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jitter spreads d by ±15 %, as AWS documents for its backoff.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.85 + 0.3*rand.Float64()))
}

// transportError names a failed round trip with AWS's Splunk error codes.
func transportError(err error) (code, msg string) {
	var ne net.Error
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var tlsErr tls.RecordHeaderError
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "Splunk.ConnectionTimeout", msgConnectionTimeout
	case errors.As(err, &hostErr):
		return "Splunk.SSLUnverified", "Could not connect to the HEC endpoint. The host does not match the certificate provided by the peer. Make sure that the certificate and the host are valid."
	case errors.As(err, &certErr), errors.As(err, &tlsErr):
		return "Splunk.SSLHandshake", "Could not connect to the HEC endpoint. Make sure that the certificate and the host are valid."
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		return "Splunk.ConnectionClosed", "Unable to send data to Splunk due to a connection failure. This might be a transient error. Increasing the retry duration in your Firehose configuration might guard against such transient failures."
	default:
		return "Splunk.InvalidEndpoint", "Could not connect to the HEC endpoint. Make sure that the HEC endpoint URL is valid and reachable from Firehose."
	}
}
