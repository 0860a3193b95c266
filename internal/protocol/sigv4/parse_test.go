package sigv4

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

const (
	boto3Authz = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, " +
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
		"Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	querySig = "X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fkinesis%2Faws4_request" +
		"&X-Amz-Date=20260101T000000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host" +
		"&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// newParseRequest builds a server-side request with the given query string
// and headers (name, value pairs).
func newParseRequest(query string, headers ...string) *http.Request {
	target := "/"
	if query != "" {
		target += "?" + query
	}
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader("{}"))
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

func TestParseValid(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		req  *http.Request
		want Auth
	}{
		{
			name: "boto3 header",
			req:  newParseRequest("", "Authorization", boto3Authz, "X-Amz-Date", "20260101T000000Z"),
			want: Auth{
				Algorithm: Algorithm, Credential: "AKID/20260101/us-east-1/kinesis/aws4_request",
				AccessKeyID: "AKID", Date: "20260101", Region: "us-east-1", Service: "kinesis", Terminator: "aws4_request",
				SignedHeaders: "content-type;host;x-amz-date;x-amz-target",
				Signature:     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				Time:          t0,
			},
		},
		{
			name: "commas without spaces, session token, Date header in RFC 1123",
			req: newParseRequest("",
				"Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/kinesis/aws4_request,SignedHeaders=host;x-amz-security-token,Signature=ab",
				"Date", "Thu, 01 Jan 2026 00:00:00 GMT",
				"X-Amz-Security-Token", "token"),
			want: Auth{
				Algorithm: Algorithm, Credential: "AKID/20260101/eu-west-1/kinesis/aws4_request",
				AccessKeyID: "AKID", Date: "20260101", Region: "eu-west-1", Service: "kinesis", Terminator: "aws4_request",
				SignedHeaders: "host;x-amz-security-token", Signature: "ab", Time: t0, SessionToken: true,
			},
		},
		{
			name: "spaces only, repeated parameter's last value wins, trailing slash",
			req: newParseRequest("",
				"Authorization", "AWS4-HMAC-SHA256 Signature=aa Credential=AKID/20260101/us-east-1/kinesis/aws4_request/ SignedHeaders=host Signature=bb",
				"X-Amz-Date", "20260101T000000Z"),
			want: Auth{
				Algorithm: Algorithm, Credential: "AKID/20260101/us-east-1/kinesis/aws4_request",
				AccessKeyID: "AKID", Date: "20260101", Region: "us-east-1", Service: "kinesis", Terminator: "aws4_request",
				SignedHeaders: "host", Signature: "bb", Time: t0,
			},
		},
		{
			name: "presigned",
			req:  newParseRequest(querySig + "&X-Amz-Security-Token=tok%2Ben"),
			want: Auth{
				Algorithm: Algorithm, Credential: "AKID/20260101/us-east-1/kinesis/aws4_request",
				AccessKeyID: "AKID", Date: "20260101", Region: "us-east-1", Service: "kinesis", Terminator: "aws4_request",
				SignedHeaders: "host", Signature: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				Time: t0, SessionToken: true, Presigned: true, Expires: 5 * time.Minute,
			},
		},
		{
			name: "presigned, unparsable X-Amz-Expires ignored",
			req:  newParseRequest(strings.Replace(querySig, "X-Amz-Expires=300", "X-Amz-Expires=soon", 1)),
			want: Auth{
				Algorithm: Algorithm, Credential: "AKID/20260101/us-east-1/kinesis/aws4_request",
				AccessKeyID: "AKID", Date: "20260101", Region: "us-east-1", Service: "kinesis", Terminator: "aws4_request",
				SignedHeaders: "host", Signature: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				Time: t0, Presigned: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.req)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got == nil {
				t.Fatal("Parse returned nil Auth")
			}
			if !got.Time.Equal(tt.want.Time) {
				t.Errorf("Time = %v, want %v", got.Time, tt.want.Time)
			}
			got.Time, tt.want.Time = time.Time{}, time.Time{}
			if *got != tt.want {
				t.Errorf("Parse =\n%+v\nwant\n%+v", *got, tt.want)
			}
			if got.Scope() != got.Date+"/"+got.Region+"/"+got.Service+"/"+got.Terminator {
				t.Errorf("Scope() = %q", got.Scope())
			}
		})
	}
}

