package glue

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// defaultPageSize is how many items a listing returns without MaxResults
// (the model allows at most 100).
const defaultPageSize = 100

// pageAfter decodes a NextToken: the name (or key) the previous page ended
// with. No token starts at the beginning.
func pageAfter(token *string) (string, error) {
	if token == nil || *token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil || len(b) == 0 || b[0] != '>' {
		return "", invalidInput("Invalid pagination token.")
	}
	return string(b[1:]), nil
}

// tokenAfter is the NextToken of a page that ended with last.
func tokenAfter(last string) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(">" + last))
	return &t
}

// pageSize is MaxResults or the default.
func pageSize(max *int64) int {
	if max == nil || *max <= 0 {
		return defaultPageSize
	}
	return int(*max)
}

// namePattern compiles a GetTables Expression the way Glue (after Hive)
// reads it: alternatives separated by '|', each a regular expression in
// which a '*' not preceded by '.' means any run of characters; matching is
// against the whole name, ignoring case.
func namePattern(expr string) (*regexp.Regexp, error) {
	alts := strings.Split(expr, "|")
	for i, a := range alts {
		var b strings.Builder
		for j := 0; j < len(a); j++ {
			if a[j] == '*' && (j == 0 || a[j-1] != '.') {
				b.WriteString(".*")
				continue
			}
			b.WriteByte(a[j])
		}
		alts[i] = "(?:" + b.String() + ")"
	}
	re, err := regexp.Compile("^(?i:" + strings.Join(alts, "|") + ")$")
	if err != nil {
		return nil, invalidInput("Expression is not a valid pattern: " + expr)
	}
	return re, nil
}
