package transport

import (
	"crypto/tls"
	"io"
	"net"
	"sync"
	"time"
)

// DefaultPeekTimeout is how long [Sniff] waits for a new connection's first
// byte before closing it.
const DefaultPeekTimeout = 10 * time.Second

// recordTypeHandshake is the content type of a TLS handshake record: the
// first byte of every TLS ClientHello. No HTTP/1 method and not the HTTP/2
// preface ("PRI …") starts with it.
const recordTypeHandshake = 0x16

// Accept backs off like net/http does when the underlying listener reports a
// temporary error (running out of file descriptors, for example).
const (
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
)

// Listener serves TLS and plain connections on one underlying listener. It
// decides per connection from the first byte the client sends: a TLS
// handshake record gets the connection wrapped in a *tls.Conn (so net/http
// sets Request.TLS and negotiates HTTP/2 through ALPN), anything else is
// returned as a plain connection.
//
// A goroutine accepts from the underlying listener and starts one goroutine
// per connection to read its first byte, so Accept only ever returns
// connections whose kind is known and a client that connects and stays
// silent never delays the others. A connection that sends nothing within the
// peek timeout is closed.
//
// Create one with [Sniff] or [SniffTimeout]; Close it to stop the accept
// goroutine and close connections still being peeked at.
type Listener struct {
	ln      net.Listener
	tls     *tls.Config
	timeout time.Duration

	conns  chan net.Conn  // sniffed connections, handed over to Accept
	errs   chan error     // temporary errors of the underlying Accept
	done   chan struct{}  // closed by Close
	failed chan struct{}  // closed when the accept goroutine stops
	err    error          // why it stopped; written before failed is closed
	loop   sync.WaitGroup // the accept goroutine and the peek goroutines

	closeOnce sync.Once
	closeErr  error

	mu      sync.Mutex
	pending map[net.Conn]struct{} // being peeked at; nil once closed
}

// Sniff returns a listener that serves TLS with tlsConfig and plain
// connections on ln, waiting up to [DefaultPeekTimeout] for each client's
// first byte. With a nil tlsConfig every connection is passed on as plain.
// The returned Listener owns ln: closing it closes ln.
func Sniff(ln net.Listener, tlsConfig *tls.Config) *Listener {
	return SniffTimeout(ln, tlsConfig, DefaultPeekTimeout)
}

// SniffTimeout is [Sniff] with a different peek timeout; zero or less means
// [DefaultPeekTimeout].
func SniffTimeout(ln net.Listener, tlsConfig *tls.Config, peekTimeout time.Duration) *Listener {
	if peekTimeout <= 0 {
		peekTimeout = DefaultPeekTimeout
	}
	l := &Listener{
		ln:      ln,
		tls:     tlsConfig,
		timeout: peekTimeout,
		conns:   make(chan net.Conn),
		errs:    make(chan error),
		done:    make(chan struct{}),
		failed:  make(chan struct{}),
		pending: make(map[net.Conn]struct{}),
	}
	l.loop.Add(1)
	go l.acceptLoop()
	return l
}

// Accept waits for the next connection whose first byte has arrived. TLS
// connections are returned as *tls.Conn with the handshake not yet done
// (net/http does it in the connection's own goroutine).
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		if l.closed() {
			c.Close()
			return nil, l.closedError()
		}
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.failed:
		if l.closed() {
			return nil, l.closedError()
		}
		return nil, l.err
	case <-l.done:
		return nil, l.closedError()
	}
}

// Close closes the underlying listener and the connections still being
// peeked at. Connections already returned by Accept are not affected. Close
// waits for the listener's goroutines to finish.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() {
		close(l.done)
		l.closeErr = l.ln.Close()
		l.mu.Lock()
		for c := range l.pending {
			c.Close()
		}
		l.pending = nil
		l.mu.Unlock()
		l.loop.Wait()
	})
	return l.closeErr
}

// Addr is the underlying listener's address.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

func (l *Listener) closed() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

func (l *Listener) closedError() error {
	addr := l.ln.Addr()
	return &net.OpError{Op: "accept", Net: addr.Network(), Addr: addr, Err: net.ErrClosed}
}

func (l *Listener) acceptLoop() {
	defer l.loop.Done()
	var backoff time.Duration
	for {
		c, err := l.ln.Accept()
		if err != nil {
			if l.closed() || !isTemporary(err) {
				l.err = err
				close(l.failed)
				return
			}
			select {
			case l.errs <- err:
			case <-l.done:
				continue
			}
			backoff = min(max(2*backoff, minAcceptBackoff), maxAcceptBackoff)
			l.sleep(backoff)
			continue
		}
		backoff = 0
		if !l.track(c) {
			c.Close()
			continue
		}
		l.loop.Add(1)
		go l.sniff(c)
	}
}

// sleep waits for d or until the listener is closed, whichever comes first.
func (l *Listener) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.done:
	}
}

// sniff reads c's first byte and hands c to Accept, wrapped in TLS if the
// byte starts a TLS handshake.
func (l *Listener) sniff(c net.Conn) {
	defer l.loop.Done()
	var first [1]byte
	err := c.SetReadDeadline(time.Now().Add(l.timeout))
	if err == nil {
		_, err = io.ReadFull(c, first[:])
	}
	if err == nil {
		err = c.SetReadDeadline(time.Time{})
	}
	if !l.untrack(c) || err != nil {
		c.Close()
		return
	}
	var conn net.Conn = &peekedConn{Conn: c, buf: first[:]}
	if first[0] == recordTypeHandshake && l.tls != nil {
		conn = tls.Server(conn, l.tls)
	}
	select {
	case l.conns <- conn:
	case <-l.done:
		conn.Close()
	}
}

// track records c as being peeked at, unless the listener is closed.
func (l *Listener) track(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		return false
	}
	l.pending[c] = struct{}{}
	return true
}

// untrack forgets c, and reports false if the listener was closed meanwhile.
func (l *Listener) untrack(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		return false
	}
	delete(l.pending, c)
	return true
}

// isTemporary reports whether an Accept error is worth retrying.
func isTemporary(err error) bool {
	t, ok := err.(interface{ Temporary() bool })
	return ok && t.Temporary()
}

// peekedConn is a connection whose first bytes were already read; Read
// returns them before reading from the connection again.
type peekedConn struct {
	net.Conn

	mu  sync.Mutex
	buf []byte
}

func (c *peekedConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if len(c.buf) > 0 {
		n := copy(p, c.buf)
		c.buf = c.buf[n:]
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

// CloseWrite half-closes the connection when the underlying one can, which
// net/http uses to make sure a client sees an error response before the
// connection goes away.
func (c *peekedConn) CloseWrite() error {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok {
		return nil
	}
	return cw.CloseWrite()
}
