package s3_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/freshet/freshet/internal/s3"
)

// TestMain lets the crash test run this binary as a child S3 server.
func TestMain(m *testing.M) {
	if dir := os.Getenv("FRESHET_S3_CHILD_DIR"); dir != "" {
		runChild(dir)
		return
	}
	os.Exit(m.Run())
}

func runChild(dir string) {
	svc := s3.New(s3.Options{Dir: dir})
	if err := svc.Initialize(context.Background()); err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	fmt.Println("ADDR", ln.Addr().String())
	_ = http.Serve(ln, svc)
}

// TestCrashKill9 writes objects concurrently into a child process, kills it
// with SIGKILL mid-stream, and checks that every acknowledged PUT is there,
// whole, after a restart on the same directory.
func TestCrashKill9(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FRESHET_S3_CHILD_DIR="+dir)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ADDR ") {
		t.Fatalf("child: %q %v", line, err)
	}
	url := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))
	c := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
		Credentials: aws.AnonymousCredentials{}})
	cx := ctx(t)
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("crash")}); err != nil {
		t.Fatal(err)
	}
	payload := func(k string) []byte { return bytes.Repeat([]byte(k+";"), 3000) }
	var acked sync.Map
	var n atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("w%d/obj-%05d", w, i)
				if _, err := c.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String("crash"), Key: aws.String(k), Body: bytes.NewReader(payload(k))}); err != nil {
					return
				}
				acked.Store(k, true)
				n.Add(1)
			}
		}()
	}
	for n.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	close(stop)
	wg.Wait()
	_ = cmd.Wait()

	_, ts := server(t, dir)
	c2 := client(t, ts, true)
	count := 0
	var failed error
	acked.Range(func(k, _ any) bool {
		key := k.(string)
		get, err := c2.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("crash"), Key: aws.String(key)})
		if err != nil {
			failed = fmt.Errorf("acknowledged %s lost: %w", key, err)
			return false
		}
		got, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if !bytes.Equal(got, payload(key)) {
			failed = fmt.Errorf("acknowledged %s damaged: %d bytes", key, len(got))
			return false
		}
		count++
		return true
	})
	if failed != nil {
		t.Fatal(failed)
	}
	t.Logf("%d acknowledged PUTs all survived SIGKILL", count)
	if ents, _ := os.ReadDir(dir + "/tmp"); len(ents) != 0 {
		t.Fatalf("temporary files left after restart: %d", len(ents))
	}
}
