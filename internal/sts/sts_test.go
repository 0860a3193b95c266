package sts

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/protocol/sigv4"
)

func post(h http.Handler, body string, auth string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if auth != "" {
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestGetCallerIdentity(t *testing.T) {
	h := &Handler{Account: "123456789012"}
	auth := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
	w := post(h, "Action=GetCallerIdentity&Version=2011-06-15", auth)
	body := w.Body.String()
	for _, want := range []string{"<Account>123456789012</Account>", "<UserId>AKIDEXAMPLE</UserId>", "<Arn>arn:aws:iam::123456789012:root</Arn>", `xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`} {
		if !strings.Contains(body, want) {
			t.Errorf("response lacks %s:\n%s", want, body)
		}
	}
	if w.Code != 200 || w.Header().Get("x-amzn-RequestId") == "" || !strings.Contains(body, "<RequestId>"+w.Header().Get("x-amzn-RequestId")+"</RequestId>") {
		t.Fatalf("status %d, headers %v", w.Code, w.Header())
	}

	w = post(h, "Action=AssumeRole&Version=2011-06-15", auth)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>InvalidAction</Code>") || !strings.Contains(w.Body.String(), "<Type>Sender</Type>") {
		t.Fatalf("other action: %d %s", w.Code, w.Body)
	}

	strict := &Handler{Account: "123456789012", Verifier: &sigv4.Verifier{Lookup: func(string) (string, bool) { return "", false }}}
	if w := post(strict, "Action=GetCallerIdentity&Version=2011-06-15", ""); w.Code != 400 || !strings.Contains(w.Body.String(), "MissingAuthenticationToken") {
		t.Fatalf("unsigned under strict auth: %d %s", w.Code, w.Body)
	}
	if w := post(strict, "Action=GetCallerIdentity&Version=2011-06-15", auth); w.Code == 200 {
		t.Fatalf("unknown key accepted under strict auth: %s", w.Body)
	}
}

func TestIsQuery(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !IsQuery(r) {
		t.Fatal("form POST is a query request")
	}
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	if IsQuery(r) {
		t.Fatal("a request with X-Amz-Target is JSON")
	}
}
