package redshift

import "io"

// copyReader streams rows in PostgreSQL's COPY text format (tab
// separated, \N for NULL, backslash escapes), leaving out skipped rows.
// PostgreSQL numbers the lines it reads from 1, so line n is sent[n-1].
type copyReader struct {
	rows []row
	skip map[int]bool // indexes into rows
	i    int
	buf  []byte
	off  int
	sent []int // indexes into rows, in the order sent
}

func newCopyReader(rows []row, skip map[int]bool) *copyReader {
	return &copyReader{rows: rows, skip: skip, buf: make([]byte, 0, 64<<10)}
}

func (r *copyReader) Read(p []byte) (int, error) {
	if r.off >= len(r.buf) {
		r.buf, r.off = r.buf[:0], 0
		for r.i < len(r.rows) && len(r.buf) < 32<<10 {
			if !r.skip[r.i] {
				r.buf = appendRow(r.buf, r.rows[r.i].vals)
				r.sent = append(r.sent, r.i)
			}
			r.i++
		}
		if len(r.buf) == 0 {
			return 0, io.EOF
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

func appendRow(b []byte, vals []value) []byte {
	for i, v := range vals {
		if i > 0 {
			b = append(b, '\t')
		}
		if v.null {
			b = append(b, '\\', 'N')
			continue
		}
		for j := 0; j < len(v.s); j++ {
			switch c := v.s[j]; c {
			case '\\':
				b = append(b, '\\', '\\')
			case '\t':
				b = append(b, '\\', 't')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = append(b, c)
			}
		}
	}
	return append(b, '\n')
}
