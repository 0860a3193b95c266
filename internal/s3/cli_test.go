package s3_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// awsCLI runs the aws CLI against ts and returns its stdout.
func awsCLI(t *testing.T, url string, args ...string) string {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", url}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	defer func() { t.Logf("aws %s: %v", strings.Join(args[:2], " "), time.Since(start).Round(time.Millisecond)) }()
	if err := cmd.Run(); err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	_, ts := server(t, t.TempDir())
	u := ts.URL
	tmp := t.TempDir()
	awsCLI(t, u, "s3", "mb", "s3://cli-bucket")

	// 20 MiB through `aws s3 cp` (multipart), compared byte for byte.
	big := make([]byte, 20<<20)
	_, _ = rand.Read(big)
	src := filepath.Join(tmp, "big.bin")
	if err := os.WriteFile(src, big, 0o644); err != nil {
		t.Fatal(err)
	}
	awsCLI(t, u, "s3", "cp", "--only-show-errors", src, "s3://cli-bucket/data/big.bin")
	var head struct {
		ContentLength int64
		ETag          string
	}
	if err := json.Unmarshal([]byte(awsCLI(t, u, "s3api", "head-object", "--bucket", "cli-bucket", "--key", "data/big.bin")), &head); err != nil {
		t.Fatal(err)
	}
	if head.ContentLength != int64(len(big)) || !strings.HasSuffix(head.ETag, `-3"`) {
		t.Fatalf("head-object: %+v (expected a 3-part multipart ETag)", head)
	}
	dst := filepath.Join(tmp, "back.bin")
	awsCLI(t, u, "s3", "cp", "--only-show-errors", "s3://cli-bucket/data/big.bin", dst)
	back, err := os.ReadFile(dst)
	if err != nil || !bytes.Equal(back, big) {
		t.Fatalf("20 MiB round trip differs (%d bytes, %v)", len(back), err)
	}

	// s3api put-object / get-object with metadata.
	small := filepath.Join(tmp, "small.txt")
	_ = os.WriteFile(small, []byte("small body"), 0o644)
	awsCLI(t, u, "s3api", "put-object", "--bucket", "cli-bucket", "--key", "notes/a b.txt", "--body", small,
		"--content-type", "text/plain", "--metadata", "owner=ops")
	out := awsCLI(t, u, "s3api", "get-object", "--bucket", "cli-bucket", "--key", "notes/a b.txt", filepath.Join(tmp, "got.txt"))
	var g struct {
		ContentType string
		Metadata    map[string]string
	}
	_ = json.Unmarshal([]byte(out), &g)
	got, _ := os.ReadFile(filepath.Join(tmp, "got.txt"))
	if string(got) != "small body" || g.ContentType != "text/plain" || g.Metadata["owner"] != "ops" {
		t.Fatalf("get-object: %q %+v", got, g)
	}

	// sync a directory tree, then list it with ls, list-objects-v2 and list-objects.
	tree := filepath.Join(tmp, "tree")
	want := []string{"tree/x.txt", "tree/sub/y.txt", "tree/sub/deeper/z.txt", "tree/ü nicode+.txt"}
	for _, k := range want {
		p := filepath.Join(tmp, k)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(k), 0o644)
	}
	awsCLI(t, u, "s3", "sync", "--only-show-errors", tree, "s3://cli-bucket/tree")
	ls := awsCLI(t, u, "s3", "ls", "s3://cli-bucket/tree/")
	if !strings.Contains(ls, "PRE sub/") || !strings.Contains(ls, "x.txt") || !strings.Contains(ls, "ü nicode+.txt") {
		t.Fatalf("s3 ls:\n%s", ls)
	}
	var v2 struct {
		Contents []struct{ Key string }
	}
	if err := json.Unmarshal([]byte(awsCLI(t, u, "s3api", "list-objects-v2", "--bucket", "cli-bucket", "--prefix", "tree/")), &v2); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range v2.Contents {
		keys = append(keys, c.Key)
	}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("list-objects-v2: %q, want %q", keys, want)
	}
	var v1 struct {
		Contents []struct{ Key string }
	}
	// --page-size 1 makes the CLI page through markers.
	if err := json.Unmarshal([]byte(awsCLI(t, u, "s3api", "list-objects", "--bucket", "cli-bucket", "--prefix", "tree/", "--page-size", "1")), &v1); err != nil {
		t.Fatal(err)
	}
	keys = keys[:0]
	for _, c := range v1.Contents {
		keys = append(keys, c.Key)
	}
	if !slices.Equal(keys, want) {
		t.Fatalf("list-objects: %q, want %q", keys, want)
	}
	// A second sync uploads nothing; rm --recursive empties; rb removes.
	awsCLI(t, u, "s3", "sync", "--only-show-errors", tree, "s3://cli-bucket/tree")
	awsCLI(t, u, "s3", "rm", "--only-show-errors", "--recursive", "s3://cli-bucket/")
	if ls := awsCLI(t, u, "s3", "ls", "--recursive", "s3://cli-bucket/"); strings.TrimSpace(ls) != "" {
		t.Fatalf("after rm --recursive:\n%s", ls)
	}
	awsCLI(t, u, "s3", "rb", "s3://cli-bucket")
	if ls := awsCLI(t, u, "s3", "ls"); strings.Contains(ls, "cli-bucket") {
		t.Fatalf("after rb:\n%s", ls)
	}
}
