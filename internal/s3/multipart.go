package s3

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// upload is a multipart upload in progress.
type upload struct {
	uploadFile
	parts map[int]*part
}

type uploadFile struct {
	ID        string  `json:"id"`
	Key       string  `json:"key"`
	Initiated int64   `json:"initiated"`
	Meta      objMeta `json:"meta"` // Content-Type, x-amz-meta-*, ... for the object
}

type part struct {
	objMeta
	data []byte
}

func newUploadID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validUploadID accepts only IDs Freshet could have made, so that an ID
// never names anything but an upload directory.
func validUploadID(id string) bool {
	if len(id) != 48 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

func (s *Service) loadUploads(b *bucket) error {
	root := filepath.Join(s.bucketDir(b.name), "mpu")
	ents, err := os.ReadDir(root)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", root, err)
	}
	for _, e := range ents {
		dir := filepath.Join(root, e.Name())
		raw, err := os.ReadFile(filepath.Join(dir, "upload.json"))
		var uf uploadFile
		if err != nil || json.Unmarshal(raw, &uf) != nil || uf.ID != e.Name() {
			_ = os.RemoveAll(dir)
			continue
		}
		u := &upload{uploadFile: uf, parts: map[int]*part{}}
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			if !strings.HasPrefix(f.Name(), "part.") {
				continue
			}
			m, err := readFooter(filepath.Join(dir, f.Name()))
			if err != nil || partFile(dir, m.PartNumber) != filepath.Join(dir, f.Name()) {
				continue
			}
			u.parts[m.PartNumber] = &part{objMeta: *m}
		}
		b.uploads[u.ID] = u
	}
	return nil
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (s *Service) createUpload(w http.ResponseWriter, r *http.Request, b, key string) *Error {
	u := &upload{uploadFile: uploadFile{ID: newUploadID(), Key: key, Initiated: s.now().UnixMilli(), Meta: metaFromHeaders(r.Header)}, parts: map[int]*part{}}
	if s.dir != "" {
		if !s.bucketExists(b) {
			return errNoSuchBucket(b)
		}
		dir := s.uploadDir(b, u.ID)
		if err := mkdirDurable(dir); err != nil {
			return internalErr(s, "create upload", err)
		}
		js, _ := json.Marshal(u.uploadFile)
		if err := writeFileDurable(filepath.Join(dir, "upload.json"), js); err != nil {
			return internalErr(s, "create upload", err)
		}
	}
	s.mu.Lock()
	bk, ok := s.buckets[b]
	if ok {
		bk.uploads[u.ID] = u
	}
	s.mu.Unlock()
	if !ok {
		return errNoSuchBucket(b)
	}
	if a := r.Header.Get("X-Amz-Checksum-Algorithm"); a != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", strings.ToUpper(a))
	}
	return s.writeXML(w, http.StatusOK, initiateResult{Xmlns: xmlns, Bucket: b, Key: key, UploadID: u.ID})
}

// findUpload returns the upload under the read lock's protection of the caller.
func (s *Service) findUpload(b, key, id string) (*bucket, *upload, *Error) {
	bk, ok := s.buckets[b]
	if !ok {
		return nil, nil, errNoSuchBucket(b)
	}
	u, ok := bk.uploads[id]
	if !ok || u.Key != key || !validUploadID(id) {
		return nil, nil, errNoSuchUpload(id)
	}
	return bk, u, nil
}

