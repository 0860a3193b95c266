package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// stopTimeout is how long the started server gets to shut down after
// SIGTERM before it is killed.
const stopTimeout = 15 * time.Second

// childServer is a Freshet server started for the run.
type childServer struct {
	cmd      *exec.Cmd
	dataDir  string
	endpoint string
	stderr   *tailBuffer
	exited   chan struct{} // closed when the process has exited
	waitErr  error         // valid after exited is closed
}

// startServer starts command (an executable and its leading arguments; by
// default this executable and "serve") on a free loopback port with a
// temporary data directory, and waits until GET /readyz answers 200.
func startServer(ctx context.Context, opts Options) (*childServer, error) {
	command := opts.ServerCommand
	if len(command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find own executable: %w", err)
		}
		command = []string{exe, "serve"}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "freshet-bench-")
	if err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := append([]string{}, command[1:]...)
	args = append(args,
		"--listen", addr,
		"--data-dir", dir,
		"--fsync", "always",
		"--state-delay", "0",
		"--log-level", "warn",
	)
	args = append(args, opts.ServerArgs...)

	s := &childServer{
		dataDir:  dir,
		endpoint: "http://" + addr,
		stderr:   &tailBuffer{max: 16 << 10},
		exited:   make(chan struct{}),
	}
	// Not CommandContext: the server must get SIGTERM and time to stop, not
	// SIGKILL when ctx ends; stop does that.
	s.cmd = exec.Command(command[0], args...)
	s.cmd.Stdout = io.Discard
	detach(s.cmd)
	s.cmd.Stderr = s.stderr
	if opts.ServerStderr != nil {
		s.cmd.Stderr = io.MultiWriter(s.stderr, opts.ServerStderr)
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start server %s: %w", command[0], err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, opts.StartTimeout); err != nil {
		return nil, errors.Join(err, s.stop())
	}
	return s, nil
}

func (s *childServer) pid() int { return s.cmd.Process.Pid }

// waitReady polls /readyz until it answers 200, the process exits, or the
// timeout passes.
func (s *childServer) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint+"/readyz", nil)
		if err != nil {
			return fmt.Errorf("readyz request: %w", err)
		}
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("server exited before it was ready: %v%s", s.waitErr, s.stderr.suffix())
		case <-ctx.Done():
			return fmt.Errorf("server not ready after %s: %w%s", timeout, ctx.Err(), s.stderr.suffix())
		case <-tick.C:
		}
	}
}

// stop sends SIGTERM, waits for the process to exit (killing it after
// stopTimeout) and removes the data directory.
func (s *childServer) stop() error {
	var err error
	select {
	case <-s.exited:
	default:
		if serr := s.cmd.Process.Signal(syscall.SIGTERM); serr != nil {
			s.cmd.Process.Kill()
		}
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			s.cmd.Process.Kill()
			<-s.exited
			err = fmt.Errorf("server did not stop within %s after SIGTERM; killed", stopTimeout)
		}
	}
	if rerr := os.RemoveAll(s.dataDir); rerr != nil {
		err = errors.Join(err, fmt.Errorf("remove data dir: %w", rerr))
	}
	return err
}

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// suffix returns the captured output as an error-message suffix.
func (t *tailBuffer) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := bytes.TrimSpace(t.buf)
	if len(out) == 0 {
		return ""
	}
	return "; server stderr:\n" + string(out)
}
