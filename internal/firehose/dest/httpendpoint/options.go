package httpendpoint

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

// responseTimeout is AWS's documented 3-minute response timeout.
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

// transportError names a failed round trip with AWS's error codes.
func transportError(err error) (code, msg string) {
	var ne net.Error
	var tlsErr tls.RecordHeaderError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "HttpEndpoint.RequestTimeout", "The endpoint did not respond within 3 minutes."
	case errors.As(err, &tlsErr), errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr):
		return "HttpEndpoint.SSLHandshakeFailure", "Could not complete an SSL handshake with the endpoint."
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		return "HttpEndpoint.ConnectionReset", "The connection was reset or closed by the endpoint."
	default:
		return "HttpEndpoint.ConnectionFailed", "Could not connect to the endpoint."
	}
}
