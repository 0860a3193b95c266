package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// metaFromHeaders reads the stored metadata headers of a PUT (or a
// CreateMultipartUpload, or a CopyObject with REPLACE).
func metaFromHeaders(h http.Header) objMeta {
	m := objMeta{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    storedEncoding(h.Values("Content-Encoding")),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
	for k, v := range h {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-meta-") && len(v) > 0 {
			if m.Meta == nil {
				m.Meta = map[string]string{}
			}
			m.Meta[strings.TrimPrefix(lk, "x-amz-meta-")] = strings.Join(v, ",")
		}
	}
	return m
}

// commitObject makes a sealed-to-be spool the object m.Key of bucket b:
// footer, fsync, rename, index, directory fsync.
func (s *Service) commitObject(b string, sp *spool, m *objMeta) *Error {
	var path string
	if s.dir != "" {
		path = s.keyFile(b, m.Key)
		if err := mkdirDurable(filepath.Dir(path)); err != nil {
			return internalErr(s, "create object directory", err)
		}
	}
	if err := sp.seal(m); err != nil {
		return internalErr(s, "write object", err)
	}
	s.mu.Lock()
	bk, ok := s.buckets[b]
	if !ok {
		s.mu.Unlock()
		return errNoSuchBucket(b)
	}
	data, err := sp.install(path)
	if err != nil {
		s.mu.Unlock()
		return internalErr(s, "install object", err)
	}
	bk.put(&object{objMeta: *m, data: data})
	s.mu.Unlock()
	if path != "" {
		if err := syncDir(filepath.Dir(path)); err != nil {
			return internalErr(s, "fsync object directory", err)
		}
	}
	return nil
}

func (s *Service) putObject(w http.ResponseWriter, r *http.Request, b, key string) *Error {
	if !s.bucketExists(b) {
		return errNoSuchBucket(b)
	}
	sp, err := s.newSpool()
	if err != nil {
		return internalErr(s, "spool", err)
	}
	defer sp.discard()
	rc, e := s.receive(r, sp)
	if e != nil {
		return e
	}
	m := metaFromHeaders(r.Header)
	m.Key, m.Size, m.ETag, m.Modified = key, sp.n, sp.md5Hex(), s.now().UnixMilli()
	m.ChecksumAlg, m.Checksum = rc.alg, rc.checksum
	if e := s.commitObject(b, sp, &m); e != nil {
		return e
	}
	h := w.Header()
	h.Set("ETag", quote(m.ETag))
	if m.Checksum != "" {
		h.Set(checksumHeader(m.ChecksumAlg), m.Checksum)
		h.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// lookup finds an object and opens its body, under the read lock so that the
// file and the metadata belong together.
func (s *Service) lookup(b, key string) (*object, bodyReader, *Error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	bk, ok := s.buckets[b]
	if !ok {
		return nil, nil, errNoSuchBucket(b)
	}
	o, ok := bk.objs[key]
	if !ok {
		return nil, nil, errNoSuchKey(key)
	}
	if s.dir == "" {
		return o, memBody{bytes.NewReader(o.data)}, nil
	}
	f, err := os.Open(s.keyFile(b, key))
	if err != nil {
		return nil, nil, internalErr(s, "open object", err)
	}
	return o, f, nil
}

func etagMatches(cond, etag string) bool {
	for _, c := range strings.Split(cond, ",") {
		c = strings.TrimSpace(c)
		c = strings.TrimPrefix(c, "W/")
		if c == "*" || strings.Trim(c, `"`) == etag {
			return true
		}
	}
	return false
}

// conditions applies If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since as S3 does; notModified means 304.
func conditions(h http.Header, o *object) (notModified bool, e *Error) {
	mod := time.UnixMilli(o.Modified).Truncate(time.Second)
	since := func(name string) (time.Time, bool) {
		v := h.Get(name)
		if v == "" {
			return time.Time{}, false
		}
		t, err := http.ParseTime(v)
		return t, err == nil
	}
	if v := h.Get("If-Match"); v != "" {
		if !etagMatches(v, o.ETag) {
			return false, errPrecondition("If-Match")
		}
	} else if t, ok := since("If-Unmodified-Since"); ok && mod.After(t) {
		return false, errPrecondition("If-Unmodified-Since")
	}
	if v := h.Get("If-None-Match"); v != "" {
		if etagMatches(v, o.ETag) {
			return true, nil
		}
	} else if t, ok := since("If-Modified-Since"); ok && !mod.After(t) {
		return true, nil
	}
	return false, nil
}

// parseRange reads a single "bytes=" range; ok false means "serve it all".
func parseRange(v string, size int64) (start, end int64, ok bool, e *Error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, nil
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false, nil
		}
		if n == 0 || size == 0 {
			return 0, 0, false, errInvalidRange(v, size)
		}
		n = min(n, size)
		return size - n, size - 1, true, nil
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, false, nil
	}
	end = size - 1
	if b != "" {
		end, err = strconv.ParseInt(b, 10, 64)
		if err != nil || end < start {
			return 0, 0, false, nil
		}
		end = min(end, size-1)
	}
	if start >= size {
		return 0, 0, false, errInvalidRange(v, size)
	}
	return start, end, true, nil
}

