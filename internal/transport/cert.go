package transport

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Where LoadOrCreate keeps the certificate it generates, under its dir.
const (
	tlsSubdir    = "tls"
	certFileName = "cert.pem"
	keyFileName  = "key.pem"
)

// certValidity is how long a generated certificate is valid.
const certValidity = 10 * 365 * 24 * time.Hour

// defaultHosts are always in a generated certificate's SANs.
var defaultHosts = []string{"localhost", "127.0.0.1", "::1"}

// LoadOrCreate returns the TLS configuration Freshet serves with: HTTP/2 and
// HTTP/1.1 through ALPN, TLS 1.2 or later, and one certificate, which is
//
//   - certFile and keyFile (PEM) when either is set; both must be;
//   - otherwise dir/tls/cert.pem with dir/tls/key.pem, when cert.pem exists;
//   - otherwise a self-signed ECDSA P-256 certificate generated now, valid
//     for 10 years for localhost, 127.0.0.1, ::1 and hosts (names or IP
//     addresses), and saved there (the key with mode 0600) for later starts.
//     With dir empty it is generated but not saved.
//
// Clients can trust a generated certificate by adding dir/tls/cert.pem to
// their trust store. To cover new hosts, delete dir/tls and restart; a
// warning is logged for each of hosts the certificate does not cover.
func LoadOrCreate(dir, certFile, keyFile string, hosts []string, log *slog.Logger) (*tls.Config, error) {
	cert, err := loadOrCreate(dir, certFile, keyFile, hosts, log)
	if err != nil {
		return nil, err
	}
	checkCert(cert.Leaf, hosts, log)
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
		MinVersion:   tls.VersionTLS12,
	}, nil
}

func loadOrCreate(dir, certFile, keyFile string, hosts []string, log *slog.Logger) (tls.Certificate, error) {
	if certFile != "" || keyFile != "" {
		if certFile == "" || keyFile == "" {
			return tls.Certificate{}, errors.New("transport: a tls certificate file and a key file must be given together")
		}
		cert, err := loadPair(certFile, keyFile)
		if err != nil {
			return tls.Certificate{}, err
		}
		logCert(log, "tls certificate loaded", certFile, cert.Leaf)
		return cert, nil
	}

	if dir == "" {
		certPEM, keyPEM, err := generate(hosts, time.Now())
		if err != nil {
			return tls.Certificate{}, err
		}
		cert, err := parsePair(certPEM, keyPEM)
		if err != nil {
			return tls.Certificate{}, err
		}
		logCert(log, "generated a temporary self-signed tls certificate (not saved: no data directory)", "", cert.Leaf)
		return cert, nil
	}

	tlsDir := filepath.Join(dir, tlsSubdir)
	certPath := filepath.Join(tlsDir, certFileName)
	keyPath := filepath.Join(tlsDir, keyFileName)
	// cert.pem is written last, so its presence means a complete pair.
	_, err := os.Stat(certPath)
	if err == nil {
		cert, err := loadPair(certPath, keyPath)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("%w (delete %s to generate a new certificate)", err, tlsDir)
		}
		logCert(log, "tls certificate loaded", certPath, cert.Leaf)
		return cert, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, fmt.Errorf("transport: tls certificate: %w", err)
	}

	certPEM, keyPEM, err := generate(hosts, time.Now())
	if err != nil {
		return tls.Certificate{}, err
	}
	cert, err := parsePair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.MkdirAll(tlsDir, 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: create tls directory: %w", err)
	}
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	logCert(log, "generated a self-signed tls certificate; clients can trust it by adding the cert file to their trust store", certPath, cert.Leaf)
	return cert, nil
}

// loadPair reads a PEM certificate (chain) and its private key.
func loadPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: read tls certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: read tls key: %w", err)
	}
	cert, err := parsePair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w (certificate %s, key %s)", err, certFile, keyFile)
	}
	return cert, nil
}

// parsePair parses a PEM certificate and key and makes sure Leaf is set.
func parsePair(certPEM, keyPEM []byte) (tls.Certificate, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: parse tls certificate and key: %w", err)
	}
	if cert.Leaf == nil {
		leaf, err := x509.ParseCertificate(cert.Certificate[0])
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("transport: parse tls certificate: %w", err)
		}
		cert.Leaf = leaf
	}
	return cert, nil
}

// generate makes a self-signed ECDSA P-256 server certificate for the
// default hosts and hosts, and returns it and its PKCS #8 key as PEM.
func generate(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("transport: generate tls key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("transport: generate serial number: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("transport: marshal public key: %w", err)
	}
	keyID := sha256.Sum256(pub)
	dnsNames, ips := splitHosts(append(slices.Clone(defaultHosts), hosts...))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "freshet", Organization: []string{"Freshet (self-signed)"}},
		NotBefore:             now.Add(-time.Hour), // tolerate clients whose clocks lag a little
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          keyID[:20],
		DNSNames:              dnsNames,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("transport: create tls certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("transport: marshal tls key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}

// splitHosts sorts hosts into DNS names and IP addresses, dropping empty
// entries and duplicates. "[::1]" is read as an IP address.
func splitHosts(hosts []string) (dnsNames []string, ips []net.IP) {
	seen := make(map[string]bool)
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); ip != nil {
			if !seen[ip.String()] {
				seen[ip.String()] = true
				ips = append(ips, ip)
			}
			continue
		}
		h = strings.ToLower(h)
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		dnsNames = append(dnsNames, h)
	}
	return dnsNames, ips
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, so path is either absent or complete.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("transport: write %s: %w", path, err)
	}
	tmp := f.Name()
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("transport: write %s: %w", path, err)
	}
	return nil
}

// checkCert warns about a certificate that is out of its validity period or
// does not cover one of hosts.
func checkCert(leaf *x509.Certificate, hosts []string, log *slog.Logger) {
	now := time.Now()
	if now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		log.Warn("tls certificate is not valid now; clients that verify it will fail", "not_before", leaf.NotBefore, "not_after", leaf.NotAfter)
	}
	for _, h := range hosts {
		h = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(h), "["), "]")
		if h == "" {
			continue
		}
		if err := leaf.VerifyHostname(h); err != nil {
			log.Warn("tls certificate does not cover a configured host; clients that verify it will fail for that name", "host", h, "dns_names", leaf.DNSNames, "ip_addresses", leaf.IPAddresses)
		}
	}
}

// logCert logs what a certificate is for; never anything about its key.
func logCert(log *slog.Logger, msg, path string, leaf *x509.Certificate) {
	sum := sha256.Sum256(leaf.Raw)
	attrs := []any{
		"subject", leaf.Subject.String(),
		"dns_names", leaf.DNSNames,
		"ip_addresses", leaf.IPAddresses,
		"not_after", leaf.NotAfter.UTC().Format(time.RFC3339),
		"sha256", hex.EncodeToString(sum[:]),
	}
	if path != "" {
		attrs = append([]any{"cert_file", path}, attrs...)
	}
	log.Info(msg, attrs...)
}
