package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm AWS's JSON services accept.
const Algorithm = "AWS4-HMAC-SHA256"

// Terminator ends every SigV4 credential scope.
const Terminator = "aws4_request"

const (
	amzDateLayout   = "20060102T150405Z"
	scopeDateLayout = "20060102"
)

// Auth is the signature a request carries, as the client sent it.
type Auth struct {
	// Algorithm is the signing algorithm; Parse accepts only
	// AWS4-HMAC-SHA256.
	Algorithm string
	// Credential is the whole credential as sent:
	// AccessKeyID/Date/Region/Service/Terminator.
	Credential  string
	AccessKeyID string
	Date        string // credential scope date, YYYYMMDD
	Region      string
	Service     string
	Terminator  string // "aws4_request" unless the client got it wrong
	// SignedHeaders is the lower-case, semicolon-separated list of signed
	// header names, as sent ("content-type;host;x-amz-date;x-amz-target").
	SignedHeaders string
	Signature     string // hex, as sent
	// Time is the request time, from X-Amz-Date (header or query) or else
	// the Date header, in UTC.
	Time time.Time
	// SessionToken reports that an X-Amz-Security-Token was sent. Its value
	// is never kept here.
	SessionToken bool
	// Presigned reports that the signature came in the query string.
	Presigned bool
	// Expires is X-Amz-Expires of a presigned request; zero when absent or
	// not a number.
	Expires time.Duration
}

// Scope is the credential scope: Date/Region/Service/Terminator.
func (a *Auth) Scope() string {
	n := len(a.AccessKeyID)
	if len(a.Credential) > n && a.Credential[n] == '/' && a.Credential[:n] == a.AccessKeyID {
		return a.Credential[n+1:] // as parsed: no allocation
	}
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + a.Terminator
}

// SignedHeaderList splits SignedHeaders into names.
func (a *Auth) SignedHeaderList() []string {
	return strings.Split(a.SignedHeaders, ";")
}

// Parse reads the request's SigV4 signature from its Authorization header or
// its presigned query string. It returns (nil, nil) when the request carries
// no signature at all, and an *awserr.Error with AWS's code and message when
// the signature is malformed: IncompleteSignatureException for missing or
// unparsable pieces, InvalidSignatureException when both forms are present.
//
// Parse checks form only; Verifier.Verify checks the clock, the scope, the
// key and the signature itself.
func Parse(r *http.Request) (*Auth, error) {
	authz := r.Header.Get("Authorization")
	var rawQuery string
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	presigned := false
	if strings.Contains(rawQuery, "X-Amz-Algorithm") {
		_, presigned = queryValue(rawQuery, "X-Amz-Algorithm")
	}
	if authz != "" && presigned {
		return nil, errBothForms()
	}
	if authz != "" {
		return parseHeader(r, authz)
	}
	if presigned {
		return parseQuery(r, rawQuery)
	}
	return nil, nil
}

// parseHeader reads "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…". Like AWS, it takes commas and spaces alike as separators and
// lets a repeated parameter's last value win.
func parseHeader(r *http.Request, authz string) (*Auth, error) {
	rest := strings.TrimLeft(authz, " \t")
	alg := rest
	if i := indexSep(rest); i >= 0 {
		alg, rest = rest[:i], rest[i+1:]
	} else {
		rest = ""
	}

	var cred, signed, sig string
	for rest != "" {
		var tok string
		if i := indexSep(rest); i >= 0 {
			tok, rest = rest[:i], rest[i+1:]
		} else {
			tok, rest = rest, ""
		}
		if tok == "" {
			continue
		}
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			return nil, errMissingEqual(tok, authz)
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}

	date := r.Header.Get("X-Amz-Date")
	fromAmz := date != ""
	if !fromAmz {
		date = r.Header.Get("Date")
	}
	if cred == "" || sig == "" || signed == "" || date == "" {
		var b strings.Builder
		if cred == "" {
			b.WriteString(msgHeaderNeedsCredential)
		}
		if sig == "" {
			b.WriteString(msgHeaderNeedsSignature)
		}
		if signed == "" {
			b.WriteString(msgHeaderNeedsSignedHeaders)
		}
		if date == "" {
			b.WriteString(msgHeaderNeedsDate)
		}
		b.WriteString("Authorization=")
		b.WriteString(authz)
		return nil, incomplete(b.String())
	}

	t, ok := parseBasic(date)
	if !ok && !fromAmz {
		t, ok = parseHTTPDate(date)
	}
	if !ok {
		return nil, errBadDate(date)
	}
	if alg != Algorithm {
		return nil, errAlgorithm(alg)
	}
	a := &Auth{
		Algorithm:     alg,
		SignedHeaders: signed,
		Signature:     sig,
		Time:          t,
		SessionToken:  r.Header.Get("X-Amz-Security-Token") != "",
	}
	if !splitCredential(a, cred) {
		return nil, errCredentialShape(cred)
	}
	return a, nil
}

