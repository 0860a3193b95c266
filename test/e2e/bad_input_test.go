package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
)

const amzJSON = "application/x-amz-json-1.1"

var requestIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// rawResponse is an AWS JSON response read without an SDK.
type rawResponse struct {
	status  int
	header  http.Header
	body    []byte
	typ     string // __type
	message string // message or Message
}

// rawCall posts body to the binary as the AWS JSON protocol does, unsigned.
// A length of -1 sends it chunked, with no Content-Length.
func rawCall(t *testing.T, endpoint, target string, body io.Reader, length int64) rawResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint+"/", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", amzJSON)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading the response: %v", target, err)
	}
	r := rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
	checkHeaders(t, target, resp.StatusCode, resp.Header)
	var e struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Errorf("%s: response body is not JSON: %q", target, b)
	}
	r.typ, r.message = e.Type, e.Message+e.Message2
	return r
}

func rawJSON(t *testing.T, endpoint, target, body string) rawResponse {
	t.Helper()
	return rawCall(t, endpoint, target, strings.NewReader(body), int64(len(body)))
}

// checkHeaders checks what every AWS JSON response carries.
func checkHeaders(t *testing.T, what string, status int, h http.Header) {
	t.Helper()
	if id := h.Get("X-Amzn-Requestid"); !requestIDRE.MatchString(id) {
		t.Errorf("%s (HTTP %d): x-amzn-RequestId %q, want a UUID", what, status, id)
	}
	if ct := h.Get("Content-Type"); ct != amzJSON {
		t.Errorf("%s (HTTP %d): Content-Type %q, want %s", what, status, ct, amzJSON)
	}
}

func wantError(t *testing.T, what string, r rawResponse, status int, typ, msg string) {
	t.Helper()
	if r.status != status || r.typ != typ || (msg != "" && r.message != msg) {
		t.Errorf("%s: HTTP %d %s\n got %s\nwant HTTP %d __type %s message %q", what, r.status, r.typ, r.body, status, typ, msg)
	}
}

// headerRecorder is an SDK HTTP client that checks the headers of every
// response it sees (success or error).
type headerRecorder struct {
	t     *testing.T
	inner plainBodyClient
	mu    sync.Mutex
	n     int
}

func (h *headerRecorder) Do(r *http.Request) (*http.Response, error) {
	resp, err := h.inner.Do(r)
	if err == nil {
		checkHeaders(h.t, "SDK "+r.Header.Get("X-Amz-Target"), resp.StatusCode, resp.Header)
		h.mu.Lock()
		h.n++
		h.mu.Unlock()
	}
	return resp, err
}

