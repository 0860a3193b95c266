package sigv4

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// TestKinesisClient drives aws-sdk-go-v2's Kinesis client, unchanged,
// against a server that answers only after Parse and Verify, with the
// server's real clock.
func TestKinesisClient(t *testing.T) {
	v := &Verifier{
		Lookup: func(id string) (string, bool) {
			return testSecret, id == testAKID
		},
		Service: "kinesis",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			var a *Auth
			a, err = Parse(r)
			if err == nil {
				err = v.Verify(r, body, a)
			}
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if e, ok := awserr.As(err); ok {
			w.WriteHeader(e.Status)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
			return
		}
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, `{"StreamNames":[],"HasMoreStreams":false}`)
	}))
	defer srv.Close()

	client := func(id, secret, token string) *kinesis.Client {
		return kinesis.New(kinesis.Options{
			Region:           "us-east-1",
			BaseEndpoint:     aws.String(srv.URL),
			Credentials:      credentials.NewStaticCredentialsProvider(id, secret, token),
			RetryMaxAttempts: 1,
		})
	}
	tests := []struct {
		name              string
		id, secret, token string
		wantCode          string
	}{
		{name: "valid", id: testAKID, secret: testSecret},
		{name: "valid with session token", id: testAKID, secret: testSecret, token: testToken},
		{name: "wrong secret", id: testAKID, secret: "x" + testSecret, wantCode: CodeInvalidSignature},
		{name: "unknown key", id: "AKIDNOBODY", secret: testSecret, wantCode: CodeUnrecognizedClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client(tt.id, tt.secret, tt.token).ListStreams(context.Background(), &kinesis.ListStreamsInput{})
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("ListStreams: %v", err)
				}
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("ListStreams error = %v, want %s", err, tt.wantCode)
			}
			if apiErr.ErrorCode() != tt.wantCode {
				t.Errorf("error code = %q, want %q", apiErr.ErrorCode(), tt.wantCode)
			}
		})
	}
}