// indexSep finds the first separator of Authorization parameters: a
// space, a comma or a tab.
func indexSep(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || c == ',' || c == '\t' {
			return i
		}
	}
	return -1
}

// parseQuery reads a presigned request's X-Amz-* parameters. The first
// occurrence of each parameter wins.
func parseQuery(r *http.Request, rawQuery string) (*Auth, error) {
	var alg, cred, sig, signed, date, expires, token string
	for q := rawQuery; q != ""; {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(pair, "=")
		if !strings.HasPrefix(k, "X-Amz-") {
			continue
		}
		var dst *string
		switch k {
		case "X-Amz-Algorithm":
			dst = &alg
		case "X-Amz-Credential":
			dst = &cred
		case "X-Amz-Signature":
			dst = &sig
		case "X-Amz-SignedHeaders":
			dst = &signed
		case "X-Amz-Date":
			dst = &date
		case "X-Amz-Expires":
			dst = &expires
		case "X-Amz-Security-Token":
			dst = &token
		default:
			continue
		}
		if *dst == "" {
			*dst = unescapeQuery(v)
		}
	}

	if alg == "" || cred == "" || sig == "" || signed == "" || date == "" {
		var b strings.Builder
		for _, p := range [...]struct{ name, val string }{
			{"X-Amz-Algorithm", alg},
			{"X-Amz-Credential", cred},
			{"X-Amz-Signature", sig},
			{"X-Amz-SignedHeaders", signed},
			{"X-Amz-Date", date},
		} {
			if p.val == "" {
				b.WriteString(msgQueryNeedsPrefix)
				b.WriteString(p.name)
				b.WriteString(msgQueryNeedsSuffix)
			}
		}
		b.WriteString(msgQueryReexamine)
		return nil, incomplete(b.String())
	}

	t, ok := parseBasic(date)
	if !ok {
		return nil, errBadDate(date)
	}
	if alg != Algorithm {
		return nil, errAlgorithm(alg)
	}
	a := &Auth{
		Algorithm:     alg,
		SignedHeaders: signed,
		Signature:     sig,
		Time:          t,
		SessionToken:  token != "" || r.Header.Get("X-Amz-Security-Token") != "",
		Presigned:     true,
	}
	if n, err := strconv.ParseInt(expires, 10, 64); err == nil && n > 0 && n <= maxExpires {
		a.Expires = time.Duration(n) * time.Second
	}
	if !splitCredential(a, cred) {
		return nil, errCredentialShape(cred)
	}
	return a, nil
}

// maxExpires is the longest X-Amz-Expires SigV4 allows: seven days.
const maxExpires = 7 * 24 * 60 * 60

// splitCredential fills a's credential fields from
// AccessKeyID/Date/Region/Service/Terminator, ignoring trailing slashes as
// AWS does. It reports false unless there are exactly five elements.
func splitCredential(a *Auth, cred string) bool {
	c := strings.TrimRight(cred, "/")
	var parts [5]string
	rest := c
	for i := range 4 {
		p, r, ok := strings.Cut(rest, "/")
		if !ok {
			return false
		}
		parts[i], rest = p, r
	}
	if strings.IndexByte(rest, '/') >= 0 {
		return false
	}
	parts[4] = rest
	a.Credential = c
	a.AccessKeyID, a.Date, a.Region, a.Service, a.Terminator = parts[0], parts[1], parts[2], parts[3], parts[4]
	return true
}

// queryValue finds the first value of key in a raw query string, unescaped.
func queryValue(rawQuery, key string) (string, bool) {
	for q := rawQuery; q != ""; {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k == key {
			return unescapeQuery(v), true
		}
	}
	return "", false
}

// unescapeQuery decodes a query component, leaving it as sent when it is
// not valid percent-encoding. It allocates only when there is something to
// decode.
func unescapeQuery(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// parseBasic parses ISO 8601 basic format, 20260101T000000Z, without
// allocating.
func parseBasic(s string) (time.Time, bool) {
	if len(s) != len(amzDateLayout) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(4, 6)
	day, ok3 := num(6, 8)
	hour, ok4 := num(9, 11)
	minute, ok5 := num(11, 13)
	sec, ok6 := num(13, 15)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // February 30th and the like
	}
	return t, true
}

// parseHTTPDate parses a Date header in any of HTTP's date formats.
func parseHTTPDate(s string) (time.Time, bool) {
	t, err := http.ParseTime(s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
