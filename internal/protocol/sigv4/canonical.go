package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// redacted stands in for a session token's value in an error report.
const redacted = "<redacted>"

// queryPair is one encoded query parameter of the canonical query string.
type queryPair struct{ key, value string }

// canonicalRequest builds the SigV4 canonical request:
//
//	METHOD\nURI\nQUERY\nHEADERS\n\nSIGNEDHEADERS\nPAYLOADHASH
//
// with path as the (unescaped-once) request path. With redact, a session
// token's value is replaced, for showing the request in an error.
func (s *signer) canonicalRequest(r *http.Request, body []byte, a *Auth, path string, redact bool) []byte {
	b := s.buf[:0]
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendEscaped(b, path, true)
	b = append(b, '\n')
	b = s.appendQuery(b, r, a.Presigned, redact)
	b = append(b, '\n')
	b = appendHeaders(b, r, a.SignedHeaders, redact)
	b = append(b, '\n')
	b = append(b, a.SignedHeaders...)
	b = append(b, '\n')
	b = s.appendPayloadHash(b, r, body, a.Presigned)
	s.buf = b
	return b
}

// requestPath returns the request path as the client sent it and its
// normalized form (dot segments and repeated slashes removed, as botocore
// and the SigV4 test suite do). Both are still percent-encoded as on the
// wire; the canonical URI encodes them once more.
func requestPath(r *http.Request) (raw, normalized string) {
	raw = r.RequestURI
	if raw == "" || raw == "*" {
		if r.URL != nil {
			raw = r.URL.EscapedPath()
		}
	} else {
		if i := strings.IndexByte(raw, '?'); i >= 0 {
			raw = raw[:i]
		}
		if !strings.HasPrefix(raw, "/") {
			// absolute-form: scheme://authority/path
			if i := strings.Index(raw, "://"); i >= 0 {
				raw = raw[i+3:]
				if j := strings.IndexByte(raw, '/'); j >= 0 {
					raw = raw[j:]
				} else {
					raw = ""
				}
			}
		}
	}
	if raw == "" {
		raw = "/"
	}
	return raw, normalizePath(raw)
}

// normalizePath removes "." and ".." segments and empty segments, keeping a
// leading and a trailing slash. It returns p itself when there is nothing
// to remove.
func normalizePath(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") && !strings.HasPrefix(p, ".") {
		return p
	}
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	var b strings.Builder
	if strings.HasPrefix(p, "/") {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(out, "/"))
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		b.WriteByte('/')
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// unreserved reports the bytes SigV4 leaves unencoded: A-Z a-z 0-9 - _ . ~
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendEscaped appends s URI-encoded the SigV4 way: every byte but the
// unreserved ones (and '/', when keepSlash) as %XX with uppercase hex.
func appendEscaped(b []byte, s string, keepSlash bool) []byte {
	const upperhex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperhex[c>>4], upperhex[c&15])
	}
	return b
}

// appendQuery appends the canonical query string: every parameter decoded
// and re-encoded, sorted by encoded name then value. A presigned request's
// X-Amz-Signature is left out.
func (s *signer) appendQuery(b []byte, r *http.Request, presigned, redact bool) []byte {
	if r.URL == nil || r.URL.RawQuery == "" {
		return b
	}
	pairs := s.pairs[:0]
	for q := r.URL.RawQuery; q != ""; {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		if redact && k == "X-Amz-Security-Token" {
			v = redacted
		}
		pairs = append(pairs, queryPair{escapeComponent(k), escapeComponent(v)})
	}
	slices.SortFunc(pairs, func(x, y queryPair) int {
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
		return strings.Compare(x.value, y.value)
	})
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.key...)
		b = append(b, '=')
		b = append(b, p.value...)
	}
	s.pairs = pairs[:0]
	return b
}

// escapeComponent encodes a query name or value, allocating only when it
// has bytes to encode.
func escapeComponent(s string) string {
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			return string(appendEscaped(make([]byte, 0, len(s)+16), s, false))
		}
	}
	return s
}

// appendHeaders appends "name:value\n" for each signed header, in the
// order SignedHeaders lists them. The host comes from r.Host; repeated
// headers are joined with commas; values are trimmed and runs of spaces
// folded to one.
func appendHeaders(b []byte, r *http.Request, signed string, redact bool) []byte {
	for rest := signed; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		if name == "" {
			continue
		}
		if name == "host" {
			b = append(b, "host:"...)
			b = appendTrimmed(b, r.Host)
			b = append(b, '\n')
			continue
		}
		values := headerValues(r.Header, name)
		if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
			b = append(b, "content-length:"...)
			b = strconv.AppendInt(b, r.ContentLength, 10)
			b = append(b, '\n')
			continue
		}
		if len(values) == 0 {
			continue
		}
		b = append(b, name...)
		b = append(b, ':')
		if redact && name == "x-amz-security-token" {
			b = append(b, redacted...)
			b = append(b, '\n')
			continue
		}
		for i, v := range values {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTrimmed(b, v)
		}
		b = append(b, '\n')
	}
	return b
}

// headerValues finds a header by its lower-case name without allocating:
// first under its canonical key, else by a case-insensitive scan for keys
// set outside the canonical form.
func headerValues(h http.Header, name string) []string {
	var key [64]byte
	if len(name) <= len(key) {
		upper := true
		for i := 0; i < len(name); i++ {
			c := name[i]
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			} else if !upper && 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			key[i] = c
			upper = c == '-'
		}
		if v, ok := h[string(key[:len(name)])]; ok {
			return v
		}
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// appendTrimmed appends v without leading and trailing whitespace and with
// each run of spaces folded to one, as the SDKs sign header values.
func appendTrimmed(b []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b = append(b, c)
	}
	return b
}

// appendPayloadHash appends the payload hash: X-Amz-Content-Sha256 as sent
// (a hex hash, UNSIGNED-PAYLOAD or a STREAMING-… value) when present, else
// the hex SHA-256 of body.
func (s *signer) appendPayloadHash(b []byte, r *http.Request, body []byte, presigned bool) []byte {
	if v := r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		return append(b, v...)
	}
	if presigned && r.URL != nil {
		if v, ok := queryValue(r.URL.RawQuery, "X-Amz-Content-Sha256"); ok && v != "" {
			return append(b, v...)
		}
	}
	sum := sha256.Sum256(body)
	return hex.AppendEncode(b, sum[:])
}
