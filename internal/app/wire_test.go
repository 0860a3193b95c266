package app

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/config"
)

var update = flag.Bool("update", false, "rewrite the expected halves of testdata/wire/*.txt")

// TestWireTranscripts replays raw requests and compares the raw answers
// with testdata/wire/*.txt, caddyfiletest-style: each file holds requests
// ("> TARGET" then a body line) and, after "----", the status and body.
// Files run in name order against one fresh server, so a file may set up
// what later requests in it need. Run with -update to rewrite the answers.
func TestWireTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/wire/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			endpoint := startWireServer(t)
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			for _, step := range parseTranscript(t, string(raw)) {
				status, body := send(t, endpoint, step.target, step.body)
				out.WriteString("> " + step.target + "\n" + step.body + "\n----\n" + strconv.Itoa(status) + "\n" + body + "\n\n")
				if !*update && (strconv.Itoa(status) != step.status || body != step.want) {
					t.Errorf("%s %s:\n got %d %s\nwant %s %s", step.target, step.body, status, body, step.status, step.want)
				}
			}
			if *update {
				if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

var timestamps = regexp.MustCompile(`"(\w*Timestamp)":[0-9.eE+]+`)

type step struct{ target, body, status, want string }

func parseTranscript(t *testing.T, raw string) []step {
	var steps []step
	for _, block := range strings.Split(strings.TrimSpace(raw), "\n\n") {
		lines := strings.Split(block, "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "> ") {
			t.Fatalf("bad block %q", block)
		}
		s := step{target: strings.TrimPrefix(lines[0], "> "), body: lines[1]}
		if len(lines) >= 5 && lines[2] == "----" {
			s.status, s.want = lines[3], lines[4]
		}
		steps = append(steps, s)
	}
	return steps
}

func startWireServer(t *testing.T) string {
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.Memory = true
	cfg.StateDelay = 0
	cfg.ShardLimit = 10
	s, err := Start(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return "http://" + s.Addr()
}

func send(t *testing.T, endpoint, target, body string) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewBufferString(body))
	if target != "-" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if len(b) == 0 {
		b = []byte("(empty)")
	}
	// Times differ from run to run; the shape is what is pinned.
	b = timestamps.ReplaceAll(b, []byte(`"$1":"<time>"`))
	if resp.Header.Get("x-amzn-RequestId") == "" || resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("%s: headers %v", target, resp.Header)
	}
	return resp.StatusCode, string(b)
}
