package redshift

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// splitIdent splits a possibly qualified SQL name ("schema.table",
// "\"My Table\"") into its parts, folding unquoted parts to lower case as
// Redshift and PostgreSQL do.
func splitIdent(s string) ([]string, error) {
	var parts []string
	s = strings.TrimSpace(s)
	for {
		if s == "" {
			return nil, errors.New("empty name")
		}
		var part string
		if s[0] == '"' {
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i++
						continue
					}
					break
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated quoted name in %q", s)
			}
			part, s = b.String(), strings.TrimSpace(s[i+1:])
		} else {
			j := strings.IndexAny(s, ".\"")
			if j < 0 {
				j = len(s)
			}
			part, s = strings.ToLower(strings.TrimSpace(s[:j])), s[j:]
			if strings.ContainsFunc(part, func(r rune) bool {
				return !(r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r))
			}) {
				return nil, fmt.Errorf("bad unquoted name %q", part)
			}
		}
		if part == "" {
			return nil, errors.New("empty name part")
		}
		parts = append(parts, part)
		if s == "" {
			return parts, nil
		}
		if s[0] != '.' {
			return nil, fmt.Errorf("unexpected %q in name", s)
		}
		s = strings.TrimSpace(s[1:])
	}
}

// splitColumns reads DataTableColumns: "a, b, \"C\"".
func splitColumns(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var cols []string
	for _, c := range splitOutsideQuotes(s, ',') {
		parts, err := splitIdent(c)
		if err != nil || len(parts) != 1 {
			return nil, fmt.Errorf("bad column name %q in DataTableColumns", strings.TrimSpace(c))
		}
		cols = append(cols, parts[0])
	}
	return cols, nil
}

func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	in := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			in = !in
		case s[i] == sep && !in:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// column is one target column of the load.
type column struct {
	name    string
	isChar  bool // string category: CHAR, VARCHAR, TEXT
	isTime  bool // date/time category
	maxLen  int  // VARCHAR(n)/CHAR(n) length in characters, or -1
	notNull bool
}

// errColumnNotFound and errTableNotFound classify metadata failures.
var (
	errTableNotFound  = errors.New("table not found")
	errColumnNotFound = errors.New("column not found")
)

const columnsSQL = `SELECT a.attname, t.typcategory = 'S', t.typcategory = 'D',
  CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4 THEN a.atttypmod - 4 ELSE -1 END,
  a.attnotnull
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`

// tableColumns reads the table's columns in table order, then picks the
// listed ones (all when want is empty).
func tableColumns(ctx context.Context, conn *pgx.Conn, table pgx.Identifier, want []string) ([]column, error) {
	rows, err := conn.Query(ctx, columnsSQL, table.Sanitize())
	if err != nil {
		return nil, err
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		var maxLen int32
		err := r.Scan(&c.name, &c.isChar, &c.isTime, &maxLen, &c.notNull)
		c.maxLen = int(maxLen)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%w: relation %s does not exist", errTableNotFound, table.Sanitize())
	}
	if len(want) == 0 {
		return all, nil
	}
	out := make([]column, 0, len(want))
	for _, w := range want {
		found := false
		for _, c := range all {
			if c.name == w {
				out = append(out, c)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: column %q of relation %s does not exist", errColumnNotFound, w, table.Sanitize())
		}
	}
	return out, nil
}
