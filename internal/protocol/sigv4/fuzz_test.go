package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// FuzzParse feeds arbitrary Authorization values (and X-Amz-Date values)
// to Parse, and what parses to Verify: neither may panic, every error must
// be an AWS error, and a parsed Auth must hold together.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		boto3Authz,
		"X",
		"AWS4- Signature=b Credential=a",
		"AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request/, SignedHeaders=;host;, Signature=zz",
		"AWS4-HMAC-SHA256 Credential=//////, SignedHeaders=host, Signature==",
		" ,,, ",
		"",
	} {
		f.Add(seed, "20260101T000000Z")
	}
	f.Add(boto3Authz, "Thu, 01 Jan 2026 00:00:00 GMT")
	f.Add(boto3Authz, "20261399T999999Z")

	v := &Verifier{
		Lookup: func(string) (string, bool) { return "secret", true },
		Now:    func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
	f.Fuzz(func(t *testing.T, authz, date string) {
		r := &http.Request{
			Method: http.MethodPost,
			URL:    &url.URL{Path: "/"},
			Host:   "localhost",
			Header: http.Header{"Authorization": {authz}, "X-Amz-Date": {date}},
		}
		a, err := Parse(r)
		if err != nil {
			if a != nil {
				t.Fatalf("Parse returned both %+v and %v", a, err)
			}
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("Parse error %T %v is not an AWS error", err, err)
			}
			return
		}
		if a == nil {
			if authz != "" {
				t.Fatalf("Parse(%q) = nil, nil", authz)
			}
			return
		}
		if a.Algorithm != Algorithm || a.Signature == "" || a.SignedHeaders == "" {
			t.Fatalf("Parse(%q) = %+v: incomplete", authz, a)
		}
		if a.Scope() != a.Date+"/"+a.Region+"/"+a.Service+"/"+a.Terminator ||
			!strings.HasPrefix(a.Credential, a.AccessKeyID+"/") {
			t.Fatalf("Parse(%q) = %+v: inconsistent credential", authz, a)
		}
		if err := v.Verify(r, []byte("{}"), a); err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("Verify error %T %v is not an AWS error", err, err)
			}
		}
	})
}
