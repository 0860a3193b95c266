package pgtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestStartPrivateClustersInParallel(t *testing.T) {
	if _, err := findBin(); err != nil {
		t.Skipf("%v; run ./.ci/run", err)
	}
	var mu sync.Mutex
	var dsns []string
	t.Run("group", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			t.Run("cluster", func(t *testing.T) {
				t.Parallel()
				dsn := Start(t)
				mu.Lock()
				dsns = append(dsns, dsn)
				mu.Unlock()
				ctx := context.Background()
				conn, err := pgx.Connect(ctx, dsn)
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				defer conn.Close(ctx)
				var n int
				if err := conn.QueryRow(ctx, "SELECT 40 + $1::int", 2).Scan(&n); err != nil || n != 42 {
					t.Fatalf("query = %d, %v", n, err)
				}
				var db string
				if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
					t.Fatal(err)
				}
				if db == "postgres" || db == "" {
					t.Fatalf("Start gave database %q, want a fresh one", db)
				}
			})
		}
	})
	if len(dsns) != 2 {
		t.Fatalf("got %d DSNs", len(dsns))
	}
	ports := map[uint16]bool{}
	for _, dsn := range dsns {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		ports[cfg.Port] = true
		// Cleanup stopped the server.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, dsn)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			t.Errorf("server at %s still answers after cleanup", dsn)
		}
	}
	if len(ports) != 2 {
		t.Errorf("clusters share a port: %v", ports)
	}
}
