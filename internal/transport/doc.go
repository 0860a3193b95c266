// Package transport lets Freshet serve plain HTTP and TLS on one port,
// with HTTP/1.1 and HTTP/2 on both.
//
// Kinesis clients disagree about how they connect: kinesalite users point
// their SDKs at http://localhost:4567, kinesis-mock and KPL users at
// https://localhost:4567, and the Java SDK v2 and SubscribeToShard need
// HTTP/2 (over TLS with ALPN "h2", or unencrypted with prior knowledge).
// Freshet accepts all of them on a single listener:
//
//   - [Sniff] wraps a net.Listener and looks at the first byte each client
//     sends. A TLS handshake record (0x16) gets the connection wrapped in a
//     *tls.Conn; anything else is handed on unchanged. The peek runs in a
//     goroutine per connection, so a slow or silent client never holds up
//     Accept for the others, and it has a deadline, so idle sockets are
//     closed.
//   - [LoadOrCreate] builds the *tls.Config: it loads a certificate the
//     operator provides, or a self-signed one it generated earlier under the
//     data directory, or generates and keeps one on first start.
//   - [Configure] turns on HTTP/1.1, HTTP/2 over TLS and unencrypted HTTP/2
//     (h2c, prior knowledge) on an *http.Server, using the HTTP/2 support in
//     net/http itself.
//
// Typical use:
//
//	tlsConf, err := transport.LoadOrCreate(dataDir, certFile, keyFile, hosts, log)
//	if err != nil { … }
//	ln, err := net.Listen("tcp", addr)
//	if err != nil { … }
//	srv := &http.Server{Handler: h}
//	transport.Configure(srv)
//	go srv.Serve(transport.Sniff(ln, tlsConf))
//
// The package imports only the standard library.
package transport
