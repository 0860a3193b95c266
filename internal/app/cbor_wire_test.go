package app

import (
	"bytes"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/protocol/awscbor"
)

// TestCBORWireTranscripts is TestWireTranscripts in AWS CBOR: it replays
// testdata/wire/cbor/*.txt against one fresh server per file and compares
// the answers. Bodies are written in CBOR diagnostic notation (RFC 8949
// §8). A request block is
//
//	> TARGET
//	<request in diagnostic notation, or "(malformed)">
//	hex <the exact bytes sent>
//	----
//	<status>
//	<answer in diagnostic notation, or "(empty)">
//
// The hex line is what the notation encodes to (checked; rewritten by
// -update); for "(malformed)" it is the body itself. "$ShardIterator" in a
// request stands for the last ShardIterator or NextShardIterator answered;
// its hex line reads "hex (varies)". In answers, what changes from run to
// run is masked: timestamps as 1(<ms>) (after checking they are tag 1 with
// integer epoch milliseconds), sequence numbers, iterators and
// MillisBehindLatest.
func TestCBORWireTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/wire/cbor/*.txt")
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
			vars := map[string]string{}
			var out strings.Builder
			for _, s := range parseCBORTranscript(t, string(raw)) {
				body, hexLine := cborRequest(t, s, vars)
				if !*update && hexLine != s.hex {
					t.Errorf("%s %s: hex %s, but the notation encodes to %s", s.target, s.diag, s.hex, hexLine)
				}
				status, answer := sendCBOR(t, endpoint, s.target, body, vars)
				out.WriteString("> " + s.target + "\n" + s.diag + "\n" + hexLine + "\n----\n" + strconv.Itoa(status) + "\n" + answer + "\n\n")
				if !*update && (strconv.Itoa(status) != s.status || answer != s.want) {
					t.Errorf("%s %s:\n got %d %s\nwant %s %s", s.target, s.diag, status, answer, s.status, s.want)
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

type cborStep struct{ target, diag, hex, status, want string }

func parseCBORTranscript(t *testing.T, raw string) []cborStep {
	var steps []cborStep
	for _, block := range strings.Split(strings.TrimSpace(raw), "\n\n") {
		lines := strings.Split(block, "\n")
		if len(lines) < 3 || !strings.HasPrefix(lines[0], "> ") || !strings.HasPrefix(lines[2], "hex") {
			t.Fatalf("bad block %q", block)
		}
		s := cborStep{target: strings.TrimPrefix(lines[0], "> "), diag: lines[1], hex: lines[2]}
		if len(lines) >= 6 && lines[3] == "----" {
			s.status, s.want = lines[4], lines[5]
		}
		steps = append(steps, s)
	}
	return steps
}

// cborRequest builds the body of step s and its hex line.
func cborRequest(t *testing.T, s cborStep, vars map[string]string) ([]byte, string) {
	switch s.diag {
	case "(malformed)":
		b, err := hex.DecodeString(strings.TrimSpace(strings.TrimPrefix(s.hex, "hex")))
		if err != nil {
			t.Fatalf("%s: %v", s.hex, err)
		}
		return b, s.hex
	case "(empty)":
		return nil, "hex"
	}
	diag := s.diag
	for name, v := range vars {
		diag = strings.ReplaceAll(diag, `"$`+name+`"`, strconv.Quote(v))
	}
	b, err := awscbor.FromDiagnostic(diag)
	if err != nil {
		t.Fatalf("%s: %v", diag, err)
	}
	if diag != s.diag {
		return b, "hex (varies)"
	}
	return b, "hex " + hex.EncodeToString(b)
}

var (
	cborTimestamps = regexp.MustCompile(`\b1\((-?[0-9.e+]+)\)`)
	cborSequences  = regexp.MustCompile(`"(\w*SequenceNumber)": "[0-9]+"`)
	cborIterators  = regexp.MustCompile(`"(\w*ShardIterator)": "([^"]*)"`)
	cborBehind     = regexp.MustCompile(`"MillisBehindLatest": [0-9]+`)
)

func sendCBOR(t *testing.T, endpoint, target string, body []byte, vars map[string]string) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", awscbor.ContentType)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("x-amzn-RequestId") == "" || resp.Header.Get("Content-Type") != awscbor.ContentType {
		t.Errorf("%s: headers %v", target, resp.Header)
	}
	if len(b) == 0 {
		return resp.StatusCode, "(empty)"
	}
	diag, err := awscbor.Diagnose(b)
	if err != nil {
		t.Fatalf("%s: answer %x is not CBOR: %v", target, b, err)
	}
	// Every timestamp must be tag 1 holding integer milliseconds.
	for _, m := range cborTimestamps.FindAllStringSubmatch(diag, -1) {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || ms < 1e12 || ms > 1e13 {
			t.Errorf("%s: timestamp %s is not integer epoch milliseconds", target, m[0])
		}
	}
	for _, m := range cborIterators.FindAllStringSubmatch(diag, -1) {
		vars["ShardIterator"] = m[2]
	}
	diag = cborTimestamps.ReplaceAllString(diag, "1(<ms>)")
	diag = cborSequences.ReplaceAllString(diag, `"$1": "<seq>"`)
	diag = cborIterators.ReplaceAllString(diag, `"$1": "<iterator>"`)
	diag = cborBehind.ReplaceAllString(diag, `"MillisBehindLatest": <n>`)
	return resp.StatusCode, diag
}