func (s *Service) uploadPart(w http.ResponseWriter, r *http.Request, b, key, id, pn string) *Error {
	n, err := strconv.Atoi(pn)
	if err != nil || n < 1 || n > maxPartNumber {
		return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", pn)
	}
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		return errNotImplemented()
	}
	s.mu.RLock()
	_, _, e := s.findUpload(b, key, id)
	s.mu.RUnlock()
	if e != nil {
		return e
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
	m := objMeta{PartNumber: n, Size: sp.n, ETag: sp.md5Hex(), Modified: s.now().UnixMilli(), ChecksumAlg: rc.alg, Checksum: rc.checksum}
	if err := sp.seal(&m); err != nil {
		return internalErr(s, "write part", err)
	}
	var path string
	if s.dir != "" {
		path = partFile(s.uploadDir(b, id), n)
	}
	s.mu.Lock()
	_, u, e := s.findUpload(b, key, id)
	if e != nil {
		s.mu.Unlock()
		return e
	}
	data, err := sp.install(path)
	if err != nil {
		s.mu.Unlock()
		return internalErr(s, "install part", err)
	}
	u.parts[n] = &part{objMeta: m, data: data}
	s.mu.Unlock()
	if path != "" {
		if err := syncDir(filepath.Dir(path)); err != nil {
			return internalErr(s, "fsync part", err)
		}
	}
	h := w.Header()
	h.Set("ETag", quote(m.ETag))
	if m.Checksum != "" {
		h.Set(checksumHeader(m.ChecksumAlg), m.Checksum)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

type completeRequest struct {
	Parts []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

func (s *Service) completeUpload(w http.ResponseWriter, r *http.Request, b, key, id string) *Error {
	body := &spool{mem: true, md5: md5.New()}
	if _, e := s.receive(r, body); e != nil {
		return e
	}
	var req completeRequest
	if err := xml.Unmarshal(body.buf.Bytes(), &req); err != nil {
		return errMalformedXML()
	}
	if len(req.Parts) == 0 {
		return errInvalidRequest("You must specify at least one part")
	}
	s.mu.RLock()
	_, u, e := s.findUpload(b, key, id)
	var parts []*part
	var tmpl objMeta
	if e == nil {
		tmpl = u.Meta
		for i, p := range req.Parts {
			if i > 0 && p.PartNumber <= req.Parts[i-1].PartNumber {
				e = errInvalidPartOrder()
				break
			}
			got, ok := u.parts[p.PartNumber]
			if !ok || strings.Trim(p.ETag, `" `) != got.ETag {
				e = errInvalidPart(id, p.PartNumber, p.ETag)
				break
			}
			parts = append(parts, got)
		}
	}
	s.mu.RUnlock()
	if e != nil {
		return e
	}
	for _, p := range parts[:len(parts)-1] {
		if p.Size < minPartSize {
			return errEntityTooSmall(p.Size)
		}
	}
	sp, err := s.newSpool()
	if err != nil {
		return internalErr(s, "spool", err)
	}
	defer sp.discard()
	sums := md5.New()
	for _, p := range parts {
		d, _ := hex.DecodeString(p.ETag)
		sums.Write(d)
		if err := s.copyPart(sp, b, id, p); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return errNoSuchUpload(id)
			}
			return internalErr(s, "assemble upload", err)
		}
	}
	m := tmpl
	m.Key, m.Size, m.Modified, m.Parts = key, sp.n, s.now().UnixMilli(), len(parts)
	m.ETag = hex.EncodeToString(sums.Sum(nil)) + "-" + strconv.Itoa(len(parts))
	if e := s.commitObject(b, sp, &m); e != nil {
		return e
	}
	s.dropUpload(b, id)
	loc := "/" + b + "/" + key
	return s.writeXML(w, http.StatusOK, completeResult{Xmlns: xmlns, Location: loc, Bucket: b, Key: key, ETag: quote(m.ETag)})
}

func (s *Service) copyPart(dst io.Writer, b, id string, p *part) error {
	if s.dir == "" {
		_, err := dst.Write(p.data)
		return err
	}
	f, err := os.Open(partFile(s.uploadDir(b, id), p.PartNumber))
	if err != nil {
		return err
	}
	defer f.Close()
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	_, err = io.CopyBuffer(dst, io.NewSectionReader(f, 0, p.Size), *bp)
	return err
}

// dropUpload forgets an upload and removes its files.
func (s *Service) dropUpload(b, id string) {
	s.mu.Lock()
	if bk, ok := s.buckets[b]; ok {
		delete(bk.uploads, id)
	}
	s.mu.Unlock()
	if s.dir == "" {
		return
	}
	dir := s.uploadDir(b, id)
	_ = os.Remove(filepath.Join(dir, "upload.json"))
	if err := os.RemoveAll(dir); err != nil {
		s.log.Warn("s3: remove upload", "err", err)
	}
}

func (s *Service) abortUpload(w http.ResponseWriter, b, key, id string) *Error {
	s.mu.RLock()
	_, _, e := s.findUpload(b, key, id)
	s.mu.RUnlock()
	if e != nil {
		return e
	}
	s.dropUpload(b, id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type listPartsResult struct {
	XMLName              xml.Name  `xml:"ListPartsResult"`
	Xmlns                string    `xml:"xmlns,attr"`
	Bucket               string    `xml:"Bucket"`
	Key                  string    `xml:"Key"`
	UploadID             string    `xml:"UploadId"`
	Initiator            *xmlOwner `xml:"Initiator"`
	Owner                *xmlOwner `xml:"Owner"`
	StorageClass         string    `xml:"StorageClass"`
	PartNumberMarker     int       `xml:"PartNumberMarker"`
	NextPartNumberMarker int       `xml:"NextPartNumberMarker"`
	MaxParts             int       `xml:"MaxParts"`
	IsTruncated          bool      `xml:"IsTruncated"`
	Parts                []xmlPart `xml:"Part"`
}

type xmlPart struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, *Error) {
	v, ok := r.URL.Query()[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < lo {
		return 0, errInvalidArgument("Provided "+name+" not an integer or within integer range", name, v[0])
	}
	return min(n, hi), nil
}

func (s *Service) listParts(w http.ResponseWriter, r *http.Request, b, key, id string) *Error {
	maxParts, e := intParam(r, "max-parts", 1000, 0, 1000)
	if e != nil {
		return e
	}
	marker, e := intParam(r, "part-number-marker", 0, 0, maxPartNumber)
	if e != nil {
		return e
	}
	res := listPartsResult{Xmlns: xmlns, Bucket: b, Key: key, UploadID: id, Initiator: theOwner, Owner: theOwner,
		StorageClass: "STANDARD", PartNumberMarker: marker, MaxParts: maxParts}
	s.mu.RLock()
	_, u, e := s.findUpload(b, key, id)
	var nums []int
	if e == nil {
		for n := range u.parts {
			if n > marker {
				nums = append(nums, n)
			}
		}
		sort.Ints(nums)
		for _, n := range nums {
			if len(res.Parts) == maxParts {
				res.IsTruncated = true
				break
			}
			p := u.parts[n]
			res.Parts = append(res.Parts, xmlPart{PartNumber: n, LastModified: xmlTime(p.Modified), ETag: quote(p.ETag), Size: p.Size})
			res.NextPartNumberMarker = n
		}
	}
	s.mu.RUnlock()
	if e != nil {
		return e
	}
	return s.writeXML(w, http.StatusOK, res)
}

type listUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	Xmlns              string         `xml:"xmlns,attr"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
	Prefix             string         `xml:"Prefix"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []xmlUpload    `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

type xmlUpload struct {
	Key          string    `xml:"Key"`
	UploadID     string    `xml:"UploadId"`
	Initiator    *xmlOwner `xml:"Initiator"`
	Owner        *xmlOwner `xml:"Owner"`
	StorageClass string    `xml:"StorageClass"`
	Initiated    string    `xml:"Initiated"`
}

func (s *Service) listUploads(w http.ResponseWriter, r *http.Request, b string) *Error {
	maxUp, e := intParam(r, "max-uploads", 1000, 0, 1000)
	if e != nil {
		return e
	}
	q := r.URL.Query()
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	res := listUploadsResult{Xmlns: xmlns, Bucket: b, KeyMarker: keyMarker, UploadIDMarker: idMarker,
		Prefix: prefix, Delimiter: delim, MaxUploads: maxUp}
	s.mu.RLock()
	bk, ok := s.buckets[b]
	var all []uploadFile
	if ok {
		for _, u := range bk.uploads {
			all = append(all, u.uploadFile)
		}
	}
	s.mu.RUnlock()
	if !ok {
		return errNoSuchBucket(b)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Key != all[j].Key {
			return all[i].Key < all[j].Key
		}
		return all[i].Initiated < all[j].Initiated || all[i].Initiated == all[j].Initiated && all[i].ID < all[j].ID
	})
	seen := map[string]bool{}
	passed := idMarker == ""
	for _, u := range all {
		if !strings.HasPrefix(u.Key, prefix) || u.Key < keyMarker {
			continue
		}
		if u.Key == keyMarker && keyMarker != "" {
			if idMarker == "" {
				continue
			}
			if !passed {
				passed = u.ID == idMarker
				continue
			}
		}
		if delim != "" {
			if d := strings.Index(u.Key[len(prefix):], delim); d >= 0 {
				cp := u.Key[:len(prefix)+d+len(delim)]
				if !seen[cp] {
					seen[cp] = true
					res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: cp})
				}
				continue
			}
		}
		if len(res.Uploads) == maxUp {
			res.IsTruncated = true
			break
		}
		res.Uploads = append(res.Uploads, xmlUpload{Key: u.Key, UploadID: u.ID, Initiator: theOwner, Owner: theOwner,
			StorageClass: "STANDARD", Initiated: xmlTime(u.Initiated)})
		res.NextKeyMarker, res.NextUploadIDMarker = u.Key, u.ID
	}
	return s.writeXML(w, http.StatusOK, res)
}
