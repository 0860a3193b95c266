package redshift

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/freshet/freshet/internal/firehose/dest"
)

// value is one column value of a row, ready for COPY.
type value struct {
	s    string
	null bool
}

// row is one row read from the batch: rec is the index of the record it
// starts in, line its 1-based line (or JSON object) number in the batch.
type row struct {
	rec, line int
	vals      []value
}

// rowError is a row that cannot be read, as Redshift would log it in
// STL_LOAD_ERRORS.
type rowError struct {
	rec, line int
	msg       string
}

// parsed is a batch read into rows.
type parsed struct {
	rows []row
	errs []rowError
}

// parseRows reads the batch's records the way Redshift COPY reads the
// intermediate S3 object they were concatenated into.
func parseRows(recs []dest.Record, cols []column, o *copyOpts) parsed {
	if o.format == formatJSON {
		return parseJSON(recs, cols, o)
	}
	return parseDelimited(recs, cols, o)
}

// --- delimited text and CSV ---

// rawField is one field as read, before conversion.
type rawField struct {
	s      string
	quoted bool
}

func parseDelimited(recs []dest.Record, cols []column, o *copyOpts) parsed {
	size := 0
	for _, r := range recs {
		size += len(r.Data)
	}
	buf := make([]byte, 0, size)
	starts := make([]int, len(recs))
	for i, r := range recs {
		starts[i] = len(buf)
		buf = append(buf, r.Data...)
	}
	recOf := func(off int) int { return sort.SearchInts(starts, off+1) - 1 }

	var out parsed
	backing := make([]value, 0, len(cols)*64)
	sc := lineScanner{buf: buf, o: o}
	header := o.ignoreHeader
	for sc.more() {
		off, line := sc.pos, sc.line
		fields, blank, err := sc.next()
		if header > 0 {
			header--
			continue
		}
		rec := recOf(off)
		if err != nil {
			out.errs = append(out.errs, rowError{rec: rec, line: line, msg: err.Error()})
			continue
		}
		if blank && o.ignoreBlank {
			continue
		}
		if len(fields) > len(cols) {
			out.errs = append(out.errs, rowError{rec: rec, line: line, msg: "Extra column(s) found"})
			continue
		}
		if len(fields) < len(cols) && !o.fillRecord {
			out.errs = append(out.errs, rowError{rec: rec, line: line, msg: "Delimiter not found"})
			continue
		}
		if cap(backing)-len(backing) < len(cols) {
			backing = make([]value, 0, len(cols)*256)
		}
		vals := backing[len(backing) : len(backing)+len(cols)]
		backing = backing[:len(backing)+len(cols)]
		var bad string
		for i, c := range cols {
			f := rawField{}
			if i < len(fields) {
				f = fields[i]
			}
			v, msg := convert(c, f.s, f.quoted, false, o)
			if msg != "" {
				bad = msg
				break
			}
			vals[i] = v
		}
		if bad != "" {
			out.errs = append(out.errs, rowError{rec: rec, line: line, msg: bad})
			continue
		}
		out.rows = append(out.rows, row{rec: rec, line: line, vals: vals})
	}
	return out
}

// lineScanner splits delimited text or CSV into rows of fields.
type lineScanner struct {
	buf  []byte
	pos  int
	line int // lines consumed so far
	o    *copyOpts
	sb   strings.Builder
}

func (s *lineScanner) more() bool { return s.pos < len(s.buf) }

// next reads one row. blank reports an empty line.
func (s *lineScanner) next() (fields []rawField, blank bool, err error) {
	s.line++
	if s.buf[s.pos] == '\n' {
		s.pos++
		return []rawField{{}}, true, nil
	}
	if s.o.format == formatCSV {
		return s.nextCSV()
	}
	return s.nextText()
}

