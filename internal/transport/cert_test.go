package transport

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func bufLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func leafOf(t *testing.T, conf *tls.Config) *x509.Certificate {
	t.Helper()
	if len(conf.Certificates) != 1 {
		t.Fatalf("config has %d certificates, want 1", len(conf.Certificates))
	}
	leaf, err := x509.ParseCertificate(conf.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	return leaf
}

func TestLoadOrCreateGeneratesOnceAndReloads(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	hosts := []string{"freshet.test", "10.1.2.3", " ", "[fd00::1]", "LOCALHOST"}
	first, err := LoadOrCreate(dir, "", "", hosts, bufLogger(&logs))
	if err != nil {
		t.Fatalf("first LoadOrCreate: %v", err)
	}
	if !slices.Equal(first.NextProtos, []string{"h2", "http/1.1"}) {
		t.Errorf("NextProtos = %v", first.NextProtos)
	}
	if first.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %#x, want TLS 1.2", first.MinVersion)
	}

	leaf := leafOf(t, first)
	if leaf.Subject.CommonName != "freshet" {
		t.Errorf("CN = %q", leaf.Subject.CommonName)
	}
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key is %T, want ECDSA P-256", leaf.PublicKey)
	}
	if got := leaf.NotAfter.Sub(leaf.NotBefore); got < 10*365*24*time.Hour {
		t.Errorf("valid for %v, want 10 years", got)
	}
	if !slices.Equal(leaf.DNSNames, []string{"localhost", "freshet.test"}) {
		t.Errorf("DNSNames = %v", leaf.DNSNames)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if !slices.Equal(ips, []string{"127.0.0.1", "::1", "10.1.2.3", "fd00::1"}) {
		t.Errorf("IPAddresses = %v", ips)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "freshet.test", "10.1.2.3", "fd00::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}

	keyPath := filepath.Join(dir, "tls", "key.pem")
	certPath := filepath.Join(dir, "tls", "cert.pem")
	st, err := os.Stat(keyPath)
	if err != nil {
		t.Fatalf("stat key: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key mode = %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(certPath); err != nil {
		t.Fatalf("stat cert: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "tls")); len(entries) != 2 {
		t.Errorf("tls dir has %d entries, want cert.pem and key.pem only", len(entries))
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatalf("read key: %v", err)
	}
	if strings.Contains(logs.String(), "PRIVATE") || bytes.Contains(logs.Bytes(), keyPEM[30:60]) {
		t.Error("the log mentions the private key")
	}
	if !strings.Contains(logs.String(), "generated a self-signed tls certificate") {
		t.Errorf("no log about the generated certificate:\n%s", logs.String())
	}

	logs.Reset()
	second, err := LoadOrCreate(dir, "", "", hosts, bufLogger(&logs))
	if err != nil {
		t.Fatalf("second LoadOrCreate: %v", err)
	}
	if !bytes.Equal(first.Certificates[0].Certificate[0], second.Certificates[0].Certificate[0]) {
		t.Error("second call did not reload the generated certificate")
	}
	if !strings.Contains(logs.String(), "tls certificate loaded") {
		t.Errorf("no log about the loaded certificate:\n%s", logs.String())
	}

	// A host the stored certificate does not cover: loaded anyway, with a warning.
	logs.Reset()
	third, err := LoadOrCreate(dir, "", "", []string{"other.test"}, bufLogger(&logs))
	if err != nil {
		t.Fatalf("third LoadOrCreate: %v", err)
	}
	if !bytes.Equal(first.Certificates[0].Certificate[0], third.Certificates[0].Certificate[0]) {
		t.Error("third call did not reload the generated certificate")
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "other.test") {
		t.Errorf("no warning about the uncovered host:\n%s", logs.String())
	}
}

func TestLoadOrCreateExplicitFiles(t *testing.T) {
	genDir := t.TempDir()
	generated, err := LoadOrCreate(genDir, "", "", nil, discardLogger())
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	certFile := filepath.Join(genDir, "tls", "cert.pem")
	keyFile := filepath.Join(genDir, "tls", "key.pem")

	dir := t.TempDir()
	conf, err := LoadOrCreate(dir, certFile, keyFile, nil, discardLogger())
	if err != nil {
		t.Fatalf("LoadOrCreate with files: %v", err)
	}
	if !bytes.Equal(generated.Certificates[0].Certificate[0], conf.Certificates[0].Certificate[0]) {
		t.Error("did not load the given certificate")
	}
	if !slices.Equal(conf.NextProtos, []string{"h2", "http/1.1"}) {
		t.Errorf("NextProtos = %v", conf.NextProtos)
	}
	if _, err := os.Stat(filepath.Join(dir, "tls")); !os.IsNotExist(err) {
		t.Errorf("generated a certificate although files were given (stat: %v)", err)
	}
}

func TestLoadOrCreateErrors(t *testing.T) {
	genDir := t.TempDir()
	if _, err := LoadOrCreate(genDir, "", "", nil, discardLogger()); err != nil {
		t.Fatalf("generate: %v", err)
	}
	goodCert := filepath.Join(genDir, "tls", "cert.pem")
	goodKey := filepath.Join(genDir, "tls", "key.pem")
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")

	// A stored certificate whose key is gone.
	noKeyDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(noKeyDir, "tls"), 0o700); err != nil {
		t.Fatal(err)
	}
	certPEM, _ := os.ReadFile(goodCert)
	if err := os.WriteFile(filepath.Join(noKeyDir, "tls", "cert.pem"), certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	// A stored certificate that is junk.
	junkDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(junkDir, "tls"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cert.pem", "key.pem"} {
		if err := os.WriteFile(filepath.Join(junkDir, "tls", name), []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A certificate with somebody else's key.
	otherDir := t.TempDir()
	if _, err := LoadOrCreate(otherDir, "", "", nil, discardLogger()); err != nil {
		t.Fatalf("generate: %v", err)
	}
	otherKey := filepath.Join(otherDir, "tls", "key.pem")

	tests := []struct {
		name              string
		dir, cert, key    string
		wantSub, wantSub2 string
	}{
		{"cert without key", t.TempDir(), goodCert, "", "given together", ""},
		{"key without cert", t.TempDir(), "", goodKey, "given together", ""},
		{"junk cert file", t.TempDir(), junk, goodKey, "parse tls certificate", junk},
		{"junk key file", t.TempDir(), goodCert, junk, "parse tls certificate", junk},
		{"missing cert file", t.TempDir(), missing, goodKey, "read tls certificate", missing},
		{"mismatched key", t.TempDir(), goodCert, otherKey, "parse tls certificate", otherKey},
		{"stored cert without key", noKeyDir, "", "", "read tls key", "delete " + filepath.Join(noKeyDir, "tls")},
		{"stored junk", junkDir, "", "", "parse tls certificate", "delete " + filepath.Join(junkDir, "tls")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf, err := LoadOrCreate(tt.dir, tt.cert, tt.key, nil, discardLogger())
			if err == nil {
				t.Fatalf("LoadOrCreate succeeded (%d certificates)", len(conf.Certificates))
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "transport: ") || !strings.Contains(msg, tt.wantSub) || !strings.Contains(msg, tt.wantSub2) {
				t.Errorf("err = %q, want it to start with \"transport: \" and mention %q and %q", msg, tt.wantSub, tt.wantSub2)
			}
		})
	}
}

func TestLoadOrCreateWithoutDir(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	conf, err := LoadOrCreate("", "", "", []string{"freshet.test"}, discardLogger())
	if err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	if err := leafOf(t, conf).VerifyHostname("freshet.test"); err != nil {
		t.Errorf("VerifyHostname: %v", err)
	}
	if entries, _ := os.ReadDir(wd); len(entries) != 0 {
		t.Errorf("wrote %d files without a data directory", len(entries))
	}
}

func TestSplitHosts(t *testing.T) {
	dns, ips := splitHosts([]string{"a.test", "A.test", "", "127.0.0.1", "[::1]", "::1", "*.b.test"})
	if !slices.Equal(dns, []string{"a.test", "*.b.test"}) {
		t.Errorf("dns = %v", dns)
	}
	if len(ips) != 2 || !ips[0].Equal(net.IPv4(127, 0, 0, 1)) || !ips[1].Equal(net.IPv6loopback) {
		t.Errorf("ips = %v", ips)
	}
}
