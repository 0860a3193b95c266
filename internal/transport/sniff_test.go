package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServer is an http.Server behind a sniffing listener on 127.0.0.1.
type testServer struct {
	addr    string // host:port
	port    string
	dataDir string // LoadOrCreate's dir; the certificate is in dataDir/tls
	ln      *Listener
}

// protoHandler reports how the request arrived.
func protoHandler(w http.ResponseWriter, r *http.Request) {
	alpn := ""
	if r.TLS != nil {
		alpn = r.TLS.NegotiatedProtocol
	}
	fmt.Fprintf(w, "%s tls=%t alpn=%s", r.Proto, r.TLS != nil, alpn)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func startServer(t *testing.T, handler http.Handler, peekTimeout time.Duration) *testServer {
	t.Helper()
	dir := t.TempDir()
	conf, err := LoadOrCreate(dir, "", "", nil, discardLogger())
	if err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ln := SniffTimeout(raw, conf, peekTimeout)
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(discardLogger().Handler(), slog.LevelDebug),
	}
	Configure(srv)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	_, port, _ := net.SplitHostPort(raw.Addr().String())
	return &testServer{addr: raw.Addr().String(), port: port, dataDir: dir, ln: ln}
}

func get(t *testing.T, tr *http.Transport, url string) string {
	t.Helper()
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", url, resp.StatusCode, body)
	}
	return string(body)
}

func protocols(http1, http2, h2c bool) *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(http1)
	p.SetHTTP2(http2)
	p.SetUnencryptedHTTP2(h2c)
	return p
}

func trustGenerated(t *testing.T, dataDir string) *x509.CertPool {
	t.Helper()
	pemBytes, err := os.ReadFile(filepath.Join(dataDir, "tls", "cert.pem"))
	if err != nil {
		t.Fatalf("read generated cert: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("generated cert.pem has no certificate")
	}
	return pool
}

func TestProtocolsOnOnePort(t *testing.T) {
	s := startServer(t, http.HandlerFunc(protoHandler), 0)
	insecure := &tls.Config{InsecureSkipVerify: true}
	pool := trustGenerated(t, s.dataDir)

	tests := []struct {
		name string
		url  string
		tr   func() *http.Transport
		want string
	}{
		{
			name: "plain HTTP/1.1",
			url:  "http://" + s.addr + "/",
			tr:   func() *http.Transport { return &http.Transport{} },
			want: "HTTP/1.1 tls=false alpn=",
		},
		{
			name: "h2c prior knowledge",
			url:  "http://" + s.addr + "/",
			tr:   func() *http.Transport { return &http.Transport{Protocols: protocols(false, false, true)} },
			want: "HTTP/2.0 tls=false alpn=",
		},
		{
			name: "HTTPS HTTP/1.1",
			url:  "https://" + s.addr + "/",
			tr:   func() *http.Transport { return &http.Transport{TLSClientConfig: insecure.Clone()} },
			want: "HTTP/1.1 tls=true alpn=", // no ALPN offered by an HTTP/1-only client
		},
		{
			name: "HTTPS ForceAttemptHTTP2",
			url:  "https://" + s.addr + "/",
			tr: func() *http.Transport {
				return &http.Transport{TLSClientConfig: insecure.Clone(), ForceAttemptHTTP2: true}
			},
			want: "HTTP/2.0 tls=true alpn=h2",
		},
		{
			name: "HTTPS Protocols HTTP/2 only",
			url:  "https://" + s.addr + "/",
			tr: func() *http.Transport {
				return &http.Transport{TLSClientConfig: insecure.Clone(), Protocols: protocols(false, true, false)}
			},
			want: "HTTP/2.0 tls=true alpn=h2",
		},
		{
			name: "HTTPS verified localhost",
			url:  "https://localhost:" + s.port + "/",
			tr: func() *http.Transport {
				return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
			},
			want: "HTTP/2.0 tls=true alpn=h2",
		},
		{
			name: "HTTPS verified 127.0.0.1",
			url:  "https://127.0.0.1:" + s.port + "/",
			tr: func() *http.Transport {
				return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
			},
			want: "HTTP/1.1 tls=true alpn=", // no ALPN offered by an HTTP/1-only client
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := get(t, tt.tr(), tt.url); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("HTTPS verified wrong name fails", func(t *testing.T) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"}}
		defer tr.CloseIdleConnections()
		_, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("https://" + s.addr + "/")
		var hostErr x509.HostnameError
		if !errors.As(err, &hostErr) {
			t.Fatalf("err = %v, want a x509.HostnameError", err)
		}
	})

	t.Run("TLS 1.1 refused", func(t *testing.T) {
		conn, err := tls.Dial("tcp", s.addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11})
		if err == nil {
			conn.Close()
			t.Fatal("TLS 1.1 handshake succeeded")
		}
	})

	t.Run("concurrent mixed clients", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				var tr *http.Transport
				url := "http://" + s.addr + "/"
				switch i % 3 {
				case 0:
					tr = &http.Transport{}
				case 1:
					tr = &http.Transport{Protocols: protocols(false, false, true)}
				default:
					tr = &http.Transport{TLSClientConfig: insecure.Clone(), ForceAttemptHTTP2: true}
					url = "https://" + s.addr + "/"
				}
				defer tr.CloseIdleConnections()
				resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(url)
				if err != nil {
					t.Errorf("client %d: %v", i, err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		wg.Wait()
	})
}

// TestSilentClientDoesNotBlockAccept connects clients that send nothing (or
// only the first byte of a TLS handshake) and checks that others are still
// served, and that the silent ones are closed after the peek timeout.
func TestSilentClientDoesNotBlockAccept(t *testing.T) {
	const peek = time.Second
	s := startServer(t, http.HandlerFunc(protoHandler), peek)

	start := time.Now()
	var silent []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		silent = append(silent, c)
	}
	// Let the listener accept them before the real clients arrive.
	time.Sleep(20 * time.Millisecond)

	if got := get(t, &http.Transport{}, "http://"+s.addr+"/"); !strings.HasPrefix(got, "HTTP/1.1 tls=false") {
		t.Errorf("plain client got %q", got)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}
	if got := get(t, tr, "https://"+s.addr+"/"); !strings.HasPrefix(got, "HTTP/2.0 tls=true") {
		t.Errorf("TLS client got %q", got)
	}
	if elapsed := time.Since(start); elapsed >= peek {
		t.Errorf("clients were served after %v, not before the silent ones' peek timeout %v", elapsed, peek)
	}

	for i, c := range silent {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := c.Read(make([]byte, 1))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("silent client %d: not closed within 5s", i)
		}
		if err == nil {
			t.Fatalf("silent client %d: read %d bytes, want the connection closed", i, n)
		}
	}
	if elapsed := time.Since(start); elapsed < peek {
		t.Errorf("silent clients closed after %v, before the peek timeout %v", elapsed, peek)
	}
}

