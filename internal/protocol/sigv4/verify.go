package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// DefaultMaxSkew is how far a request time may stray from the server's
// clock, either way, as on AWS.
const DefaultMaxSkew = 15 * time.Minute

// maxCachedKeys bounds the signing-key cache; past it the cache starts over.
// Keys change daily, so the bound is only reached by many distinct secrets.
const maxCachedKeys = 4096

// Verifier checks SigV4 signatures against known secrets ("--auth strict").
// The zero value with Lookup set is ready to use; a Verifier must not be
// copied after first use, and is safe for concurrent use.
type Verifier struct {
	// Lookup returns the secret access key of an access key id.
	Lookup func(accessKeyID string) (secret string, ok bool)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxSkew is the allowed clock skew; DefaultMaxSkew when zero.
	MaxSkew time.Duration
	// Service, when set, is the only service a credential scope may name
	// ("kinesis"). Empty accepts any.
	Service string

	mu   sync.RWMutex
	keys map[keyID][sha256.Size]byte
}

// keyID names a derived signing key.
type keyID struct {
	secret, date, region, service string
}

// Verify checks that a, parsed from r by Parse, is a valid signature of r
// with the given body. It returns nil or an *awserr.Error with AWS's code,
// message and status, checking in AWS's order: the request time, that Host
// is signed, the credential scope, the access key, then the signature.
func (v *Verifier) Verify(r *http.Request, body []byte, a *Auth) error {
	if a == nil {
		return awserr.MissingAuthenticationToken()
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	now = now.UTC()
	if err := v.checkTime(a, now); err != nil {
		return err
	}
	if !signsHost(a.SignedHeaders) {
		return invalidSignature(msgHostNotSigned)
	}
	if err := v.checkScope(a); err != nil {
		return err
	}
	if v.Lookup == nil {
		return errUnrecognizedClient()
	}
	secret, ok := v.Lookup(a.AccessKeyID)
	if !ok {
		return errUnrecognizedClient()
	}
	var given [sha256.Size]byte
	givenOK := len(a.Signature) == hex.EncodedLen(sha256.Size)
	if givenOK {
		_, err := hex.Decode(given[:], []byte(a.Signature))
		givenOK = err == nil
	}
	key := v.signingKey(secret, a.Date, a.Region, a.Service)

	s := getSigner()
	defer putSigner(s)
	// The client may have signed the path as sent (aws-sdk-go-v2) or
	// normalized (botocore); accept either. AWS reports the normalized form.
	path, normalized := requestPath(r)
	if givenOK && s.matches(r, body, a, key, path, &given) {
		return nil
	}
	if givenOK && normalized != path && s.matches(r, body, a, key, normalized, &given) {
		return nil
	}
	canonical := string(s.canonicalRequest(r, body, a, normalized, true))
	sum := sha256.Sum256(s.canonicalRequest(r, body, a, normalized, false))
	sts := string(s.stringToSign(a, sum))
	return errMismatch(canonical, sts)
}

// checkTime applies the clock-skew window and, for a presigned request
// with X-Amz-Expires, its expiry.
func (v *Verifier) checkTime(a *Auth, now time.Time) error {
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if a.Time.Before(now.Add(-skew)) {
		return errExpired(a.Time, now, skew)
	}
	if a.Time.After(now.Add(skew)) {
		return errNotYetCurrent(a.Time, now, skew)
	}
	if a.Presigned && a.Expires > 0 && a.Time.Before(now.Add(-a.Expires)) {
		return errExpired(a.Time, now, a.Expires)
	}
	return nil
}

// checkScope checks the credential scope against the request, reporting
// every fault at once as AWS does.
func (v *Verifier) checkScope(a *Auth) error {
	var scopeDate [8]byte
	want := a.Time.UTC().AppendFormat(scopeDate[:0], scopeDateLayout)
	badRegion := a.Region == ""
	badService := v.Service != "" && a.Service != v.Service
	badTerm := a.Terminator != Terminator
	badDate := a.Date != string(want)
	if !badRegion && !badService && !badTerm && !badDate {
		return nil
	}
	var msgs []string
	if badRegion {
		msgs = append(msgs, "Credential should be scoped to a valid region, not '"+a.Region+"'.")
	}
	if badService {
		msgs = append(msgs, "Credential should be scoped to correct service: '"+v.Service+"'.")
	}
	if badTerm {
		msgs = append(msgs, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+a.Terminator+"'.")
	}
	if badDate {
		msgs = append(msgs, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			a.Date+"' != '"+string(want)+"', from '"+basic(a.Time)+"'.")
	}
	return invalidSignature(strings.Join(msgs, " "))
}

// signsHost reports whether the signed headers include host (or :authority).
func signsHost(signed string) bool {
	for rest := signed; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		if name == "host" || name == ":authority" {
			return true
		}
	}
	return false
}

