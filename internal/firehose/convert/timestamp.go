package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var errTimestamp = errors.New("not a timestamp in a supported format")

// epochNumber reads an epoch timestamp from a JSON number's text: an
// integer of more than 10 digits is milliseconds, a shorter one seconds, and
// a number with a fraction or exponent fractional seconds.
func epochNumber(s string) (time.Time, error) {
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e13 {
			return time.Time{}, errTimestamp
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, errTimestamp
	}
	digits := len(strings.TrimLeft(s, "-+"))
	if digits > 10 {
		return time.UnixMilli(n).UTC(), nil
	}
	return time.Unix(n, 0).UTC(), nil
}

// openXTimestamp parses the timestamp forms the OpenX JSON SerDe accepts.
func openXTimestamp(v any) (time.Time, error) {
	switch x := v.(type) {
	case json.Number:
		return epochNumber(string(x))
	case string:
		s := strings.TrimSpace(x)
		if t, err := isoTimestamp(s); err == nil {
			return t, nil
		}
		if t, err := sqlTimestamp(s); err == nil {
			return t, nil
		}
		if s != "" && strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != '-' }) < 0 {
			return epochNumber(s)
		}
	}
	return time.Time{}, errTimestamp
}

// isoTimestamp is yyyy-MM-dd'T'HH:mm:ss[.S{1,9}] followed by Z or an offset.
func isoTimestamp(s string) (time.Time, error) {
	if len(s) < 20 || s[10] != 'T' {
		return time.Time{}, errTimestamp
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errTimestamp
	}
	return t.UTC(), nil
}

// sqlTimestamp is java.sql.Timestamp.valueOf's yyyy-[M]M-[d]d [H]H:[m]m:[s]s[.f{1,9}].
func sqlTimestamp(s string) (time.Time, error) {
	date, clock, ok := strings.Cut(s, " ")
	if !ok {
		return time.Time{}, errTimestamp
	}
	y, mo, d, err := ymd(date)
	if err != nil {
		return time.Time{}, err
	}
	clock, frac, hasFrac := strings.Cut(clock, ".")
	parts := strings.Split(clock, ":")
	if len(parts) != 3 {
		return time.Time{}, errTimestamp
	}
	var hms [3]int
	for i, p := range parts {
		n, err := smallInt(p, 1, 2)
		if err != nil {
			return time.Time{}, err
		}
		hms[i] = n
	}
	nanos := 0
	if hasFrac {
		if nanos, err = fraction(frac); err != nil {
			return time.Time{}, err
		}
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 59 {
		return time.Time{}, errTimestamp
	}
	return time.Date(y, time.Month(mo), d, hms[0], hms[1], hms[2], nanos, time.UTC), nil
}

// ymd parses yyyy-[M]M-[d]d.
func ymd(s string) (y, m, d int, err error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return 0, 0, 0, errTimestamp
	}
	if y, err = smallInt(parts[0], 4, 4); err != nil {
		return 0, 0, 0, err
	}
	if m, err = smallInt(parts[1], 1, 2); err != nil {
		return 0, 0, 0, err
	}
	if d, err = smallInt(parts[2], 1, 2); err != nil {
		return 0, 0, 0, err
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, 0, errTimestamp
	}
	return y, m, d, nil
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func smallInt(s string, minLen, maxLen int) (int, error) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, errTimestamp
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errTimestamp
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, nil
}

// fraction turns 1-9 fraction digits into nanoseconds.
func fraction(s string) (int, error) {
	if len(s) == 0 || len(s) > 9 {
		return 0, errTimestamp
	}
	n, err := smallInt(s, 1, 9)
	if err != nil {
		return 0, err
	}
	for i := len(s); i < 9; i++ {
		n *= 10
	}
	return n, nil
}

// jodaFormat is a parsed Joda DateTimeFormat pattern (the subset Firehose
// users write: y, M, d, H, h, a, m, s, S, Z, 'literal'), or "millis".
type jodaFormat struct {
	millis bool
	tokens []jodaToken
}

type jodaToken struct {
	letter  byte   // 0 for a literal
	width   int    // count of repeated letters
	literal string // for literals
}