func (s *lineScanner) nextText() ([]rawField, bool, error) {
	o := s.o
	var fields []rawField
	s.sb.Reset()
	quoted, inQuote := false, false
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		s.pos++
		switch {
		case inQuote && c == '"':
			inQuote = false
		case inQuote:
			if c == '\n' {
				s.line++
			}
			s.sb.WriteByte(c)
		case o.escape && c == '\\' && s.pos < len(s.buf):
			n := s.buf[s.pos]
			s.pos++
			if n == '\n' {
				s.line++
			}
			s.sb.WriteByte(n)
		case o.removeQuotes && c == '"' && s.sb.Len() == 0 && !quoted:
			inQuote, quoted = true, true
		case c == o.delimiter:
			fields = append(fields, rawField{s: s.sb.String(), quoted: quoted})
			s.sb.Reset()
			quoted = false
		case c == '\n':
			return append(fields, rawField{s: s.sb.String(), quoted: quoted}), false, nil
		default:
			s.sb.WriteByte(c)
		}
	}
	if inQuote {
		return nil, false, errors.New("Unterminated quoted string")
	}
	return append(fields, rawField{s: s.sb.String(), quoted: quoted}), false, nil
}

func (s *lineScanner) nextCSV() ([]rawField, bool, error) {
	o := s.o
	var fields []rawField
	for {
		s.sb.Reset()
		quoted := false
		// White space between a delimiter and a quote is ignored.
		j := s.pos
		for j < len(s.buf) && isBlank(s.buf[j], o.delimiter) {
			j++
		}
		if j < len(s.buf) && s.buf[j] == o.quote {
			s.pos = j
		}
		if s.pos < len(s.buf) && s.buf[s.pos] == o.quote {
			quoted = true
			s.pos++
			closed := false
			for s.pos < len(s.buf) {
				c := s.buf[s.pos]
				s.pos++
				if c == o.quote {
					if s.pos < len(s.buf) && s.buf[s.pos] == o.quote {
						s.sb.WriteByte(c)
						s.pos++
						continue
					}
					closed = true
					break
				}
				if c == '\n' {
					s.line++
				}
				s.sb.WriteByte(c)
			}
			if !closed {
				return nil, false, errors.New("Unterminated quoted string")
			}
			for s.pos < len(s.buf) && isBlank(s.buf[s.pos], o.delimiter) {
				s.pos++
			}
		}
		// Unquoted text, or what follows a closing quote, up to the delimiter.
		for s.pos < len(s.buf) {
			c := s.buf[s.pos]
			if c == o.delimiter || c == '\n' {
				break
			}
			s.sb.WriteByte(c)
			s.pos++
		}
		f := s.sb.String()
		if s.pos >= len(s.buf) || s.buf[s.pos] == '\n' {
			f = strings.TrimSuffix(f, "\r")
			fields = append(fields, rawField{s: f, quoted: quoted})
			if s.pos < len(s.buf) {
				s.pos++
			}
			return fields, false, nil
		}
		fields = append(fields, rawField{s: f, quoted: quoted})
		s.pos++ // delimiter
	}
}

func isBlank(c, delimiter byte) bool {
	return (c == ' ' || c == '\t') && c != delimiter
}

// --- JSON 'auto' ---

func parseJSON(recs []dest.Record, cols []column, o *copyOpts) parsed {
	index := make(map[string]int, len(cols))
	for i, c := range cols {
		if o.jsonIgnoreCase {
			index[strings.ToLower(c.name)] = i
		} else {
			index[c.name] = i
		}
	}
	var out parsed
	backing := make([]value, 0, len(cols)*256)
	line := 0
	for ri, r := range recs {
		dec := json.NewDecoder(bytes.NewReader(r.Data))
		for {
			var obj map[string]json.RawMessage
			err := dec.Decode(&obj)
			if errors.Is(err, io.EOF) {
				break
			}
			line++
			if err != nil {
				out.errs = append(out.errs, rowError{rec: ri, line: line, msg: jsonErr(err)})
				break // the rest of the record cannot be resynchronised
			}
			if obj == nil {
				out.errs = append(out.errs, rowError{rec: ri, line: line, msg: "Invalid JSONObject: null"})
				continue
			}
			if cap(backing)-len(backing) < len(cols) {
				backing = make([]value, 0, len(cols)*256)
			}
			vals := backing[len(backing) : len(backing)+len(cols)]
			backing = backing[:len(backing)+len(cols)]
			for i := range vals {
				vals[i] = value{null: true}
			}
			bad := ""
			for k, raw := range obj {
				if o.jsonIgnoreCase {
					k = strings.ToLower(k)
				}
				i, ok := index[k]
				if !ok {
					continue
				}
				v, msg := jsonValue(cols[i], raw, o)
				if msg != "" {
					bad = msg
					break
				}
				vals[i] = v
			}
			if bad != "" {
				out.errs = append(out.errs, rowError{rec: ri, line: line, msg: bad})
				continue
			}
			out.rows = append(out.rows, row{rec: ri, line: line, vals: vals})
		}
	}
	return out
}