// signingKey derives (or recalls) the key for secret, date, region and
// service: HMAC chain from "AWS4"+secret over date, region, service and
// "aws4_request".
func (v *Verifier) signingKey(secret, date, region, service string) [sha256.Size]byte {
	id := keyID{secret, date, region, service}
	v.mu.RLock()
	k, ok := v.keys[id]
	v.mu.RUnlock()
	if ok {
		return k
	}
	k = deriveKey(secret, date, region, service)
	v.mu.Lock()
	if v.keys == nil || len(v.keys) >= maxCachedKeys {
		v.keys = make(map[keyID][sha256.Size]byte)
	}
	v.keys[id] = k
	v.mu.Unlock()
	return k
}

func deriveKey(secret, date, region, service string) [sha256.Size]byte {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), date)
	k = mac(k, region)
	k = mac(k, service)
	k = mac(k, Terminator)
	var out [sha256.Size]byte
	copy(out[:], k)
	return out
}

// signer holds the buffers of one verification; pooled to keep Verify
// allocation-light.
type signer struct {
	h     hash.Hash
	buf   []byte // canonical request
	sts   []byte // string to sign
	pairs []queryPair
	// Scratch space handed to the hash, here so it need not escape.
	pad [64]byte
	sum [sha256.Size]byte
}

var signers = sync.Pool{New: func() any {
	return &signer{h: sha256.New(), buf: make([]byte, 0, 1024), sts: make([]byte, 0, 256)}
}}

func getSigner() *signer { return signers.Get().(*signer) }

func putSigner(s *signer) {
	if cap(s.buf) > 64<<10 || cap(s.pairs) > 1024 {
		return // let an outsized one go
	}
	signers.Put(s)
}

// matches reports whether the signature computed over r with the given
// canonical path equals given.
func (s *signer) matches(r *http.Request, body []byte, a *Auth, key [sha256.Size]byte, path string, given *[sha256.Size]byte) bool {
	sum := s.hash(s.canonicalRequest(r, body, a, path, false))
	sts := s.stringToSign(a, sum)
	want := s.hmac(&key, sts)
	return hmac.Equal(want[:], given[:])
}

// stringToSign builds "AWS4-HMAC-SHA256\n<time>\n<scope>\n<hex hash>".
func (s *signer) stringToSign(a *Auth, canonicalSum [sha256.Size]byte) []byte {
	b := s.sts[:0]
	b = append(b, Algorithm...)
	b = append(b, '\n')
	b = appendBasic(b, a.Time)
	b = append(b, '\n')
	b = append(b, a.Scope()...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, canonicalSum[:])
	s.sts = b
	return b
}

func (s *signer) hash(b []byte) [sha256.Size]byte {
	s.h.Reset()
	s.h.Write(b)
	s.h.Sum(s.sum[:0])
	return s.sum
}

// hmac computes HMAC-SHA256 with a 32-byte key using the pooled hash, as
// RFC 2104 defines it: H((K^opad) || H((K^ipad) || msg)).
func (s *signer) hmac(key *[sha256.Size]byte, msg []byte) [sha256.Size]byte {
	for i := range s.pad {
		s.pad[i] = 0x36
	}
	for i, k := range key {
		s.pad[i] ^= k
	}
	s.h.Reset()
	s.h.Write(s.pad[:])
	s.h.Write(msg)
	inner := s.h.Sum(s.sum[:0])
	for i := range s.pad {
		s.pad[i] = 0x5c
	}
	for i, k := range key {
		s.pad[i] ^= k
	}
	s.h.Reset()
	s.h.Write(s.pad[:])
	s.h.Write(inner)
	s.h.Sum(s.sum[:0])
	return s.sum
}
