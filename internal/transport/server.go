package transport

import "net/http"

// Protocols returns the protocols Freshet serves: HTTP/1.1, HTTP/2 over TLS
// (negotiated through ALPN) and unencrypted HTTP/2 with prior knowledge
// (h2c, for HTTP/2 clients pointed at an http:// endpoint). The HTTP/1.1
// "Upgrade: h2c" dance is not supported by net/http.
func Protocols() *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	return p
}

// Configure sets srv up to serve [Protocols] on a listener from [Sniff]. It
// leaves srv.TLSConfig alone: the Listener does the TLS, and net/http
// negotiates HTTP/2 on any *tls.Conn it accepts whose ALPN chose "h2".
func Configure(srv *http.Server) {
	srv.Protocols = Protocols()
}
