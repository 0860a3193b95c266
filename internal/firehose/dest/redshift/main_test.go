package redshift

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func ptr[T any](v T) *T { return &v }

// db is one fresh PostgreSQL database for a test.
type db struct {
	t    testing.TB
	dsn  string
	jdbc string
	conn *pgx.Conn
}

func newDB(t testing.TB) *db {
	t.Helper()
	dsn := pgtest.Start(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return &db{t: t, dsn: dsn, conn: conn,
		jdbc: fmt.Sprintf("jdbc:postgresql://127.0.0.1:%d/%s?sslmode=disable", cfg.Port, cfg.Database)}
}

func (d *db) exec(sql string, args ...any) {
	d.t.Helper()
	if _, err := d.conn.Exec(context.Background(), sql, args...); err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
}

// rows renders a query's rows as text, NULL as "<nil>", for comparison.
func (d *db) rows(sql string) []string {
	d.t.Helper()
	rs, err := d.conn.Query(context.Background(), sql)
	if err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			d.t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "<nil>"
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		d.t.Fatal(err)
	}
	return out
}

func config(jdbc, table, columns, options string) *firehoseapi.RedshiftDestinationConfiguration {
	cfg := &firehoseapi.RedshiftDestinationConfiguration{
		RoleARN:         "arn:aws:iam::000000000000:role/firehose",
		ClusterJDBCURL:  jdbc,
		CopyCommand:     firehoseapi.CopyCommand{DataTableName: table},
		Username:        ptr("postgres"),
		Password:        ptr("unused-with-trust-auth"),
		S3Configuration: firehoseapi.S3DestinationConfiguration{RoleARN: "r", BucketARN: "arn:aws:s3:::b"},
	}
	if columns != "" {
		cfg.CopyCommand.DataTableColumns = ptr(columns)
	}
	if options != "" {
		cfg.CopyCommand.CopyOptions = ptr(options)
	}
	return cfg
}

// fakeClock is Now and Sleep for retry tests: Sleep advances the clock.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	onSlp  func()
}

func newClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	f := c.onSlp
	c.mu.Unlock()
	if f != nil {
		f()
	}
	return nil
}

func newDest(t testing.TB, cfg *firehoseapi.RedshiftDestinationConfiguration, clock *fakeClock) dest.Destination {
	t.Helper()
	opts := Options{}
	if clock != nil {
		opts.Now, opts.Sleep = clock.Now, clock.Sleep
	}
	d, err := New(cfg, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func batch(data ...string) dest.Batch {
	b := dest.Batch{ID: "0b8ad2ce-2b3b-4a4a-9f7e-000000000001", Stream: "s", Now: time.Now()}
	for i, s := range data {
		b.Records = append(b.Records, dest.Record{ID: fmt.Sprint(i), Data: []byte(s), ArrivalMs: 1_700_000_000_000 + int64(i)})
	}
	return b
}

func deliver(t testing.TB, d dest.Destination, b dest.Batch) dest.Result {
	t.Helper()
	res, err := d.Deliver(context.Background(), b)
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	return res
}

// decodeLine parses an error line with a plain map decoder.
func decodeLine(t testing.TB, line []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("error line %q: %v", line, err)
	}
	for _, k := range []string{"attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData"} {
		if _, ok := m[k]; !ok {
			t.Errorf("error line lacks %s: %s", k, line)
		}
	}
	if len(m) != 6 {
		t.Errorf("error line has %d keys, want 6: %s", len(m), line)
	}
	return m
}

// closedPort returns a port nothing listens on.
func closedPort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return p
}

func equal(t testing.TB, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
}
