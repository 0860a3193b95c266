package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

const (
	testAKID   = "AKIDFRESHETEXAMPLE"
	testSecret = "fReSh/eT+sEcReT/kEy0123456789EXAMPLEKEY"
	testToken  = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN//////////"
	testHost   = "localhost:4567"
	putBody    = `{"StreamName":"s","Data":"aGVsbG8=","PartitionKey":"p"}`
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newVerifier(now time.Time) *Verifier {
	return &Verifier{
		Lookup: func(id string) (string, bool) {
			if id == testAKID {
				return testSecret, true
			}
			return "", false
		},
		Now:     func() time.Time { return now },
		Service: "kinesis",
	}
}

// wire writes a client request out as HTTP/1.1 and reads it back the way a
// server does, returning the server's request and body.
func wire(t testing.TB, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatalf("write request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return sr, body
}

type signOpts struct {
	secret, region, token string
	payloadHash           string // default: SHA-256 of the body
	contentSHA            string // X-Amz-Content-Sha256 header, when set
	at                    time.Time
}

// sdkPost signs a Kinesis JSON POST with aws-sdk-go-v2's signer and returns
// it as the server reads it.
func sdkPost(t testing.TB, body string, o signOpts) (*http.Request, []byte) {
	t.Helper()
	if o.secret == "" {
		o.secret = testSecret
	}
	if o.region == "" {
		o.region = "us-east-1"
	}
	if o.at.IsZero() {
		o.at = t0
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+testHost+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecord")
	if o.contentSHA != "" {
		req.Header.Set("X-Amz-Content-Sha256", o.contentSHA)
	}
	hash := o.payloadHash
	if hash == "" {
		sum := sha256.Sum256([]byte(body))
		hash = hex.EncodeToString(sum[:])
	}
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: o.secret, SessionToken: o.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "kinesis", o.region, o.at); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
	return wire(t, req)
}

// sdkPresignedGet presigns a GET with aws-sdk-go-v2's signer, valid for
// expires, and returns it as the server reads it.
func sdkPresignedGet(t testing.TB, secret string, expires time.Duration) (*http.Request, []byte) {
	t.Helper()
	u := "http://" + testHost + "/streams/my%20stream?Action=DescribeStream&b=x%20y&a=%2F&X-Amz-Expires=" +
		strconv.Itoa(int(expires/time.Second))
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nil)
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: secret, SessionToken: testToken}
	uri, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", t0)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	signed, err := http.NewRequest(http.MethodGet, uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k != "Host" {
			signed.Header[k] = v
		}
	}
	return wire(t, signed)
}

// verify parses and verifies a server-side request.
func verify(v *Verifier, r *http.Request, body []byte) error {
	a, err := Parse(r)
	if err != nil {
		return err
	}
	return v.Verify(r, body, a)
}

