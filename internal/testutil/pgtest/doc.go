// Package pgtest starts throw-away PostgreSQL servers for tests, from the
// Debian "postgresql" package's binaries (initdb, pg_ctl under
// /usr/lib/postgresql/*/bin). Each Start call gets its own database; with
// Main in TestMain the cluster is shared by the whole test binary.
//
// Test-only. It may import the standard library and
// github.com/jackc/pgx/v5 (to create databases).
package pgtest
