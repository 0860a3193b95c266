package s3

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/sigv4"
)

const (
	xmlns         = "http://s3.amazonaws.com/doc/2006-03-01/"
	maxKeyLen     = 1024
	minPartSize   = 5 << 20
	maxObjectSize = 5 << 30
	maxPartNumber = 10000
	ownerID       = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
	ownerName     = "freshet"
)

// Options configure a Service.
type Options struct {
	// Dir is where buckets and objects are stored; "" keeps them in memory.
	Dir    string
	Logger *slog.Logger
	// Region is what GetBucketLocation and ListBuckets report; default us-east-1.
	Region string
	// Domains are the host names under which virtual-host-style requests
	// (Host: <bucket>.<domain>) are recognised; default "localhost" and
	// "s3.localhost".
	Domains []string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Verify, when set, is called for every request; its error is the answer.
	Verify func(r *http.Request) error
}

// Service serves the S3 REST-XML API subset. It is an http.Handler.
type Service struct {
	dir     string
	log     *slog.Logger
	region  string
	domains []string
	now     func() time.Time
	verify  func(r *http.Request) error

	mu      sync.RWMutex
	buckets map[string]*bucket
	loaded  bool
	closed  bool
}

// New returns a Service. With a Dir, Initialize loads what is stored there;
// ServeHTTP calls it on first use if the caller has not.
func New(o Options) *Service {
	s := &Service{
		dir:     o.Dir,
		log:     o.Logger,
		region:  o.Region,
		domains: o.Domains,
		now:     o.Now,
		verify:  o.Verify,
		buckets: map[string]*bucket{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if len(s.domains) == 0 {
		s.domains = []string{"localhost", "s3.localhost"}
	}
	for i, d := range s.domains {
		s.domains[i] = strings.ToLower(strings.TrimSuffix(d, "."))
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Close marks the service closed; later requests get 503. Files are always
// consistent on disk, so there is nothing to flush.
func (s *Service) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// Match reports whether a request arriving on Freshet's shared port is an S3
// request.
func (s *Service) Match(r *http.Request) bool {
	if a, err := sigv4.Parse(r); err == nil && a != nil {
		if a.Service == "s3" {
			return true
		}
		b, _ := s.hostBucket(r.Host)
		return b != ""
	}
	if b, _ := s.hostBucket(r.Host); b != "" {
		return true
	}
	if r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	if r.Method == http.MethodPost && strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded") {
		return false
	}
	return r.URL.Path != "/" || r.Method != http.MethodPost
}

// hostBucket returns the bucket named by a virtual-host-style Host header.
func (s *Service) hostBucket(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range s.domains {
		if len(host) > len(d)+1 && strings.HasSuffix(host, d) && host[len(host)-len(d)-1] == '.' {
			return host[:len(host)-len(d)-1], true
		}
	}
	return "", false
}

func newRequestID() (string, string) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	var h [32]byte
	_, _ = rand.Read(h[:])
	return strings.ToUpper(hex.EncodeToString(b[:])), base64.StdEncoding.EncodeToString(h[:])
}

// ServeHTTP answers one S3 request.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, id2 := newRequestID()
	h := w.Header()
	h.Set("X-Amz-Request-Id", id)
	h.Set("X-Amz-Id-2", id2)
	h.Set("Server", "Freshet")
	if err := s.ensureLoaded(); err != nil {
		s.log.Error("s3: load", "err", err)
		s.writeError(w, r, errInternal())
		return
	}
	if s.verify != nil {
		if err := s.verify(r); err != nil {
			s.writeError(w, r, fromAWSErr(err))
			return
		}
	}
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		s.writeError(w, r, newErr(http.StatusServiceUnavailable, "ServiceUnavailable", "Please reduce your request rate."))
		return
	}
	bkt, key, ok := s.target(r)
	if !ok {
		s.writeError(w, r, errInvalidRequest("The request path is not valid."))
		return
	}
	var e *Error
	switch {
	case bkt == "":
		e = s.serveService(w, r)
	case key == "":
		e = s.serveBucket(w, r, bkt)
	default:
		e = s.serveObject(w, r, bkt, key)
	}
	if e != nil {
		if e.Status >= 500 {
			s.log.Error("s3: request failed", "method", r.Method, "bucket", bkt, "code", e.Code)
		}
		s.writeError(w, r, e)
	}
}