func checkedClient(t *testing.T, endpoint, keyID, secret string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       &headerRecorder{t: t, inner: plainBodyClient{&http.Client{Timeout: 30 * time.Second}}},
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// TestBadInput sends broken requests to the binary without an SDK: each
// gets AWS's error, with the usual headers, and none hurts the server or
// the data it holds. Then --auth strict: right, wrong and missing
// signatures. Neither server may log a payload or a secret.
func TestBadInput(t *testing.T) {
	t.Parallel()
	marker := "FRESHETE2EPAYLOAD" + randomHex(6) // appears only in record data
	var sentData []string                        // every record payload sent, raw
	p := startProc(t, procOpts{args: []string{"--state-delay", "0", "--log-level", "debug"}})
	ep := p.endpoint
	c := checkedClient(t, ep, "test", "test")
	const stream = "bad-input"
	createStreamActive(t, c, stream, 2)

	t.Run("malformed JSON", func(t *testing.T) {
		r := rawJSON(t, ep, "Kinesis_20131202.DescribeStream", `{"StreamName":`)
		wantError(t, "truncated JSON", r, 400, "SerializationException", "")
	})
	t.Run("wrong types", func(t *testing.T) {
		r := rawJSON(t, ep, "Kinesis_20131202.DescribeStream", `{"StreamName":5}`)
		wantError(t, `{"StreamName":5}`, r, 400, "SerializationException", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")
		r = rawJSON(t, ep, "Kinesis_20131202.PutRecord", `{"StreamName":"bad-input","PartitionKey":"k","Data":true}`)
		wantError(t, `"Data":true`, r, 400, "SerializationException", "class java.lang.Boolean can not be converted to a Blob")
	})
	t.Run("unknown operation", func(t *testing.T) {
		r := rawJSON(t, ep, "Kinesis_20131202.Nope", `{}`)
		if r.status != 400 || !jsonEqual(t, r.body, []byte(`{"__type":"UnknownOperationException"}`)) {
			t.Errorf("Kinesis_20131202.Nope: HTTP %d %s, want 400 {\"__type\":\"UnknownOperationException\"}", r.status, r.body)
		}
	})
	t.Run("20 MiB body", func(t *testing.T) {
		body := []byte(`{"StreamName":"bad-input","Records":[{"PartitionKey":"k","Data":"` + strings.Repeat("QUFB", 5<<20) + `"}]}`)
		for _, chunked := range []bool{false, true} {
			what := fmt.Sprintf("20 MiB PutRecords (chunked %v)", chunked)
			length := int64(len(body))
			var rd io.Reader = bytes.NewReader(body)
			if chunked {
				length, rd = -1, io.MultiReader(bytes.NewReader(body)) // hides the length
			}
			r := rawCall(t, ep, "Kinesis_20131202.PutRecords", rd, length)
			if r.status < 400 || r.status >= 500 || r.typ == "" {
				t.Errorf("%s: HTTP %d %s, want a 4xx AWS error", what, r.status, r.body)
			}
			healthy(t, ep, c)
		}
	})
	t.Run("501 records", func(t *testing.T) {
		recs := make([]string, 501)
		for i := range recs {
			recs[i] = `{"PartitionKey":"k","Data":"eA=="}`
		}
		r := rawJSON(t, ep, "Kinesis_20131202.PutRecords", `{"StreamName":"bad-input","Records":[`+strings.Join(recs, ",")+`]}`)
		if r.status != 400 || r.typ != "ValidationException" || !strings.HasPrefix(r.message, "1 validation error detected: Value ") ||
			!strings.HasSuffix(r.message, " at 'records' failed to satisfy constraint: Member must have length less than or equal to 500") {
			t.Errorf("501 records: HTTP %d %s %q", r.status, r.typ, r.message)
		}
	})
	t.Run("invalid base64 among good records", func(t *testing.T) {
		put := func(label string, n int) []string {
			var entries, payloads []string
			for i := 0; i < n; i++ {
				pl := fmt.Sprintf("%s/%s-%d", marker, label, i)
				payloads = append(payloads, pl)
				sentData = append(sentData, pl)
				entries = append(entries, fmt.Sprintf(`{"PartitionKey":"pk-%d","Data":%q}`, i, base64.StdEncoding.EncodeToString([]byte(pl))))
			}
			r := rawJSON(t, ep, "Kinesis_20131202.PutRecords", `{"StreamName":"bad-input","Records":[`+strings.Join(entries, ",")+`]}`)
			var out struct{ FailedRecordCount int }
			if r.status != 200 || json.Unmarshal(r.body, &out) != nil || out.FailedRecordCount != 0 {
				t.Fatalf("PutRecords %s: HTTP %d %s", label, r.status, r.body)
			}
			return payloads
		}
		before := put("before", 20)

		// Good records around one whose Data is not base64 ('-' is not in
		// the alphabet; the length is a multiple of 4).
		bad := marker + "-bad"
		for len(bad)%4 != 0 {
			bad += "x"
		}
		sentData = append(sentData, bad)
		good := func(i int) string {
			pl := fmt.Sprintf("%s/rejected-%d", marker, i)
			sentData = append(sentData, pl)
			return fmt.Sprintf(`{"PartitionKey":"pk-%d","Data":%q}`, i, base64.StdEncoding.EncodeToString([]byte(pl)))
		}
		body := `{"StreamName":"bad-input","Records":[` + good(0) + `,` + good(1) + `,{"PartitionKey":"pk-2","Data":"` + bad + `"},` + good(3) + `]}`
		r := rawJSON(t, ep, "Kinesis_20131202.PutRecords", body)
		// AWS's text (as kinesalite records it) starts "'<data>' can not be
		// converted to a Blob: " and goes on with the reason.
		wantError(t, "PutRecords with invalid base64", r, 400, "SerializationException", "")
		if !strings.HasPrefix(r.message, "'"+bad+"' can not be converted to a Blob: ") {
			t.Errorf("invalid base64: message %q", r.message)
		}
		healthy(t, ep, c)

		after := put("after", 20)
		// Exactly the good requests' records are stored, in order; nothing
		// of the rejected request.
		want := map[string][]string{}
		for _, pl := range append(before, after...) {
			want[pl[:strings.LastIndex(pl, "-")]] = append(want[pl[:strings.LastIndex(pl, "-")]], pl)
		}
		var got []string
		for _, shard := range listShardIDs(t, c, stream) {
			for _, r := range readShard(t, c, stream, shard) {
				got = append(got, string(r.Data))
			}
		}
		if len(got) != len(before)+len(after) {
			t.Errorf("stream holds %d records, want the %d good ones: %q", len(got), len(before)+len(after), got)
		}
		stored := map[string]int{}
		for _, g := range got {
			stored[g]++
			if strings.Contains(g, "rejected") || strings.Contains(g, "-bad") {
				t.Errorf("a record of the rejected request was stored: %q", g)
			}
		}
		for _, pl := range append(before, after...) {
			if stored[pl] != 1 {
				t.Errorf("%q stored %d times, want once", pl, stored[pl])
			}
		}
	})

	// --auth strict, with the key pair from the environment only.
	keyID := "AKIAFRESHETE2E" + strings.ToUpper(randomHex(3))
	secret := "e2eSecret" + randomHex(16)
	wrongSecret := "e2eWrong" + randomHex(16)
	sp := startProc(t, procOpts{
		args: []string{"--auth", "strict", "--state-delay", "0", "--log-level", "debug"},
		env:  []string{"FRESHET_ACCESS_KEY_ID=" + keyID, "FRESHET_SECRET_ACCESS_KEY=" + secret},
	})
	t.Run("auth strict", func(t *testing.T) {
		good := checkedClient(t, sp.endpoint, keyID, secret)
		createStreamActive(t, good, "auth", 1)
		pl := marker + "/signed"
		sentData = append(sentData, pl)
		put, err := good.PutRecord(t.Context(), &kinesis.PutRecordInput{StreamName: aws.String("auth"), PartitionKey: aws.String("k"), Data: []byte(pl)})
		if err != nil {
			t.Fatalf("signed with the right key: %v", err)
		}
		recs := readShard(t, good, "auth", aws.ToString(put.ShardId))
		if len(recs) != 1 || string(recs[0].Data) != pl {
			t.Errorf("signed read-back: %d records", len(recs))
		}

		for _, tc := range []struct {
			name, key, secret, code, msg string
		}{
			{"wrong secret", keyID, wrongSecret, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."},
			{"unknown key", "AKIAUNKNOWNE2E" + strings.ToUpper(randomHex(3)), secret, "UnrecognizedClientException", "The security token included in the request is invalid."},
		} {
			cl := checkedClient(t, sp.endpoint, tc.key, tc.secret)
			pl := marker + "/" + strings.ReplaceAll(tc.name, " ", "-")
			sentData = append(sentData, pl)
			_, err := cl.PutRecord(t.Context(), &kinesis.PutRecordInput{StreamName: aws.String("auth"), PartitionKey: aws.String("k"), Data: []byte(pl)})
			var ae smithy.APIError
			var re *awshttp.ResponseError
			if !errors.As(err, &ae) || !errors.As(err, &re) {
				t.Errorf("%s: want %s, got %v", tc.name, tc.code, err)
				continue
			}
			if ae.ErrorCode() != tc.code || re.HTTPStatusCode() != 400 || !strings.HasPrefix(ae.ErrorMessage(), tc.msg) {
				t.Errorf("%s: HTTP %d %s %q, want 400 %s %q", tc.name, re.HTTPStatusCode(), ae.ErrorCode(), ae.ErrorMessage(), tc.code, tc.msg)
			}
		}
		r := rawJSON(t, sp.endpoint, "Kinesis_20131202.ListStreams", `{}`)
		wantError(t, "unsigned ListStreams", r, 400, "MissingAuthenticationTokenException", "Missing Authentication Token")
		pl = marker + "/unsigned"
		sentData = append(sentData, pl)
		r = rawJSON(t, sp.endpoint, "Kinesis_20131202.PutRecord", fmt.Sprintf(`{"StreamName":"auth","PartitionKey":"k","Data":%q}`, base64.StdEncoding.EncodeToString([]byte(pl))))
		wantError(t, "unsigned PutRecord", r, 400, "MissingAuthenticationTokenException", "Missing Authentication Token")

		// Nothing but the signed record got in.
		if recs := readShard(t, good, "auth", aws.ToString(put.ShardId)); len(recs) != 1 {
			t.Errorf("after the rejected requests the stream holds %d records, want 1", len(recs))
		}
	})

	// The logs: stop both servers, then look for every payload sent (raw
	// and base64, as it travelled) and the secrets.
	p.shutdown(t)
	sp.shutdown(t)
	for name, log := range map[string]string{"freshet": p.log.String(), "freshet --auth strict": sp.log.String()} {
		if strings.TrimSpace(log) == "" {
			t.Errorf("%s logged nothing at --log-level debug", name)
		}
		for _, bad := range []string{marker, secret, wrongSecret} {
			if strings.Contains(log, bad) {
				t.Errorf("%s log contains %q (a payload marker or a secret)", name, bad)
			}
		}
		for _, pl := range sentData {
			if enc := base64.StdEncoding.EncodeToString([]byte(pl)); strings.Contains(log, enc) {
				t.Errorf("%s log contains the base64 of payload %q", name, pl)
			}
		}
	}
}

// healthy checks the server still answers /readyz and API calls.
func healthy(t *testing.T, endpoint string, c *kinesis.Client) {
	t.Helper()
	resp, err := http.Get(endpoint + "/readyz")
	if err != nil {
		t.Fatalf("/readyz: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/readyz: HTTP %d", resp.StatusCode)
	}
	out, err := c.ListStreams(t.Context(), &kinesis.ListStreamsInput{})
	if err != nil || len(out.StreamNames) == 0 {
		t.Fatalf("ListStreams: %v %v", out, err)
	}
}