func parseJoda(pattern string) (*jodaFormat, error) {
	if pattern == "millis" {
		return &jodaFormat{millis: true}, nil
	}
	f := &jodaFormat{}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			end := strings.IndexByte(pattern[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote in timestamp format %q", pattern)
			}
			lit := pattern[i+1 : i+1+end]
			if lit == "" {
				lit = "'"
			}
			f.tokens = append(f.tokens, jodaToken{literal: lit})
			i += end + 2
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(pattern) && pattern[j] == c {
				j++
			}
			if !strings.ContainsRune("yMdHhamsSZ", rune(c)) {
				return nil, fmt.Errorf("unsupported letter %q in timestamp format %q", c, pattern)
			}
			f.tokens = append(f.tokens, jodaToken{letter: c, width: j - i})
			i = j
		default:
			f.tokens = append(f.tokens, jodaToken{literal: string(c)})
			i++
		}
	}
	return f, nil
}

func (f *jodaFormat) parse(v any) (time.Time, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = string(x)
	default:
		return time.Time{}, errTimestamp
	}
	if f.millis {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, errTimestamp
		}
		return time.UnixMilli(n).UTC(), nil
	}
	y, mo, d, h, mi, sec, nanos, pm, hasPM := 1970, 1, 1, 0, 0, 0, 0, false, false
	offset := 0
	pos := 0
	for i, tok := range f.tokens {
		if tok.letter == 0 {
			if !strings.HasPrefix(s[pos:], tok.literal) {
				return time.Time{}, errTimestamp
			}
			pos += len(tok.literal)
			continue
		}
		// A numeric field directly followed by another one has a fixed width.
		adjacent := i+1 < len(f.tokens) && f.tokens[i+1].letter != 0
		switch tok.letter {
		case 'a':
			switch {
			case strings.HasPrefix(strings.ToUpper(s[pos:]), "AM"):
			case strings.HasPrefix(strings.ToUpper(s[pos:]), "PM"):
				pm = true
			default:
				return time.Time{}, errTimestamp
			}
			hasPM = true
			pos += 2
			continue
		case 'Z':
			n, off, err := zoneOffset(s[pos:])
			if err != nil {
				return time.Time{}, err
			}
			pos += n
			offset = off
			continue
		}
		maxW := 2
		switch tok.letter {
		case 'y':
			maxW = 9
		case 'S':
			maxW = 9
		}
		if adjacent {
			maxW = tok.width
		}
		j := pos
		for j < len(s) && j-pos < maxW && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == pos {
			return time.Time{}, errTimestamp
		}
		digits := s[pos:j]
		n, _ := strconv.Atoi(digits)
		pos = j
		switch tok.letter {
		case 'y':
			if tok.width == 2 && len(digits) == 2 {
				n += 2000
			}
			y = n
		case 'M':
			mo = n
		case 'd':
			d = n
		case 'H', 'h':
			h = n
		case 'm':
			mi = n
		case 's':
			sec = n
		case 'S':
			if nanos, _ = fraction(digits); len(digits) > 9 {
				return time.Time{}, errTimestamp
			}
		}
	}
	if pos != len(s) {
		return time.Time{}, errTimestamp
	}
	if hasPM && h == 12 {
		h = 0
	}
	if pm {
		h += 12
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, errTimestamp
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nanos, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// zoneOffset reads Z, +hh:mm, +hhmm or +hh and returns the bytes used and
// the offset in seconds.
func zoneOffset(s string) (int, int, error) {
	if strings.HasPrefix(s, "Z") {
		return 1, 0, nil
	}
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, 0, errTimestamp
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	h, err := smallInt(s[1:3], 2, 2)
	if err != nil {
		return 0, 0, err
	}
	n, m := 3, 0
	rest := s[3:]
	if strings.HasPrefix(rest, ":") {
		rest = rest[1:]
		n++
	}
	if len(rest) >= 2 {
		if m, err = smallInt(rest[:2], 2, 2); err == nil {
			n += 2
		} else {
			m = 0
		}
	}
	return n, sign * (h*3600 + m*60), nil
}