func TestListenerClose(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ln := SniffTimeout(raw, nil, time.Minute)

	// A connection that sent its first byte and waits to be accepted, and
	// one that is still being peeked at.
	ready, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ready.Close()
	if _, err := ready.Write([]byte("G")); err != nil {
		t.Fatalf("write: %v", err)
	}
	idle, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer idle.Close()
	time.Sleep(50 * time.Millisecond)

	closed := make(chan error, 1)
	go func() { closed <- ln.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if err := ln.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	if c, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close = %v, %v; want net.ErrClosed", c, err)
	}
	for name, c := range map[string]net.Conn{"ready": ready, "idle": idle} {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := c.Read(make([]byte, 1))
		var ne net.Error
		if err == nil || errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s connection: read err = %v, want it closed by Close", name, err)
		}
	}
}

// fakeListener returns queued results from Accept.
type fakeListener struct {
	results chan acceptResult
	done    chan struct{}
	once    sync.Once
}

type acceptResult struct {
	conn net.Conn
	err  error
}

func (f *fakeListener) Accept() (net.Conn, error) {
	select {
	case r := <-f.results:
		return r.conn, r.err
	case <-f.done:
		return nil, net.ErrClosed
	}
}

func (f *fakeListener) Close() error {
	f.once.Do(func() { close(f.done) })
	return nil
}

func (f *fakeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

type tempError struct{}

func (tempError) Error() string   { return "temporary accept failure" }
func (tempError) Timeout() bool   { return false }
func (tempError) Temporary() bool { return true }

func TestAcceptErrors(t *testing.T) {
	f := &fakeListener{results: make(chan acceptResult, 3), done: make(chan struct{})}
	server, client := net.Pipe()
	defer client.Close()
	go client.Write([]byte("PRI * HTTP/2.0\r\n"))
	fatal := errors.New("fatal accept failure")
	f.results <- acceptResult{err: tempError{}}
	f.results <- acceptResult{conn: server}
	ln := SniffTimeout(f, nil, time.Minute)
	defer ln.Close()

	if _, err := ln.Accept(); !errors.Is(err, tempError{}) {
		t.Fatalf("first Accept: err = %v, want the temporary error", err)
	}
	c, err := ln.Accept()
	if err != nil {
		t.Fatalf("second Accept: %v", err)
	}
	got := make([]byte, len("PRI * HTTP/2.0\r\n"))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "PRI * HTTP/2.0\r\n" {
		t.Errorf("read %q, %v; want the bytes the client sent, first byte included", got, err)
	}
	c.Close()
	f.results <- acceptResult{err: fatal}
	for range 2 {
		if _, err := ln.Accept(); !errors.Is(err, fatal) {
			t.Fatalf("Accept after a permanent error: err = %v, want %v", err, fatal)
		}
	}
}
