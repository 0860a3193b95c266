package s3key

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// timeFormat is a compiled Java DateTimeFormatter pattern: literal runs and
// fields, formatted without parsing the pattern again.
type timeFormat []timeItem

type fieldKind uint8

const (
	fieldLiteral     fieldKind = iota
	fieldYear                  // y, u: year (no era before year 1 in practice)
	fieldYear2                 // yy, uu: two-digit reduced year
	fieldMonth                 // M, MM
	fieldMonthShort            // MMM: Jul
	fieldMonthFull             // MMMM: July
	fieldMonthNarrow           // MMMMM: J
	fieldDay                   // d, dd
	fieldDayOfYear             // D, DD, DDD
	fieldHour                  // H, HH (0-23)
	fieldClockHour             // h, hh (1-12)
	fieldMinute                // m, mm
	fieldSecond                // s, ss
	fieldFraction              // S...: fraction of second, truncated
	fieldAmPm                  // a: AM or PM
	fieldDayShort              // E, EE, EEE: Mon
	fieldDayFull               // EEEE: Monday
	fieldDayNarrow             // EEEEE: M
)

type timeItem struct {
	kind  fieldKind
	width int    // minimum digits (zero-padded) for numeric fields
	text  string // for literals
}

// errPattern reports a timestamp pattern Firehose would refuse.
var errPattern = errors.New("invalid timestamp pattern")

// compileTimeFormat compiles the subset of Java's DateTimeFormatter pattern
// language Firehose prefixes use: y/u (1, 2 or 4+ letters), M (1-5), d (1-2),
// D (1-3), H, h, m, s (1-2), S (1-9), a (1), E (1-5), 'quoted text', ” for a
// quote, [ and ] (optional sections, always printed for a full date-time),
// and any non-letter as itself. Every other ASCII letter is reserved by Java;
// letters Java knows but Freshet does not format (w, Q, z, X, ...) are
// refused too, so a prefix never silently evaluates differently from AWS.
func compileTimeFormat(p string) (timeFormat, error) {
	var f timeFormat
	lit := make([]byte, 0, len(p))
	flush := func() {
		if len(lit) > 0 {
			f = append(f, timeItem{kind: fieldLiteral, text: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			end, text, err := quoted(p, i)
			if err != nil {
				return nil, err
			}
			lit = append(lit, text...)
			i = end
		case c == '[' || c == ']':
			i++
		case c == '#' || c == '{' || c == '}':
			return nil, fmt.Errorf("%w: pattern includes reserved character: '%c'", errPattern, c)
		case isLetter(c):
			n := 1
			for i+n < len(p) && p[i+n] == c {
				n++
			}
			item, err := field(c, n)
			if err != nil {
				return nil, err
			}
			flush()
			f = append(f, item)
			i += n
		default:
			lit = append(lit, c)
			i++
		}
	}
	flush()
	return f, nil
}

// quoted reads a 'literal' starting at p[i] == '\” and returns the index
// after it and its text. ” is one quote, inside or outside a literal.
func quoted(p string, i int) (int, string, error) {
	if i+1 < len(p) && p[i+1] == '\'' {
		return i + 2, "'", nil
	}
	var text []byte
	for j := i + 1; j < len(p); j++ {
		if p[j] != '\'' {
			text = append(text, p[j])
			continue
		}
		if j+1 < len(p) && p[j+1] == '\'' {
			text = append(text, '\'')
			j++
			continue
		}
		return j + 1, string(text), nil
	}
	return 0, "", fmt.Errorf("%w: pattern ends with an incomplete string literal: %s", errPattern, p)
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func field(c byte, n int) (timeItem, error) {
	tooMany := func(max int) error {
		if n > max {
			return fmt.Errorf("%w: too many pattern letters: %c", errPattern, c)
		}
		return nil
	}
	switch c {
	case 'y', 'u':
		if n == 2 {
			return timeItem{kind: fieldYear2, width: 2}, nil
		}
		if err := tooMany(19); err != nil {
			return timeItem{}, err
		}
		return timeItem{kind: fieldYear, width: n}, nil
	case 'M':
		switch n {
		case 1, 2:
			return timeItem{kind: fieldMonth, width: n}, nil
		case 3:
			return timeItem{kind: fieldMonthShort}, nil
		case 4:
			return timeItem{kind: fieldMonthFull}, nil
		case 5:
			return timeItem{kind: fieldMonthNarrow}, nil
		}
		return timeItem{}, tooMany(5)
	case 'd', 'H', 'h', 'm', 's':
		if err := tooMany(2); err != nil {
			return timeItem{}, err
		}
		kind := map[byte]fieldKind{'d': fieldDay, 'H': fieldHour, 'h': fieldClockHour, 'm': fieldMinute, 's': fieldSecond}[c]
		return timeItem{kind: kind, width: n}, nil
	case 'D':
		if err := tooMany(3); err != nil {
			return timeItem{}, err
		}
		return timeItem{kind: fieldDayOfYear, width: n}, nil
	case 'S':
		if err := tooMany(9); err != nil {
			return timeItem{}, err
		}
		return timeItem{kind: fieldFraction, width: n}, nil
	case 'a':
		if err := tooMany(1); err != nil {
			return timeItem{}, err
		}
		return timeItem{kind: fieldAmPm}, nil
	case 'E':
		switch {
		case n <= 3:
			return timeItem{kind: fieldDayShort}, nil
		case n == 4:
			return timeItem{kind: fieldDayFull}, nil
		case n == 5:
			return timeItem{kind: fieldDayNarrow}, nil
		}
		return timeItem{}, tooMany(5)
	}
	return timeItem{}, fmt.Errorf("%w: unknown pattern letter: %c", errPattern, c)
}

// appendTo formats t (already in the wanted location) onto b.
func (f timeFormat) appendTo(b []byte, t time.Time) []byte {
	for _, it := range f {
		switch it.kind {
		case fieldLiteral:
			b = append(b, it.text...)
		case fieldYear:
			b = appendInt(b, t.Year(), it.width)
		case fieldYear2:
			b = appendInt(b, ((t.Year()%100)+100)%100, 2)
		case fieldMonth:
			b = appendInt(b, int(t.Month()), it.width)
		case fieldMonthShort:
			b = append(b, t.Month().String()[:3]...)
		case fieldMonthFull:
			b = append(b, t.Month().String()...)
		case fieldMonthNarrow:
			b = append(b, t.Month().String()[0])
		case fieldDay:
			b = appendInt(b, t.Day(), it.width)
		case fieldDayOfYear:
			b = appendInt(b, t.YearDay(), it.width)
		case fieldHour:
			b = appendInt(b, t.Hour(), it.width)
		case fieldClockHour:
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b = appendInt(b, h, it.width)
		case fieldMinute:
			b = appendInt(b, t.Minute(), it.width)
		case fieldSecond:
			b = appendInt(b, t.Second(), it.width)
		case fieldFraction:
			frac := fmt.Sprintf("%09d", t.Nanosecond())
			b = append(b, frac[:it.width]...)
		case fieldAmPm:
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case fieldDayShort:
			b = append(b, t.Weekday().String()[:3]...)
		case fieldDayFull:
			b = append(b, t.Weekday().String()...)
		case fieldDayNarrow:
			b = append(b, t.Weekday().String()[0])
		}
	}
	return b
}

// appendInt appends v zero-padded to at least width digits.
func appendInt(b []byte, v, width int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var digits [20]byte
	s := strconv.AppendInt(digits[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