var responseOverrides = [][2]string{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

func setObjectHeaders(h http.Header, o *object) {
	ct := o.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("ETag", quote(o.ETag))
	h.Set("Last-Modified", httpTime(o.Modified))
	h.Set("Accept-Ranges", "bytes")
	for _, kv := range [][2]string{
		{"Content-Encoding", o.ContentEncoding}, {"Content-Disposition", o.ContentDisposition},
		{"Content-Language", o.ContentLanguage}, {"Cache-Control", o.CacheControl}, {"Expires", o.Expires},
	} {
		if kv[1] != "" {
			h.Set(kv[0], kv[1])
		}
	}
	for k, v := range o.Meta {
		h["X-Amz-Meta-"+k] = []string{v}
	}
}

func (s *Service) getObject(w http.ResponseWriter, r *http.Request, b, key string) *Error {
	o, body, e := s.lookup(b, key)
	if e != nil {
		return e
	}
	defer body.Close()
	h := w.Header()
	notMod, e := conditions(r.Header, o)
	if e != nil {
		return e
	}
	if notMod {
		h.Set("ETag", quote(o.ETag))
		h.Set("Last-Modified", httpTime(o.Modified))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	start, end, ranged, e := parseRange(r.Header.Get("Range"), o.Size)
	if e != nil {
		return e
	}
	setObjectHeaders(h, o)
	q := r.URL.Query()
	for _, ov := range responseOverrides {
		if v := q.Get(ov[0]); v != "" {
			h.Set(ov[1], v)
		}
	}
	status := http.StatusOK
	if !ranged {
		start, end = 0, o.Size-1
		if o.Checksum != "" && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
			h.Set(checksumHeader(o.ChecksumAlg), o.Checksum)
			h.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
		}
	} else {
		status = http.StatusPartialContent
		h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(o.Size, 10))
	}
	n := end - start + 1
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead || n == 0 {
		return nil
	}
	bp := copyBufs.Get().(*[]byte)
	_, _ = io.CopyBuffer(w, io.NewSectionReader(body, start, n), *bp)
	copyBufs.Put(bp)
	return nil
}

func (s *Service) deleteObject(w http.ResponseWriter, b, key string) *Error {
	if e := s.removeObject(b, key); e != nil {
		return e
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) removeObject(b, key string) *Error {
	s.mu.Lock()
	bk, ok := s.buckets[b]
	if !ok {
		s.mu.Unlock()
		return errNoSuchBucket(b)
	}
	if _, ok := bk.objs[key]; !ok {
		s.mu.Unlock()
		return nil
	}
	path := ""
	if s.dir != "" {
		path = s.keyFile(b, key)
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			s.mu.Unlock()
			return internalErr(s, "delete object", err)
		}
	}
	bk.remove(key)
	s.mu.Unlock()
	if path != "" {
		if err := syncDir(filepath.Dir(path)); err != nil {
			return internalErr(s, "fsync object directory", err)
		}
	}
	return nil
}

type deleteRequest struct {
	Quiet   bool `xml:"Quiet"`
	Objects []struct {
		Key string `xml:"Key"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName xml.Name        `xml:"DeleteResult"`
	Xmlns   string          `xml:"xmlns,attr"`
	Deleted []deletedObject `xml:"Deleted"`
	Errors  []deleteError   `xml:"Error"`
}

type deletedObject struct {
	Key string `xml:"Key"`
}

type deleteError struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func (s *Service) deleteObjects(w http.ResponseWriter, r *http.Request, b string) *Error {
	if !s.bucketExists(b) {
		return errNoSuchBucket(b)
	}
	sp := &spool{mem: true, md5: md5.New()}
	if _, e := s.receive(r, sp); e != nil {
		return e
	}
	var req deleteRequest
	if err := xml.Unmarshal(sp.buf.Bytes(), &req); err != nil || len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return errMalformedXML()
	}
	res := deleteResult{Xmlns: xmlns}
	for _, o := range req.Objects {
		if e := s.removeObject(b, o.Key); e != nil {
			res.Errors = append(res.Errors, deleteError{Key: o.Key, Code: e.Code, Message: e.Message})
			continue
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, deletedObject{Key: o.Key})
		}
	}
	return s.writeXML(w, http.StatusOK, res)
}

type copyResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
}

func (s *Service) copyObject(w http.ResponseWriter, r *http.Request, b, key string) *Error {
	src := r.Header.Get("X-Amz-Copy-Source")
	if i := strings.Index(src, "?versionId="); i >= 0 {
		return errNotImplemented()
	}
	src, err := url.PathUnescape(strings.TrimPrefix(src, "/"))
	if err != nil {
		return errInvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", src)
	}
	sb, sk, ok := strings.Cut(src, "/")
	if !ok || sk == "" {
		return errInvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", src)
	}
	replace := strings.EqualFold(r.Header.Get("X-Amz-Metadata-Directive"), "REPLACE")
	if sb == b && sk == key && !replace {
		return errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	if !s.bucketExists(b) {
		return errNoSuchBucket(b)
	}
	o, body, e := s.lookup(sb, sk)
	if e != nil {
		return e
	}
	defer body.Close()
	sp, err := s.newSpool()
	if err != nil {
		return internalErr(s, "spool", err)
	}
	defer sp.discard()
	if _, err := io.Copy(sp, io.NewSectionReader(body, 0, o.Size)); err != nil {
		return internalErr(s, "copy object", err)
	}
	m := o.objMeta
	if replace {
		m = metaFromHeaders(r.Header)
		m.ChecksumAlg, m.Checksum, m.Parts = o.ChecksumAlg, o.Checksum, o.Parts
	}
	m.Key, m.Modified = key, s.now().UnixMilli()
	if e := s.commitObject(b, sp, &m); e != nil {
		return e
	}
	return s.writeXML(w, http.StatusOK, copyResult{Xmlns: xmlns, ETag: quote(m.ETag), LastModified: xmlTime(m.Modified)})
}