func TestVerifySDKSigned(t *testing.T) {
	tests := []struct {
		name string
		body string
		o    signOpts
		edit func(r *http.Request, body []byte) []byte
	}{
		{name: "PutRecord", body: putBody},
		{name: "empty body", body: ""},
		{name: "other region", body: putBody, o: signOpts{region: "eu-central-1"}},
		{name: "session token", body: putBody, o: signOpts{token: testToken}},
		{name: "unsigned payload passed through", body: putBody,
			o:    signOpts{payloadHash: "UNSIGNED-PAYLOAD", contentSHA: "UNSIGNED-PAYLOAD"},
			edit: func(_ *http.Request, _ []byte) []byte { return []byte(`{"other":"body"}`) }},
		{name: "streaming payload passed through", body: putBody,
			o: signOpts{payloadHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", contentSHA: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}},
		{name: "signed content-length without the header", body: putBody,
			edit: func(r *http.Request, body []byte) []byte { r.Header.Del("Content-Length"); return body }},
		{name: "one second short of the skew", body: putBody, o: signOpts{at: t0.Add(-DefaultMaxSkew + time.Second)}},
		{name: "ahead within the skew", body: putBody, o: signOpts{at: t0.Add(DefaultMaxSkew)}},
		{name: "proxy rewrote r.URL", body: putBody,
			edit: func(r *http.Request, body []byte) []byte { r.URL.Path = "/rewritten"; return body }},
	}
	v := newVerifier(t0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := sdkPost(t, tt.body, tt.o)
			if tt.edit != nil {
				body = tt.edit(r, body)
			}
			if err := verify(v, r, body); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func TestVerifyPresigned(t *testing.T) {
	r, body := sdkPresignedGet(t, testSecret, time.Hour)
	a, err := Parse(r)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !a.Presigned || !a.SessionToken || a.Expires != time.Hour {
		t.Fatalf("Parse = %+v, want presigned with session token, expiring in an hour", a)
	}
	if err := newVerifier(t0.Add(10*time.Minute)).Verify(r, body, a); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestVerifyTampered(t *testing.T) {
	type edit func(r *http.Request, body []byte) []byte
	setHeader := func(k, v string) edit {
		return func(r *http.Request, b []byte) []byte { r.Header.Set(k, v); return b }
	}
	setURI := func(uri string) edit {
		return func(r *http.Request, b []byte) []byte {
			r.RequestURI = uri
			path, query, _ := strings.Cut(uri, "?")
			r.URL.Path, r.URL.RawQuery = path, query
			return b
		}
	}
	editAuthz := func(old, new string) edit {
		return func(r *http.Request, b []byte) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
			return b
		}
	}
	flipSignature := func(r *http.Request, b []byte) []byte {
		h := r.Header.Get("Authorization")
		last := h[len(h)-1]
		repl := byte('0')
		if last == '0' {
			repl = '1'
		}
		r.Header.Set("Authorization", h[:len(h)-1]+string(repl))
		return b
	}

	post := []struct {
		name string
		o    signOpts
		edit edit
	}{
		{name: "body", edit: func(_ *http.Request, _ []byte) []byte { return []byte(`{"StreamName":"t"}`) }},
		{name: "body byte appended", edit: func(_ *http.Request, b []byte) []byte { return append(b, ' ') }},
		{name: "content-type header", edit: setHeader("Content-Type", "application/json")},
		{name: "target", edit: setHeader("X-Amz-Target", "Kinesis_20131202.DeleteStream")},
		{name: "x-amz-date within the skew", edit: setHeader("X-Amz-Date", "20260101T000001Z")},
		{name: "host", edit: func(r *http.Request, b []byte) []byte { r.Host = "evil.example:4567"; return b }},
		{name: "method", edit: func(r *http.Request, b []byte) []byte { r.Method = http.MethodPut; return b }},
		{name: "path", edit: setURI("/other")},
		{name: "query", edit: setURI("/?a=b")},
		{name: "region in credential", edit: editAuthz("/us-east-1/", "/us-west-2/")},
		{name: "signed header dropped from list", edit: editAuthz("x-amz-date;x-amz-target", "x-amz-date")},
		{name: "signature", edit: flipSignature},
		{name: "signature not hex", edit: editAuthz("Signature=", "Signature=zz")},
		{name: "signature truncated", edit: editAuthz("Signature=", "Signature=0")},
		{name: "secret", o: signOpts{secret: "wrong" + testSecret}},
		{name: "region signed differently", o: signOpts{region: "us-west-2"}, edit: editAuthz("/us-west-2/", "/us-east-1/")},
		{name: "session token", o: signOpts{token: testToken}, edit: setHeader("X-Amz-Security-Token", "other")},
		{name: "declared payload hash", o: signOpts{contentSHA: "UNSIGNED-PAYLOAD", payloadHash: "UNSIGNED-PAYLOAD"},
			edit: setHeader("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
	}
	v := newVerifier(t0)
	for _, tt := range post {
		t.Run("POST "+tt.name, func(t *testing.T) {
			r, body := sdkPost(t, putBody, tt.o)
			if tt.edit != nil {
				body = tt.edit(r, body)
			}
			err := verify(v, r, body)
			assertAWSError(t, err, CodeInvalidSignature, "")
			if e, _ := awserr.As(err); e != nil && !strings.HasPrefix(e.Message, msgSignatureMismatch+"\n\n") {
				t.Errorf("message = %q, want the signature mismatch", e.Message)
			}
		})
	}

	get := []struct {
		name   string
		secret string
		edit   edit
	}{
		{name: "query value", edit: func(r *http.Request, b []byte) []byte {
			return setURI(strings.Replace(r.RequestURI, "Action=DescribeStream", "Action=DeleteStream", 1))(r, b)
		}},
		{name: "query added", edit: func(r *http.Request, b []byte) []byte { return setURI(r.RequestURI+"&c=d")(r, b) }},
		{name: "expires", edit: func(r *http.Request, b []byte) []byte {
			return setURI(strings.Replace(r.RequestURI, "X-Amz-Expires=3600", "X-Amz-Expires=3599", 1))(r, b)
		}},
		{name: "path", edit: func(r *http.Request, b []byte) []byte {
			return setURI(strings.Replace(r.RequestURI, "my%20stream", "my%20strean", 1))(r, b)
		}},
		{name: "secret", secret: "wrong" + testSecret},
	}
	for _, tt := range get {
		t.Run("presigned GET "+tt.name, func(t *testing.T) {
			secret := tt.secret
			if secret == "" {
				secret = testSecret
			}
			r, body := sdkPresignedGet(t, secret, time.Hour)
			if tt.edit != nil {
				body = tt.edit(r, body)
			}
			err := verify(v, r, body)
			assertAWSError(t, err, CodeInvalidSignature, "")
			if e, _ := awserr.As(err); e != nil && !strings.HasPrefix(e.Message, msgSignatureMismatch+"\n\n") {
				t.Errorf("message = %q, want the signature mismatch", e.Message)
			}
		})
	}
}

func TestVerifyClock(t *testing.T) {
	tests := []struct {
		name    string
		now     time.Time
		expires time.Duration // presigned when set
		message string
	}{
		{
			name:    "expired",
			now:     t0.Add(20 * time.Minute),
			message: "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T002000Z - 15 min.)",
		},
		{
			name:    "not yet current",
			now:     t0.Add(-16 * time.Minute),
			message: "Signature not yet current: 20260101T000000Z is still later than 20251231T235900Z (20251231T234400Z + 15 min.)",
		},
		{
			name:    "presigned, past X-Amz-Expires",
			now:     t0.Add(2 * time.Minute),
			expires: time.Minute,
			message: "Signature expired: 20260101T000000Z is now earlier than 20260101T000100Z (20260101T000200Z - 1 min.)",
		},
		{
			name:    "presigned, past the skew before X-Amz-Expires",
			now:     t0.Add(16 * time.Minute),
			expires: time.Hour,
			message: "Signature expired: 20260101T000000Z is now earlier than 20260101T000100Z (20260101T001600Z - 15 min.)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *http.Request
			var body []byte
			if tt.expires > 0 {
				r, body = sdkPresignedGet(t, testSecret, tt.expires)
			} else {
				r, body = sdkPost(t, putBody, signOpts{})
			}
			assertAWSError(t, verify(newVerifier(tt.now), r, body), CodeInvalidSignature, tt.message)
		})
	}

	t.Run("custom skew", func(t *testing.T) {
		v := newVerifier(t0.Add(90 * time.Second))
		v.MaxSkew = 90*time.Second - time.Second
		r, body := sdkPost(t, putBody, signOpts{})
		assertAWSError(t, verify(v, r, body), CodeInvalidSignature,
			"Signature expired: 20260101T000000Z is now earlier than 20260101T000001Z (20260101T000130Z - 89 sec.)")
	})
}

func TestVerifyRefusals(t *testing.T) {
	header := func(authz string) *http.Request {
		r := newParseRequest("", "Authorization", authz, "X-Amz-Date", "20260101T000000Z")
		r.Host = testHost
		return r
	}
	const sig = ", Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name    string
		v       *Verifier
		req     *http.Request
		code    string
		message string
	}{
		{
			name:    "unknown access key",
			req:     header("AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date" + sig),
			code:    CodeUnrecognizedClient,
			message: "The security token included in the request is invalid.",
		},
		{
			name:    "no Lookup",
			v:       &Verifier{Now: func() time.Time { return t0 }},
			req:     header("AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date" + sig),
			code:    CodeUnrecognizedClient,
			message: "The security token included in the request is invalid.",
		},
		{
			name:    "host not signed",
			req:     header("AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=x-amz-date;x-host" + sig),
			code:    CodeInvalidSignature,
			message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name:    "wrong service",
			req:     header("AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date" + sig),
			code:    CodeInvalidSignature,
			message: "Credential should be scoped to correct service: 'kinesis'.",
		},
		{
			// The faults dynalite recorded from DynamoDB, all at once.
			name: "every scope fault",
			req:  header("AWS4-HMAC-SHA256 Credential=" + testAKID + "/b//d/e, SignedHeaders=host;x-amz-date" + sig),
			code: CodeInvalidSignature,
			message: "Credential should be scoped to a valid region, not ''. " +
				"Credential should be scoped to correct service: 'kinesis'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20260101', from '20260101T000000Z'.",
		},
		{
			name:    "scope date of another day",
			req:     header("AWS4-HMAC-SHA256 Credential=" + testAKID + "/20251231/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date" + sig),
			code:    CodeInvalidSignature,
			message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T000000Z'.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v
			if v == nil {
				v = newVerifier(t0)
			}
			assertAWSError(t, verify(v, tt.req, nil), tt.code, tt.message)
		})
	}

	t.Run("no signature", func(t *testing.T) {
		err := newVerifier(t0).Verify(newParseRequest(""), nil, nil)
		assertAWSError(t, err, CodeMissingToken, "Missing Authentication Token")
	})
	t.Run("any service when unset", func(t *testing.T) {
		v := newVerifier(t0)
		v.Service = ""
		r := header("AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date" + sig)
		err := verify(v, r, nil)
		assertAWSError(t, err, CodeInvalidSignature, "")
		if e, _ := awserr.As(err); e != nil && !strings.HasPrefix(e.Message, msgSignatureMismatch) {
			t.Errorf("message = %q, want the signature mismatch", e.Message)
		}
	})
}

// botocoreRequest builds, by hand and independently of the package, the
// request botocore sends for a Kinesis call: it signs content-type, host,
// x-amz-date and x-amz-target (and x-amz-security-token when there is one),
// not user-agent, and puts ", " between the Authorization parameters.
func botocoreRequest(t *testing.T, secret, token, body string) *http.Request {
	t.Helper()
	const amzDate, scope = "20260101T000000Z", "20260101/us-east-1/kinesis/aws4_request"
	headers := [][2]string{
		{"content-type", "application/x-amz-json-1.1"},
		{"host", testHost},
		{"x-amz-date", amzDate},
	}
	if token != "" {
		headers = append(headers, [2]string{"x-amz-security-token", token})
	}
	headers = append(headers, [2]string{"x-amz-target", "Kinesis_20131202.ListStreams"})

	var canon, names strings.Builder
	canon.WriteString("POST\n/\n\n")
	for i, h := range headers {
		canon.WriteString(h[0] + ":" + h[1] + "\n")
		if i > 0 {
			names.WriteString(";")
		}
		names.WriteString(h[0])
	}
	bodySum := sha256.Sum256([]byte(body))
	canon.WriteString("\n" + names.String() + "\n" + hex.EncodeToString(bodySum[:]))
	canonSum := sha256.Sum256([]byte(canon.String()))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(canonSum[:])

	mac := func(key []byte, s string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4"+secret), "20260101"), "us-east-1"), "kinesis"), "aws4_request")
	sig := hex.EncodeToString(mac(key, sts))

	raw := "POST / HTTP/1.1\r\n" +
		"Host: " + testHost + "\r\n" +
		"Accept-Encoding: identity\r\n" +
		"X-Amz-Target: Kinesis_20131202.ListStreams\r\n" +
		"Content-Type: application/x-amz-json-1.1\r\n" +
		"User-Agent: Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 os/linux lang/python#3.12.3\r\n" +
		"X-Amz-Date: " + amzDate + "\r\n"
	if token != "" {
		raw += "X-Amz-Security-Token: " + token + "\r\n"
	}
	raw += "Authorization: AWS4-HMAC-SHA256 Credential=" + testAKID + "/" + scope + ", SignedHeaders=" + names.String() + ", Signature=" + sig + "\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	return r
}

func TestVerifyBotocore(t *testing.T) {
	v := newVerifier(t0)
	for _, token := range []string{"", testToken} {
		r := botocoreRequest(t, testSecret, token, "{}")
		if err := verify(v, r, []byte("{}")); err != nil {
			t.Errorf("token %q: Verify: %v", token, err)
		}
	}
}

// TestVerifyMismatchMessage checks AWS's full mismatch text: the canonical
// request and string to sign follow the message, and a session token's
// value is redacted from them.
func TestVerifyMismatchMessage(t *testing.T) {
	const bodyHash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a" // SHA-256 of "{}"
	tests := []struct {
		name, token, canonicalHeaders, signedHeaders string
	}{
		{
			name: "no token",
			canonicalHeaders: "content-type:application/x-amz-json-1.1\nhost:" + testHost +
				"\nx-amz-date:20260101T000000Z\nx-amz-target:Kinesis_20131202.ListStreams\n",
			signedHeaders: "content-type;host;x-amz-date;x-amz-target",
		},
		{
			name:  "token redacted",
			token: testToken,
			canonicalHeaders: "content-type:application/x-amz-json-1.1\nhost:" + testHost +
				"\nx-amz-date:20260101T000000Z\nx-amz-security-token:<redacted>\nx-amz-target:Kinesis_20131202.ListStreams\n",
			signedHeaders: "content-type;host;x-amz-date;x-amz-security-token;x-amz-target",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := botocoreRequest(t, "not the secret", tt.token, "{}")
			err := verify(newVerifier(t0), r, []byte("{}"))
			canonical := "POST\n/\n\n" + tt.canonicalHeaders + "\n" + tt.signedHeaders + "\n" + bodyHash
			// The string to sign hashes the real canonical request, token included.
			real := strings.Replace(canonical, "<redacted>", tt.token, 1)
			sum := sha256.Sum256([]byte(real))
			sts := "AWS4-HMAC-SHA256\n20260101T000000Z\n20260101/us-east-1/kinesis/aws4_request\n" + hex.EncodeToString(sum[:])
			want := msgSignatureMismatch + "\n\nThe Canonical String for this request should have been\n'" + canonical +
				"'\n\nThe String-to-Sign should have been\n'" + sts + "'\n"
			assertAWSError(t, err, CodeInvalidSignature, want)
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Error("error text contains the session token")
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Error("error text contains the secret")
			}
		})
	}

	t.Run("presigned token redacted", func(t *testing.T) {
		r, body := sdkPresignedGet(t, "not the secret", time.Hour)
		err := verify(newVerifier(t0), r, body)
		assertAWSError(t, err, CodeInvalidSignature, "")
		if err != nil && (strings.Contains(err.Error(), "EXAMPLESESSIONTOKEN") || !strings.Contains(err.Error(), "X-Amz-Security-Token=%3Credacted%3E")) {
			t.Errorf("session token not redacted: %q", err.Error())
		}
	})
}

func TestVerifyConcurrentAndKeyCache(t *testing.T) {
	v := newVerifier(t0)
	r, body := sdkPost(t, putBody, signOpts{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				a, err := Parse(r)
				if err == nil {
					err = v.Verify(r, body, a)
				}
				if err != nil {
					t.Errorf("Verify: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()

	for i := range maxCachedKeys + 10 {
		v.signingKey(testSecret, strconv.Itoa(i), "us-east-1", "kinesis")
	}
	v.mu.RLock()
	n := len(v.keys)
	v.mu.RUnlock()
	if n > maxCachedKeys {
		t.Errorf("key cache holds %d keys, want at most %d", n, maxCachedKeys)
	}
	if got, want := v.signingKey("s", "d", "r", "x"), deriveKey("s", "d", "r", "x"); got != want {
		t.Error("cached key differs from derived key")
	}
}

func TestPathNormalization(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"/./", "/"},
		{"//example//", "/example/"},
		{"/example1/example2/../..", "/"},
		{"/example/..", "/"},
		{"/a/./b/../c/", "/a/c/"},
		{"/a/.hidden", "/a/.hidden"},
		{"/../a", "/a"},
	}
	for _, tt := range tests {
		if got := normalizePath(tt.in); got != tt.want {
			t.Errorf("normalizePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
