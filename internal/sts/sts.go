// Package sts serves the one STS operation tools ask a Kinesis endpoint
// for: GetCallerIdentity (AWS query protocol, XML answer), so SDK helpers
// and test fixtures that derive the account ID work against Freshet. Any
// other action answers InvalidAction.
//
// It imports internal/protocol/sigv4 and the standard library.
package sts

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/sigv4"
)

const namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Handler answers STS query requests.
type Handler struct {
	Account  string
	Verifier *sigv4.Verifier // nil: any signature
}

// IsQuery reports whether r is an AWS query-protocol request (a form POST
// without X-Amz-Target), which is how STS is called.
func IsQuery(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") == "" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newID()
	w.Header().Set("x-amzn-RequestId", requestID)
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		writeError(w, requestID, http.StatusBadRequest, "InvalidRequest", "could not read the request body")
		return
	}
	auth, err := sigv4.Parse(r)
	if err != nil {
		writeAWSError(w, requestID, err)
		return
	}
	if h.Verifier != nil {
		if auth == nil {
			writeAWSError(w, requestID, awserr.MissingAuthenticationToken())
			return
		}
		if err := h.Verifier.Verify(r, body, auth); err != nil {
			writeAWSError(w, requestID, err)
			return
		}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeError(w, requestID, http.StatusBadRequest, "MalformedQueryString", "the request body is not a valid query string")
		return
	}
	if action := form.Get("Action"); action != "GetCallerIdentity" {
		writeError(w, requestID, http.StatusBadRequest, "InvalidAction", "Could not find operation "+action+" for version "+form.Get("Version"))
		return
	}
	userID := "AIDAFRESHET"
	if auth != nil {
		userID = auth.AccessKeyID
	}
	type result struct {
		Arn     string
		UserID  string `xml:"UserId"`
		Account string
	}
	resp := struct {
		XMLName  xml.Name `xml:"GetCallerIdentityResponse"`
		NS       string   `xml:"xmlns,attr"`
		Result   result   `xml:"GetCallerIdentityResult"`
		Metadata struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}{NS: namespace, Result: result{Arn: "arn:aws:iam::" + h.Account + ":root", UserID: userID, Account: h.Account}}
	resp.Metadata.RequestID = requestID
	writeXML(w, http.StatusOK, resp)
}

func writeAWSError(w http.ResponseWriter, requestID string, err error) {
	e, ok := awserr.As(err)
	if !ok {
		e = awserr.InternalFailure()
	}
	writeError(w, requestID, e.Status, e.Code, e.Message)
}

func writeError(w http.ResponseWriter, requestID string, status int, code, message string) {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	type errBody struct {
		Type    string
		Code    string
		Message string
	}
	writeXML(w, status, struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		NS        string   `xml:"xmlns,attr"`
		Error     errBody
		RequestID string `xml:"RequestId"`
	}{NS: namespace, Error: errBody{typ, code, message}, RequestID: requestID})
}

func writeXML(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	xml.NewEncoder(&buf).Encode(v)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