// fromAWSErr turns a verifier's error into S3's: the JSON services' SigV4
// codes become the ones S3 uses for the same failures.
func fromAWSErr(err error) *Error {
	ae, ok := awserr.As(err)
	if !ok {
		return newErr(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	switch ae.Code {
	case "InvalidSignatureException":
		if strings.Contains(ae.Message, "expired") || strings.Contains(ae.Message, "Signature not yet current") {
			return newErr(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
		}
		return newErr(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	case "UnrecognizedClientException":
		return newErr(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	case "MissingAuthenticationTokenException":
		return newErr(http.StatusForbidden, "AccessDenied", "Access Denied")
	case "IncompleteSignatureException":
		return newErr(http.StatusBadRequest, "AuthorizationHeaderMalformed", ae.Message)
	}
	st := ae.Status
	if st == 0 {
		st = http.StatusForbidden
	}
	return newErr(st, ae.Code, ae.Message)
}

// target splits the request into bucket and key, path style or
// virtual-host style.
func (s *Service) target(r *http.Request) (bucket, key string, ok bool) {
	p := r.URL.Path
	if r.URL.RawPath != "" {
		if u, err := url.PathUnescape(r.URL.RawPath); err == nil {
			p = u
		}
	}
	if b, vh := s.hostBucket(r.Host); vh {
		return b, strings.TrimPrefix(p, "/"), true
	}
	if !strings.HasPrefix(p, "/") {
		return "", "", p == "" || p == "*"
	}
	p = p[1:]
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key, true
}

// validBucketName applies S3's rules for new bucket names.
func validBucketName(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	first, last := b[0], b[len(b)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' {
		return false
	}
	if strings.Contains(b, "..") || strings.Contains(b, ".-") || strings.Contains(b, "-.") {
		return false
	}
	if net.ParseIP(b) != nil {
		return false
	}
	if strings.HasPrefix(b, "xn--") || strings.HasPrefix(b, "sthree-") || strings.HasSuffix(b, "-s3alias") || strings.HasSuffix(b, "--ol-s3") {
		return false
	}
	return true
}

// writeXML sends v as an XML document with S3's namespace.
func (s *Service) writeXML(w http.ResponseWriter, status int, v any) *Error {
	out, err := xml.Marshal(v)
	if err != nil {
		s.log.Error("s3: encode answer", "err", err)
		return errInternal()
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
	return nil
}

// xmlTime formats t as S3 does in XML: ISO 8601 with milliseconds, UTC.
func xmlTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

func httpTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(http.TimeFormat)
}

func quote(etag string) string { return `"` + etag + `"` }

// hasAny reports whether q has any of the given sub-resource names.
func hasAny(q url.Values, names ...string) string {
	for _, n := range names {
		if _, ok := q[n]; ok {
			return n
		}
	}
	return ""
}

// unbuilt are S3 sub-resources Freshet does not serve: NotImplemented.
var unbuilt = []string{"acl", "policy", "policyStatus", "tagging", "cors", "lifecycle", "website",
	"logging", "notification", "replication", "encryption", "object-lock", "retention", "legal-hold",
	"accelerate", "requestPayment", "analytics", "inventory", "metrics", "intelligent-tiering",
	"ownershipControls", "publicAccessBlock", "versions", "torrent", "restore", "select", "attributes",
	"versionId", "metadataTable", "session", "renameObject"}

func (s *Service) serveService(w http.ResponseWriter, r *http.Request) *Error {
	if r.Method != http.MethodGet {
		return errMethodNotAllowed(r.Method, "SERVICE")
	}
	return s.listBuckets(w)
}

func (s *Service) serveBucket(w http.ResponseWriter, r *http.Request, b string) *Error {
	q := r.URL.Query()
	if hasAny(q, unbuilt...) != "" {
		return errNotImplemented()
	}
	switch r.Method {
	case http.MethodPut:
		if _, ok := q["versioning"]; ok {
			return errNotImplemented()
		}
		return s.createBucket(w, r, b)
	case http.MethodHead:
		return s.headBucket(w, b)
	case http.MethodDelete:
		return s.deleteBucket(w, b)
	case http.MethodGet:
		switch {
		case hasAny(q, "location") != "":
			return s.getLocation(w, b)
		case hasAny(q, "versioning") != "":
			return s.getVersioning(w, b)
		case hasAny(q, "uploads") != "":
			return s.listUploads(w, r, b)
		case q.Get("list-type") == "2":
			return s.listObjects(w, r, b, true)
		default:
			return s.listObjects(w, r, b, false)
		}
	case http.MethodPost:
		if hasAny(q, "delete") != "" {
			return s.deleteObjects(w, r, b)
		}
		return errNotImplemented()
	}
	return errMethodNotAllowed(r.Method, "BUCKET")
}

func (s *Service) serveObject(w http.ResponseWriter, r *http.Request, b, key string) *Error {
	q := r.URL.Query()
	if hasAny(q, unbuilt...) != "" {
		return errNotImplemented()
	}
	if len(key) > maxKeyLen {
		return errKeyTooLong()
	}
	uploadID, isPart := q["uploadId"]
	switch r.Method {
	case http.MethodPut:
		if isPart {
			return s.uploadPart(w, r, b, key, uploadID[0], q.Get("partNumber"))
		}
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			return s.copyObject(w, r, b, key)
		}
		return s.putObject(w, r, b, key)
	case http.MethodGet, http.MethodHead:
		if isPart {
			if r.Method == http.MethodHead {
				return errMethodNotAllowed(r.Method, "OBJECT")
			}
			return s.listParts(w, r, b, key, uploadID[0])
		}
		if q.Get("partNumber") != "" {
			return errNotImplemented()
		}
		return s.getObject(w, r, b, key)
	case http.MethodDelete:
		if isPart {
			return s.abortUpload(w, b, key, uploadID[0])
		}
		return s.deleteObject(w, b, key)
	case http.MethodPost:
		if hasAny(q, "uploads") != "" {
			return s.createUpload(w, r, b, key)
		}
		if isPart {
			return s.completeUpload(w, r, b, key, uploadID[0])
		}
		return errNotImplemented()
	}
	return errMethodNotAllowed(r.Method, "OBJECT")
}

func internalErr(s *Service, what string, err error) *Error {
	s.log.Error("s3: "+what, "err", err)
	return errInternal()
}