func TestParseNoSignature(t *testing.T) {
	tests := []struct {
		name string
		req  *http.Request
	}{
		{"nothing", newParseRequest("")},
		{"empty Authorization", newParseRequest("", "Authorization", "")},
		// kinesalite: every query parameter but X-Amz-Algorithm is no signature.
		{"query without X-Amz-Algorithm", newParseRequest("X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d")},
		{"prefix of X-Amz-Algorithm", newParseRequest("X-Amz-Algorith")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse(tt.req)
			if a != nil || err != nil {
				t.Fatalf("Parse = %+v, %v; want nil, nil", a, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const date = "20260101T000000Z"
	tests := []struct {
		name    string
		req     *http.Request
		code    string
		message string
	}{
		{
			// kinesalite test/connection.js, recorded from Kinesis.
			name: "no parameters, no date",
			req:  newParseRequest("", "Authorization", "X"),
			code: CodeIncompleteSignature,
			message: "Authorization header requires 'Credential' parameter. " +
				"Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=X",
		},
		{
			name: "header with a query that only looks like a signature",
			req:  newParseRequest("X-Amz-Algorith", "Authorization", "X"),
			code: CodeIncompleteSignature,
			message: "Authorization header requires 'Credential' parameter. " +
				"Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=X",
		},
		{
			name:    "space separated, no SignedHeaders",
			req:     newParseRequest("", "Authorization", "AWS4- Signature=b Credential=a", "Date", "a"),
			code:    CodeIncompleteSignature,
			message: "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a",
		},
		{
			name:    "comma separated, no SignedHeaders",
			req:     newParseRequest("", "Authorization", "AWS4- Signature=b,Credential=a", "Date", "a"),
			code:    CodeIncompleteSignature,
			message: "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b,Credential=a",
		},
		{
			name:    "comma and space separated, no SignedHeaders",
			req:     newParseRequest("", "Authorization", "AWS4- Signature=b, Credential=a", "Date", "a"),
			code:    CodeIncompleteSignature,
			message: "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a",
		},
		{
			name: "empty values count as missing",
			req: newParseRequest("", "Authorization", "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=",
				"X-Amz-Date", date),
			code: CodeIncompleteSignature,
			message: "Authorization header requires 'Credential' parameter. " +
				"Authorization header requires 'Signature' parameter. " +
				"Authorization=AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=",
		},
		{
			name: "no date header",
			req:  newParseRequest("", "Authorization", boto3Authz),
			code: CodeIncompleteSignature,
			message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=" + boto3Authz,
		},
		{
			// dynalite index.js, recorded from DynamoDB.
			name: "parameter without equal sign",
			req: newParseRequest("", "Authorization", "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders",
				"X-Amz-Date", date),
			code:    CodeIncompleteSignature,
			message: "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'.",
		},
		{
			name:    "date not ISO 8601 basic",
			req:     newParseRequest("", "Authorization", boto3Authz, "X-Amz-Date", "201"),
			code:    CodeIncompleteSignature,
			message: "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name:    "X-Amz-Date in HTTP format",
			req:     newParseRequest("", "Authorization", boto3Authz, "X-Amz-Date", "Thu, 01 Jan 2026 00:00:00 GMT"),
			code:    CodeIncompleteSignature,
			message: "Date must be in ISO-8601 'basic format'. Got 'Thu, 01 Jan 2026 00:00:00 GMT'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name:    "impossible date",
			req:     newParseRequest("", "Authorization", boto3Authz, "X-Amz-Date", "20260230T000000Z"),
			code:    CodeIncompleteSignature,
			message: "Date must be in ISO-8601 'basic format'. Got '20260230T000000Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name: "unsupported algorithm",
			req: newParseRequest("", "Authorization", strings.Replace(boto3Authz, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA25", 1),
				"X-Amz-Date", date),
			code:    CodeIncompleteSignature,
			message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). ",
		},
		{
			name: "credential with four elements",
			req: newParseRequest("", "Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=ab",
				"X-Amz-Date", date),
			code:    CodeIncompleteSignature,
			message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'",
		},
		{
			name: "credential with six elements",
			req: newParseRequest("", "Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host, Signature=ab",
				"X-Amz-Date", date),
			code:    CodeIncompleteSignature,
			message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d/e/f'",
		},
		{
			// kinesalite test/connection.js, recorded from Kinesis.
			name:    "both header and query",
			req:     newParseRequest("X-Amz-Algorithm", "Authorization", "X"),
			code:    CodeInvalidSignature,
			message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
		},
		{
			name: "empty X-Amz-Algorithm query",
			req:  newParseRequest("X-Amz-Algorithm"),
			code: CodeIncompleteSignature,
			message: "AWS query-string parameters must include 'X-Amz-Algorithm'. " +
				"AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
				"AWS query-string parameters must include 'X-Amz-Date'. " +
				"Re-examine the query-string parameters.",
		},
		{
			name:    "query without X-Amz-SignedHeaders",
			req:     newParseRequest("X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d"),
			code:    CodeIncompleteSignature,
			message: "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
		},
		{
			name:    "query with a bad date",
			req:     newParseRequest(strings.Replace(querySig, "X-Amz-Date=20260101T000000Z", "X-Amz-Date=2026-01-01", 1)),
			code:    CodeIncompleteSignature,
			message: "Date must be in ISO-8601 'basic format'. Got '2026-01-01'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name:    "query with another algorithm",
			req:     newParseRequest(strings.Replace(querySig, "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256", 1)),
			code:    CodeIncompleteSignature,
			message: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). ",
		},
		{
			name:    "query credential with three elements",
			req:     newParseRequest(strings.Replace(querySig, "AKID%2F20260101%2Fus-east-1%2Fkinesis%2Faws4_request", "AKID%2F20260101%2Fus-east-1", 1)),
			code:    CodeIncompleteSignature,
			message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20260101/us-east-1'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse(tt.req)
			if a != nil {
				t.Errorf("Parse returned Auth %+v with error", a)
			}
			assertAWSError(t, err, tt.code, tt.message)
		})
	}
}

// assertAWSError checks that err is an *awserr.Error with the code and
// message given and HTTP status 400.
func assertAWSError(t *testing.T, err error, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s", code)
	}
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("err = %T %v, want *awserr.Error", err, err)
	}
	if e.Code != code {
		t.Errorf("code = %q, want %q (message %q)", e.Code, code, e.Message)
	}
	if message != "" && e.Message != message {
		t.Errorf("message =\n%q\nwant\n%q", e.Message, message)
	}
	if e.Status != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", e.Status)
	}
}

func TestScopeOfHandBuiltAuth(t *testing.T) {
	a := &Auth{AccessKeyID: "AKID", Date: "20260101", Region: "us-east-1", Service: "kinesis", Terminator: Terminator}
	if got, want := a.Scope(), "20260101/us-east-1/kinesis/aws4_request"; got != want {
		t.Errorf("Scope() = %q, want %q", got, want)
	}
	// A hand-built Auth does not panic Verify either.
	err := newVerifier(t0).Verify(newParseRequest(""), nil, &Auth{})
	assertAWSError(t, err, CodeInvalidSignature, "")
}
