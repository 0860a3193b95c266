package transport

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listStreamsHandler answers ListStreams the way Kinesis does, enough for
// the aws CLI.
func listStreamsHandler(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != "Kinesis_20131202.ListStreams" {
		http.Error(w, "unexpected target "+r.Header.Get("X-Amz-Target"), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Write([]byte(`{"StreamNames":[],"HasMoreStreams":false}`))
}

// clientEnv is the environment for a client child process: dummy
// credentials and region, and no configuration from the user's home.
func clientEnv(t *testing.T) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	none := filepath.Join(t.TempDir(), "none")
	return append(env,
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+none,
		"AWS_SHARED_CREDENTIALS_FILE="+none,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"PYTHONWARNINGS=ignore",
	)
}

func runClient(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = clientEnv(t)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

func TestAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed")
	}
	s := startServer(t, http.HandlerFunc(listStreamsHandler), 0)
	caBundle := filepath.Join(s.dataDir, "tls", "cert.pem")

	tests := []struct {
		name string
		args []string
	}{
		{"https no-verify-ssl", []string{"--endpoint-url", "https://127.0.0.1:" + s.port, "--no-verify-ssl"}},
		{"https verified localhost", []string{"--endpoint-url", "https://localhost:" + s.port, "--ca-bundle", caBundle}},
		{"plain http", []string{"--endpoint-url", "http://127.0.0.1:" + s.port}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(tt.args, "--output", "json", "kinesis", "list-streams")
			out := runClient(t, aws, args...)
			if !strings.Contains(out, `"StreamNames": []`) {
				t.Errorf("output %q has no empty StreamNames", out)
			}
		})
	}
}

// TestPythonStrictVerification checks the generated certificate against
// OpenSSL's strict X.509 checks, which Python 3.13 and later (so boto3) turn
// on by default.
func TestPythonStrictVerification(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	s := startServer(t, http.HandlerFunc(protoHandler), 0)
	const script = `
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
if not hasattr(ssl, "VERIFY_X509_STRICT"):
    print("skip: no VERIFY_X509_STRICT")
    sys.exit(0)
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
ctx.set_alpn_protocols(["h2", "http/1.1"])
for host in ("localhost", "127.0.0.1"):
    with socket.create_connection((host, int(sys.argv[2])), timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname=host) as tls:
            print(host, tls.version(), tls.selected_alpn_protocol())
`
	out := runClient(t, python, "-c", script, filepath.Join(s.dataDir, "tls", "cert.pem"), s.port)
	if strings.HasPrefix(out, "skip:") {
		t.Skip(strings.TrimSpace(out))
	}
	for _, want := range []string{"localhost TLSv1.3 h2", "127.0.0.1 TLSv1.3 h2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q does not contain %q", out, want)
		}
	}
}
