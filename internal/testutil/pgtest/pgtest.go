package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is one running PostgreSQL server.
type Cluster struct {
	dir  string // temporary directory holding data/, the socket and the log
	bin  string
	port int
}

var (
	shared     atomic.Bool // Main is active: Start uses one cluster per binary
	sharedOnce sync.Once
	sharedC    *Cluster
	sharedErr  error
	dbSeq      atomic.Int64
)

// Main runs the tests with one shared cluster, started lazily by the first
// Start call, and stops it afterwards. Use it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	shared.Store(true)
	code := m.Run()
	if sharedC != nil {
		sharedC.Stop()
	}
	os.Exit(code)
}

// Start returns the DSN of a fresh, empty database on a private
// PostgreSQL listening on 127.0.0.1. Under Main the cluster is shared and
// each call creates a new database; otherwise the call starts its own
// cluster and stops it in t.Cleanup. It skips the test when PostgreSQL's
// binaries are not installed.
func Start(t testing.TB) (dsn string) {
	t.Helper()
	bin, err := findBin()
	if err != nil {
		t.Skipf("pgtest: %v; run ./.ci/run (it installs the Debian package postgresql)", err)
	}
	var c *Cluster
	if shared.Load() {
		sharedOnce.Do(func() { sharedC, sharedErr = startCluster(bin) })
		if sharedErr != nil {
			t.Fatalf("pgtest: %v", sharedErr)
		}
		c = sharedC
	} else {
		c, err = startCluster(bin)
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		t.Cleanup(c.Stop)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	if err := c.createDB(name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return c.DSN(name)
}

// DSN is the connection string of database db on the cluster.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// Port is the TCP port the cluster listens on.
func (c *Cluster) Port() int { return c.port }

// Stop stops the server immediately and removes its files.
func (c *Cluster) Stop() {
	_ = c.run(30*time.Second, filepath.Join(c.bin, "pg_ctl"), "stop", "-D", c.data(), "-m", "immediate", "-w")
	_ = os.RemoveAll(c.dir)
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) createDB(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	return nil
}

// findBin returns the bin directory of the newest installed PostgreSQL.
func findBin() (string, error) {
	if d := os.Getenv("PGTEST_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("PGTEST_BIN=%s has no initdb", d)
		}
		return d, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin")
	}
	sort.Slice(matches, func(i, j int) bool { return version(matches[i]) > version(matches[j]) })
	return filepath.Dir(matches[0]), nil
}

func version(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

func startCluster(bin string) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	c := &Cluster{dir: dir, bin: bin}
	if err := c.chownToPostgres(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := c.run(2*time.Minute, filepath.Join(bin, "initdb"), "-D", c.data(), "-A", "trust",
		"-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w", err)
	}
	// The port is picked free then bound by postgres: retry on a lost race.
	for try := 0; ; try++ {
		c.port, err = freePort()
		if err == nil {
			err = c.start()
		}
		if err == nil {
			return c, nil
		}
		if try == 4 {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
}

func (c *Cluster) start() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
		c.port, c.dir)
	err := c.run(time.Minute, filepath.Join(c.bin, "pg_ctl"), "start", "-w", "-t", "60",
		"-D", c.data(), "-o", opts, "-l", filepath.Join(c.dir, "server.log"))
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		return fmt.Errorf("pg_ctl start: %w; server log: %s", err, lastLines(log, 5))
	}
	return nil
}

// chownToPostgres hands the directory to the postgres user when running as
// root (initdb refuses to run as root).
func (c *Cluster) chownToPostgres() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(c.dir, uid, gid); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	return nil
}

// run executes a PostgreSQL binary, as the postgres user when root.
func (c *Cluster) run(timeout time.Duration, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(name), err, lastLines(out.Bytes(), 5))
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
