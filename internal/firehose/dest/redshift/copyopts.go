package redshift

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// format is how rows are read from the concatenated records.
type format int

const (
	formatText format = iota // delimited text, pipe by default
	formatCSV
	formatJSON
)

// copyOpts is CopyCommand.CopyOptions, parsed.
type copyOpts struct {
	format         format
	jsonIgnoreCase bool
	delimiter      byte
	quote          byte
	nullAs         string
	nullAsSet      bool
	ignoreHeader   int
	maxError       int
	emptyAsNull    bool
	blanksAsNull   bool
	trimBlanks     bool
	truncate       bool
	acceptInv      bool
	invReplace     string
	fillRecord     bool
	removeQuotes   bool
	escape         bool
	ignoreBlank    bool
	timeFormat     string // "", "auto", "epochsecs", "epochmillisecs" or a pattern
	dateFormat     string
}

// errUnsupported marks a CopyOptions keyword PostgreSQL cannot stand in for.
var errUnsupported = errors.New("unsupported")

// parseCopyOptions reads Redshift COPY data-format and conversion
// parameters. Parameters that only matter on AWS (GZIP, REGION,
// COMPUPDATE, STATUPDATE, MANIFEST...) are accepted and ignored: the
// records reach us uncompressed.
func parseCopyOptions(s string) (copyOpts, error) {
	o := copyOpts{delimiter: '|', quote: '"', nullAs: `\N`, invReplace: "?"}
	toks, err := tokenize(s)
	if err != nil {
		return o, err
	}
	p := &optParser{toks: toks}
	delimSet := false
	for !p.done() {
		kw := p.word()
		if kw == "" {
			return o, fmt.Errorf("unexpected %q in CopyOptions", p.peek().text)
		}
		switch kw {
		case "FORMAT":
			p.as()
		case "JSON":
			p.as()
			arg, ok := p.str()
			if !ok {
				return o, errors.New("JSON needs an argument: 'auto', 'auto ignorecase' or a JSONPaths file")
			}
			switch strings.ToLower(arg) {
			case "auto":
			case "auto ignorecase":
				o.jsonIgnoreCase = true
			default:
				return o, fmt.Errorf("JSON '%s': JSONPaths files are %w by Freshet; use JSON 'auto' or 'auto ignorecase'", arg, errUnsupported)
			}
			o.format = formatJSON
		case "CSV":
			o.format = formatCSV
			if !delimSet {
				o.delimiter = ','
			}
			if p.peekWord() == "QUOTE" {
				p.word()
				if err := p.char(&o.quote, "QUOTE"); err != nil {
					return o, err
				}
			}
		case "QUOTE":
			if err := p.char(&o.quote, "QUOTE"); err != nil {
				return o, err
			}
		case "DELIMITER":
			if err := p.char(&o.delimiter, "DELIMITER"); err != nil {
				return o, err
			}
			delimSet = true
		case "FIXEDWIDTH", "AVRO", "PARQUET", "ORC", "SHAPEFILE", "JSONPATHS":
			return o, fmt.Errorf("%s is %w by Freshet's Redshift destination", kw, errUnsupported)
		case "IGNOREHEADER":
			if o.ignoreHeader, err = p.num("IGNOREHEADER"); err != nil {
				return o, err
			}
		case "MAXERROR":
			if o.maxError, err = p.num("MAXERROR"); err != nil {
				return o, err
			}
		case "NULL":
			p.as()
			v, ok := p.str()
			if !ok {
				return o, errors.New("NULL AS needs a quoted string")
			}
			o.nullAs, o.nullAsSet = v, true
		case "TIMEFORMAT", "DATEFORMAT":
			p.as()
			v, ok := p.str()
			if !ok {
				return o, fmt.Errorf("%s needs a quoted string", kw)
			}
			if kw == "TIMEFORMAT" {
				o.timeFormat = strings.ToLower(v)
			} else {
				o.dateFormat = strings.ToLower(v)
			}
		case "ACCEPTINVCHARS":
			o.acceptInv = true
			if p.peekWord() == "AS" || p.peek().quoted {
				p.as()
				v, ok := p.str()
				if !ok || len(v) != 1 {
					return o, errors.New("ACCEPTINVCHARS AS needs one character")
				}
				o.invReplace = v
			}
		case "ENCODING":
			p.as()
			enc := strings.ToUpper(p.word())
			if enc != "UTF8" && enc != "UTF-8" {
				return o, fmt.Errorf("ENCODING %s is %w by Freshet (UTF8 only)", enc, errUnsupported)
			}
		case "EMPTYASNULL":
			o.emptyAsNull = true
		case "BLANKSASNULL":
			o.blanksAsNull = true
		case "TRIMBLANKS":
			o.trimBlanks = true
		case "TRUNCATECOLUMNS":
			o.truncate = true
		case "FILLRECORD":
			o.fillRecord = true
		case "REMOVEQUOTES":
			o.removeQuotes = true
		case "ESCAPE":
			o.escape = true
		case "IGNOREBLANKLINES":
			o.ignoreBlank = true
		case "GZIP", "BZIP2", "LZOP", "ZSTD", "MANIFEST", "ROUNDEC", "EXPLICIT_IDS",
			"ACCEPTANYDATE", "READRATIO", "NOLOAD", "SSH":
			if kw == "READRATIO" {
				if _, err := p.num(kw); err != nil {
					return o, err
				}
			}
		case "COMPUPDATE", "STATUPDATE":
			switch p.peekWord() {
			case "ON", "OFF", "TRUE", "FALSE", "PRESET":
				p.word()
			}
		case "REGION", "CREDENTIALS", "IAM_ROLE", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "MASTER_SYMMETRIC_KEY":
			p.as()
			if _, ok := p.str(); !ok && p.word() == "" {
				return o, fmt.Errorf("%s needs a value", kw)
			}
		default:
			return o, fmt.Errorf("unknown COPY parameter %s", kw)
		}
	}
	if o.format == formatCSV && (o.removeQuotes || o.escape) {
		return o, errors.New("CSV cannot be used with REMOVEQUOTES or ESCAPE")
	}
	if o.format == formatCSV && o.delimiter == o.quote {
		return o, errors.New("CSV delimiter and quote must differ")
	}
	return o, nil
}

