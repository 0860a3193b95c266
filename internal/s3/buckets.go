package s3

import (
	"encoding/xml"
	"io"
	"net/http"
)

type xmlOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

var theOwner = &xmlOwner{ID: ownerID, DisplayName: ownerName}

type listBucketsResult struct {
	XMLName xml.Name    `xml:"ListAllMyBucketsResult"`
	Xmlns   string      `xml:"xmlns,attr"`
	Owner   *xmlOwner   `xml:"Owner"`
	Buckets []xmlBucket `xml:"Buckets>Bucket"`
}

type xmlBucket struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

func (s *Service) listBuckets(w http.ResponseWriter) *Error {
	res := listBucketsResult{Xmlns: xmlns, Owner: theOwner, Buckets: []xmlBucket{}}
	for _, b := range s.bucketNames() {
		res.Buckets = append(res.Buckets, xmlBucket{Name: b.name, CreationDate: xmlTime(b.created), BucketRegion: s.region})
	}
	return s.writeXML(w, http.StatusOK, res)
}

type createBucketConfiguration struct {
	LocationConstraint string `xml:"LocationConstraint"`
}

func (s *Service) createBucket(w http.ResponseWriter, r *http.Request, name string) *Error {
	if !validBucketName(name) {
		return errInvalidBucketName(name)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return errIncompleteBody()
	}
	if len(body) > 0 {
		var c createBucketConfiguration
		if err := xml.Unmarshal(body, &c); err != nil {
			return errMalformedXML()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buckets[name]; ok {
		return errBucketExists(name)
	}
	b := newBucket(name, s.now().UnixMilli())
	if err := s.storeBucket(b); err != nil {
		return internalErr(s, "create bucket", err)
	}
	s.buckets[name] = b
	w.Header().Set("Location", "/"+name)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) headBucket(w http.ResponseWriter, name string) *Error {
	s.mu.RLock()
	_, ok := s.buckets[name]
	s.mu.RUnlock()
	if !ok {
		return errNoSuchBucket(name)
	}
	w.Header().Set("X-Amz-Bucket-Region", s.region)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) deleteBucket(w http.ResponseWriter, name string) *Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	if !ok {
		return errNoSuchBucket(name)
	}
	if len(b.keys) > 0 {
		return errBucketNotEmpty(name)
	}
	delete(s.buckets, name)
	if err := s.dropBucket(name); err != nil {
		return internalErr(s, "delete bucket", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type locationResult struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

func (s *Service) getLocation(w http.ResponseWriter, name string) *Error {
	if !s.bucketExists(name) {
		return errNoSuchBucket(name)
	}
	region := s.region
	if region == "us-east-1" {
		region = ""
	}
	return s.writeXML(w, http.StatusOK, locationResult{Xmlns: xmlns, Region: region})
}

type versioningResult struct {
	XMLName xml.Name `xml:"VersioningConfiguration"`
	Xmlns   string   `xml:"xmlns,attr"`
}

func (s *Service) getVersioning(w http.ResponseWriter, name string) *Error {
	if !s.bucketExists(name) {
		return errNoSuchBucket(name)
	}
	return s.writeXML(w, http.StatusOK, versioningResult{Xmlns: xmlns})
}

func (s *Service) bucketExists(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.buckets[name]
	return ok
}
