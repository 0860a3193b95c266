package sigv4

import (
	"strconv"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// The error codes AWS's JSON front end uses for authentication failures.
// Every one travels with HTTP 400 on the JSON protocols.
const (
	CodeIncompleteSignature = "IncompleteSignatureException"
	CodeInvalidSignature    = "InvalidSignatureException"
	CodeUnrecognizedClient  = "UnrecognizedClientException"
	CodeMissingToken        = "MissingAuthenticationTokenException"
)

// Texts of AWS's messages. Sources: the responses kinesalite's tests record
// from real Kinesis (mhart/kinesalite index.js and test/connection.js), the
// responses dynalite's comments record from real DynamoDB (mhart/dynalite
// index.js), and error messages quoted from AWS in SDK issue threads.
const (
	msgBothForms = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."

	msgHeaderNeedsCredential    = "Authorization header requires 'Credential' parameter. "
	msgHeaderNeedsSignature     = "Authorization header requires 'Signature' parameter. "
	msgHeaderNeedsSignedHeaders = "Authorization header requires 'SignedHeaders' parameter. "
	msgHeaderNeedsDate          = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "

	msgQueryNeedsPrefix = "AWS query-string parameters must include '"
	msgQueryNeedsSuffix = "'. "
	msgQueryReexamine   = "Re-examine the query-string parameters."

	msgHostNotSigned = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."

	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

	msgUnrecognizedClient = "The security token included in the request is invalid."
)

func incomplete(msg string) *awserr.Error {
	return awserr.New(CodeIncompleteSignature, msg)
}

func invalidSignature(msg string) *awserr.Error {
	return awserr.New(CodeInvalidSignature, msg)
}

// errBothForms is AWS's answer to a request signed both ways at once.
func errBothForms() *awserr.Error { return invalidSignature(msgBothForms) }

// errBadDate answers a request time that is not ISO 8601 basic format.
func errBadDate(got string) *awserr.Error {
	return incomplete("Date must be in ISO-8601 'basic format'. Got '" + got + "'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// errAlgorithm answers any algorithm but AWS4-HMAC-SHA256.
func errAlgorithm(alg string) *awserr.Error {
	return incomplete("Unsupported AWS 'algorithm': '" + alg + "' (only AWS4-HMAC-SHA256 for now). ")
}

// errCredentialShape answers a Credential that is not
// keyid/date/region/service/terminator.
func errCredentialShape(cred string) *awserr.Error {
	return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + cred + "'")
}

// errMissingEqual answers an Authorization parameter without "=".
func errMissingEqual(param, header string) *awserr.Error {
	return incomplete("'" + param + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + header + "'.")
}

// errUnrecognizedClient answers an access key Freshet does not know.
func errUnrecognizedClient() *awserr.Error {
	return awserr.New(CodeUnrecognizedClient, msgUnrecognizedClient)
}

// errExpired answers a request time older than the allowed window:
// "Signature expired: <t> is now earlier than <now-window> (<now> - 15 min.)".
func errExpired(t, now time.Time, window time.Duration) *awserr.Error {
	return invalidSignature("Signature expired: " + basic(t) + " is now earlier than " + basic(now.Add(-window)) +
		" (" + basic(now) + " - " + windowText(window) + ".)")
}

// errNotYetCurrent answers a request time too far in the future:
// "Signature not yet current: <t> is still later than <now+window> (<now> + 15 min.)".
func errNotYetCurrent(t, now time.Time, window time.Duration) *awserr.Error {
	return invalidSignature("Signature not yet current: " + basic(t) + " is still later than " + basic(now.Add(window)) +
		" (" + basic(now) + " + " + windowText(window) + ".)")
}

// errMismatch is AWS's signature mismatch, which on the JSON services goes
// on to show the canonical request and the string to sign it expected.
func errMismatch(canonical, stringToSign string) *awserr.Error {
	return invalidSignature(msgSignatureMismatch +
		"\n\nThe Canonical String for this request should have been\n'" + canonical +
		"'\n\nThe String-to-Sign should have been\n'" + stringToSign + "'\n")
}

// windowText renders a window the way AWS does ("15 min"), falling back to
// seconds for windows that are not whole minutes.
func windowText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec"
}

// basic formats t in ISO 8601 basic format, UTC: 20260101T000000Z.
func basic(t time.Time) string {
	var b [16]byte
	return string(appendBasic(b[:0], t))
}

func appendBasic(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, amzDateLayout)
}