type token struct {
	text   string
	quoted bool
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case unicode.IsSpace(rune(c)) || c == ';' || c == ',':
			i++
		case c == '\'':
			v, n, err := quoted(s[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{text: v, quoted: true})
			i += n
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '\'' && s[j] != ';' && s[j] != ',' {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

// quoted reads a single-quoted string starting at s[0]: a doubled quote is a quote,
// \t, \n, \\ and \ddd (octal) are escapes.
func quoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\'':
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			switch n := s[i+1]; {
			case n == 't':
				b.WriteByte('\t')
				i++
			case n == 'n':
				b.WriteByte('\n')
				i++
			case n == '\\':
				b.WriteByte('\\')
				i++
			case n == '\'':
				b.WriteByte('\'')
				i++
			case i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]):
				v, _ := strconv.ParseUint(s[i+1:i+4], 8, 8)
				b.WriteByte(byte(v))
				i += 3
			default:
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("unterminated quoted string in CopyOptions")
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

type optParser struct {
	toks []token
	i    int
}

func (p *optParser) done() bool { return p.i >= len(p.toks) }

func (p *optParser) peek() token {
	if p.done() {
		return token{}
	}
	return p.toks[p.i]
}

func (p *optParser) peekWord() string {
	t := p.peek()
	if t.quoted {
		return ""
	}
	return strings.ToUpper(t.text)
}

// word consumes an unquoted word, upper-cased; "" when the next token is
// quoted or there is none.
func (p *optParser) word() string {
	w := p.peekWord()
	if w != "" {
		p.i++
	}
	return w
}

func (p *optParser) as() {
	if p.peekWord() == "AS" {
		p.i++
	}
}

func (p *optParser) str() (string, bool) {
	t := p.peek()
	if !t.quoted {
		return "", false
	}
	p.i++
	return t.text, true
}

func (p *optParser) char(dst *byte, kw string) error {
	p.as()
	v, ok := p.str()
	if !ok || len(v) != 1 {
		return fmt.Errorf("%s needs a single character in quotes", kw)
	}
	*dst = v[0]
	return nil
}

func (p *optParser) num(kw string) (int, error) {
	p.as()
	t := p.peek()
	n, err := strconv.Atoi(t.text)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s needs a non-negative number", kw)
	}
	p.i++
	return n, nil
}
