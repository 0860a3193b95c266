package s3

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

type listResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	KeyCount              *int           `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []xmlContent   `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

type xmlContent struct {
	Key          string    `xml:"Key"`
	LastModified string    `xml:"LastModified"`
	ETag         string    `xml:"ETag"`
	ChecksumAlg  string    `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType string    `xml:"ChecksumType,omitempty"`
	Size         int64     `xml:"Size"`
	Owner        *xmlOwner `xml:"Owner,omitempty"`
	StorageClass string    `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listPage is one page of a listing, before encoding.
type listPage struct {
	objs      []objMeta
	prefixes  []string
	truncated bool
	last      string // the last key or common prefix returned
}

// page lists bucket b's keys after start (exclusive) under prefix, rolling
// keys up into common prefixes at delim, at most max entries.
func (s *Service) page(b, prefix, delim, start string, max int) (listPage, *Error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	bk, ok := s.buckets[b]
	if !ok {
		return listPage{}, errNoSuchBucket(b)
	}
	var p listPage
	keys := bk.keys
	i := sort.SearchStrings(keys, prefix)
	if start != "" && start >= prefix {
		j := sort.Search(len(keys), func(j int) bool { return keys[j] > start })
		i = max2(i, j)
		// A common prefix given as the start skips every key under it.
		if delim != "" && strings.HasPrefix(start, prefix) && strings.HasSuffix(start, delim) &&
			strings.Index(start[len(prefix):], delim) == len(start)-len(prefix)-len(delim) {
			i = blockEnd(keys, i, start)
		}
	}
	for i < len(keys) {
		k := keys[i]
		if !strings.HasPrefix(k, prefix) {
			break
		}
		if len(p.objs)+len(p.prefixes) >= max {
			p.truncated = true
			break
		}
		if delim != "" {
			if d := strings.Index(k[len(prefix):], delim); d >= 0 {
				cp := k[:len(prefix)+d+len(delim)]
				p.prefixes = append(p.prefixes, cp)
				p.last = cp
				i = blockEnd(keys, i, cp)
				continue
			}
		}
		p.objs = append(p.objs, bk.objs[k].objMeta)
		p.last = k
		i++
	}
	return p, nil
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func (s *Service) listObjects(w http.ResponseWriter, r *http.Request, b string, v2 bool) *Error {
	q := r.URL.Query()
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return errInvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", enc)
	}
	maxKeys := 1000
	if v, ok := q["max-keys"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return errInvalidArgument("Provided max-keys not an integer or within integer range", "max-keys", v[0])
		}
		maxKeys = min(n, 1000)
	}
	res := listResult{Xmlns: xmlns, Name: b, MaxKeys: maxKeys, EncodingType: enc}
	encode := func(v string) string {
		if enc == "url" {
			return urlEncode(v)
		}
		return v
	}
	var start string
	owner := false
	if v2 {
		tok := q.Get("continuation-token")
		if _, ok := q["continuation-token"]; ok {
			raw, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil || tok == "" {
				return errInvalidArgument("The continuation token provided is incorrect", "continuation-token", tok)
			}
			start = string(raw)
			res.ContinuationToken = tok
		} else {
			start = q.Get("start-after")
		}
		res.StartAfter = encode(q.Get("start-after"))
		owner = q.Get("fetch-owner") == "true"
	} else {
		start = q.Get("marker")
		m := encode(start)
		res.Marker = &m
		owner = true
	}
	p, e := s.page(b, prefix, delim, start, maxKeys)
	if e != nil {
		return e
	}
	res.Prefix, res.Delimiter = encode(prefix), encode(delim)
	res.IsTruncated = p.truncated
	if p.truncated {
		if v2 {
			res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(p.last))
		} else {
			res.NextMarker = encode(p.last)
		}
	}
	if v2 {
		n := len(p.objs) + len(p.prefixes)
		res.KeyCount = &n
	}
	for _, o := range p.objs {
		c := xmlContent{Key: encode(o.Key), LastModified: xmlTime(o.Modified), ETag: quote(o.ETag), Size: o.Size, StorageClass: "STANDARD"}
		if o.ChecksumAlg != "" && o.Checksum != "" {
			c.ChecksumAlg, c.ChecksumType = o.ChecksumAlg, "FULL_OBJECT"
		}
		if owner {
			c.Owner = theOwner
		}
		res.Contents = append(res.Contents, c)
	}
	for _, cp := range p.prefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: encode(cp)})
	}
	return s.writeXML(w, http.StatusOK, res)
}

// urlEncode encodes a listing value as S3 does for encoding-type=url:
// unreserved characters and "/" stay, everything else is %XX.
func urlEncode(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}
