package redshift

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// jdbcTarget is a parsed ClusterJDBCURL.
type jdbcTarget struct {
	host    string
	port    int
	db      string
	sslmode string
}

// parseJDBC reads jdbc:redshift://host[:port]/db[?params] or
// jdbc:postgresql://host[:port][/db][?params]. Of the parameters, ssl=true
// and sslmode=… are honoured.
func parseJDBC(s string) (jdbcTarget, error) {
	var t jdbcTarget
	rest, ok := strings.CutPrefix(s, "jdbc:")
	if !ok {
		return t, errors.New("must start with jdbc:redshift:// or jdbc:postgresql://")
	}
	scheme, _, _ := strings.Cut(rest, "://")
	switch scheme {
	case "redshift":
		t.port = 5439
	case "postgresql":
		t.port = 5432
	default:
		return t, errors.New("must start with jdbc:redshift:// or jdbc:postgresql://")
	}
	u, err := url.Parse(rest)
	if err != nil {
		return t, fmt.Errorf("not a URL: %w", err)
	}
	if u.Hostname() == "" {
		return t, errors.New("has no host")
	}
	t.host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return t, errors.New("has a bad port")
		}
		t.port = n
	}
	t.db = strings.TrimPrefix(u.Path, "/")
	if t.db == "" && scheme == "redshift" {
		return t, errors.New("has no database name")
	}
	if strings.Contains(t.db, "/") {
		return t, errors.New("has a bad database name")
	}
	q := u.Query()
	switch {
	case q.Get("sslmode") != "":
		t.sslmode = q.Get("sslmode")
	case strings.EqualFold(q.Get("ssl"), "true"):
		t.sslmode = "require"
	default:
		t.sslmode = "prefer"
	}
	switch t.sslmode {
	case "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
	default:
		return t, fmt.Errorf("has an unknown sslmode %q", t.sslmode)
	}
	return t, nil
}

// connConfig builds the pgx configuration for the target and credentials.
func (t jdbcTarget) connConfig(user, password string) (*pgx.ConnConfig, error) {
	q := url.Values{}
	q.Set("sslmode", t.sslmode)
	q.Set("connect_timeout", "10")
	q.Set("application_name", "freshet-firehose")
	dsn := (&url.URL{Scheme: "postgres", Host: net.JoinHostPort(t.host, strconv.Itoa(t.port)),
		Path: "/" + t.db, RawQuery: q.Encode()}).String()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("connection settings: %w", err)
	}
	cfg.User, cfg.Password = user, password
	if t.db == "" {
		cfg.Database = user
	}
	return cfg, nil
}