func jsonErr(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "Invalid JSONObject: the top-level value is a " + te.Value + ", not an object"
	}
	return "Invalid JSON: " + err.Error()
}

func jsonValue(c column, raw json.RawMessage, o *copyOpts) (value, string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return value{null: true}, ""
	}
	switch raw[0] {
	case 'n':
		return value{null: true}, ""
	case '"':
		var s string
		if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			s = string(raw[1 : len(raw)-1])
		} else if err := json.Unmarshal(raw, &s); err != nil {
			return value{}, "Invalid JSON string"
		}
		return convert(c, s, true, true, o)
	default: // number, true, false, object, array: their JSON text
		return convert(c, string(raw), true, true, o)
	}
}

// --- conversion ---

// convert applies Redshift's conversion parameters to one field. It
// returns a message when the row must be rejected.
func convert(c column, s string, quoted, fromJSON bool, o *copyOpts) (value, string) {
	if !fromJSON && (!quoted || o.format != formatCSV) && s == o.nullAs {
		return value{null: true}, ""
	}
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		if !o.acceptInv {
			return value{}, "Invalid UTF8 character or NUL in column " + c.name
		}
		s = strings.ReplaceAll(strings.ToValidUTF8(s, o.invReplace), "\x00", o.invReplace)
	}
	if !c.isChar {
		if strings.TrimSpace(s) == "" {
			return value{null: true}, ""
		}
		if c.isTime {
			return timeValue(c, s, o)
		}
		return value{s: s}, ""
	}
	if o.trimBlanks {
		s = strings.TrimRight(s, " ")
	}
	if s == "" && o.emptyAsNull && !(quoted && o.format == formatCSV) {
		return value{null: true}, ""
	}
	if o.blanksAsNull && s != "" && strings.TrimSpace(s) == "" {
		return value{null: true}, ""
	}
	if o.truncate && c.maxLen > 0 && utf8.RuneCountInString(s) > c.maxLen {
		n, i := 0, 0
		for i = range s {
			if n == c.maxLen {
				break
			}
			n++
		}
		s = s[:i]
	}
	return value{s: s}, ""
}

// timeValue turns epoch numbers into timestamps when TIMEFORMAT or
// DATEFORMAT asks for it; anything else goes to PostgreSQL's own parser,
// which reads what 'auto' accepts.
func timeValue(c column, s string, o *copyOpts) (value, string) {
	f := o.timeFormat
	if f != "epochsecs" && f != "epochmillisecs" {
		f = o.dateFormat
	}
	if f != "epochsecs" && f != "epochmillisecs" {
		return value{s: s}, ""
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return value{s: s}, "" // not a number: let PostgreSQL read it
	}
	var t time.Time
	if f == "epochsecs" {
		t = time.Unix(0, int64(n*1e9)).UTC()
	} else {
		t = time.UnixMilli(int64(n)).UTC()
	}
	return value{s: t.Format("2006-01-02 15:04:05.999999")}, ""
}

// String names a rejected row and why, for error lines.
func (e rowError) String() string {
	return fmt.Sprintf("line %d: %s", e.line, e.msg)
}
