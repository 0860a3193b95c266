package dispatch

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/freshet/freshet/internal/protocol/awscbor"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

func serve(m *Mux, method, target, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	return rec
}

func diag(t *testing.T, b []byte) string {
	t.Helper()
	d, err := awscbor.Diagnose(b)
	if err != nil {
		t.Fatalf("%x: %v", b, err)
	}
	return d
}

// TestContentTypeRouting: the Content-Type picks the handler and the
// encoding of the answer, errors included.
func TestContentTypeRouting(t *testing.T) {
	m := New(Options{})
	m.Handle("S.Both", func(context.Context, []byte) ([]byte, error) { return []byte(`{"via":"json"}`), nil })
	m.HandleCBOR("S.Both", func(_ context.Context, body []byte) ([]byte, error) {
		return append([]byte{0xa1, 0x63, 'v', 'i', 'a'}, awscbor.AppendText(nil, "cbor")...), nil
	})
	m.Handle("S.JSONOnly", func(context.Context, []byte) ([]byte, error) { return nil, nil })
	m.HandleCBOR("S.Fails", func(context.Context, []byte) ([]byte, error) {
		return nil, awserr.New("ResourceNotFoundException", "gone")
	})
	m.HandleStream("S.Stream", func(_ context.Context, _ []byte, w http.ResponseWriter) error {
		_, err := w.Write([]byte("json stream"))
		return err
	})
	m.HandleStreamCBOR("S.Stream", func(_ context.Context, _ []byte, w http.ResponseWriter) error {
		_, err := w.Write([]byte("cbor stream"))
		return err
	})

	for _, c := range []struct {
		name, method, target, ct string
		status                   int
		wantCT, want             string // want: the body, as diagnostic notation when CBOR
	}{
		{"json", "POST", "S.Both", jsonContentType, 200, jsonContentType, `{"via":"json"}`},
		{"cbor", "POST", "S.Both", awscbor.ContentType, 200, awscbor.ContentType, `{"via": "cbor"}`},
		{"cbor with parameters", "POST", "S.Both", awscbor.ContentType + "; charset=utf-8", 200, awscbor.ContentType, `{"via": "cbor"}`},
		{"not quite cbor", "POST", "S.Both", awscbor.ContentType + "x", 200, jsonContentType, `{"via":"json"}`},
		{"cbor error", "POST", "S.Fails", awscbor.ContentType, 400, awscbor.ContentType, `{"__type": "ResourceNotFoundException", "message": "gone"}`},
		{"cbor to a json-only target", "POST", "S.JSONOnly", awscbor.ContentType, 400, awscbor.ContentType,
			`{"__type": "UnknownOperationException", "message": "Freshet does not serve S.JSONOnly in application/x-amz-cbor-1.1; use JSON (for the Java SDK: AWS_CBOR_DISABLE=true)"}`},
		{"cbor to an unknown target", "POST", "S.Nope", awscbor.ContentType, 400, awscbor.ContentType, `{"__type": "UnknownOperationException"}`},
		{"json to an unknown target", "POST", "S.Nope", jsonContentType, 400, jsonContentType, `{"__type":"UnknownOperationException"}`},
		{"cbor without a target", "GET", "", awscbor.ContentType, 400, awscbor.ContentType, `{"__type": "UnknownOperationException"}`},
		{"json stream", "POST", "S.Stream", jsonContentType, 200, "", "json stream"},
		{"cbor stream", "POST", "S.Stream", awscbor.ContentType, 200, "", "cbor stream"},
	} {
		rec := serve(m, c.method, c.target, c.ct, []byte{0xa0})
		got := rec.Body.String()
		if c.wantCT == awscbor.ContentType {
			got = diag(t, rec.Body.Bytes())
		}
		if rec.Code != c.status || rec.Header().Get("Content-Type") != c.wantCT && c.wantCT != "" || got != c.want {
			t.Errorf("%s: %d %q %s\nwant %d %q %s", c.name, rec.Code, rec.Header().Get("Content-Type"), got, c.status, c.wantCT, c.want)
		}
	}
}

func TestCBORTooLarge(t *testing.T) {
	m := New(Options{MaxBody: 4})
	m.HandleCBOR("S.Op", func(context.Context, []byte) ([]byte, error) { return nil, nil })
	rec := serve(m, "POST", "S.Op", awscbor.ContentType, []byte{0x85, 1, 2, 3, 4, 5})
	if rec.Code != http.StatusRequestEntityTooLarge || diag(t, rec.Body.Bytes()) != `{"__type": "SerializationException", "Message": "Request entity too large"}` {
		t.Errorf("%d %x", rec.Code, rec.Body.Bytes())
	}
}
