package s3

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// checksumAlgs are the x-amz-checksum-* algorithms Freshet verifies.
var checksumAlgs = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

var (
	crc32cTable = crc32.MakeTable(crc32.Castagnoli)
	crc64Table  = crc64.MakeTable(0x9a6c9329ac4bc9b5) // CRC-64/NVME, reflected
)

func newChecksum(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32cTable)
	case "CRC64NVME":
		return crc64.New(crc64Table)
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

func checksumHeader(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// received is what receive learnt about a body.
type received struct {
	alg, checksum string // checksum algorithm and base64 value, when one was sent or asked for
}

// receive streams r's body into sp: aws-chunked framing and trailers are
// stripped, and Content-MD5, a hex x-amz-content-sha256 and any
// x-amz-checksum-* value are verified.
func (s *Service) receive(r *http.Request, sp *spool) (received, *Error) {
	var out received
	h := r.Header
	sha := h.Get("X-Amz-Content-Sha256")
	if len(sha) == 64 {
		if _, err := hex.DecodeString(sha); err == nil {
			sp.sha = sha256.New()
		}
	}
	chunked := strings.HasPrefix(sha, "STREAMING-") || hasToken(h.Values("Content-Encoding"), "aws-chunked")

	var want string
	fromTrailer := ""
	for _, a := range checksumAlgs {
		if v := h.Get(checksumHeader(a)); v != "" {
			out.alg, want = a, v
			break
		}
	}
	if out.alg == "" {
		if t := strings.ToLower(strings.TrimSpace(h.Get("X-Amz-Trailer"))); strings.HasPrefix(t, "x-amz-checksum-") {
			out.alg = strings.ToUpper(strings.TrimPrefix(t, "x-amz-checksum-"))
			fromTrailer = t
		}
	}
	if out.alg == "" {
		out.alg = strings.ToUpper(h.Get("X-Amz-Sdk-Checksum-Algorithm"))
	}
	if sp.sum = newChecksum(out.alg); sp.sum == nil {
		out.alg = ""
	}

	expect := r.ContentLength
	var src io.Reader = r.Body
	var cr *chunkReader
	if chunked {
		cr = &chunkReader{br: bufio.NewReaderSize(r.Body, 64<<10)}
		src = cr
		expect = -1
		if v := h.Get("X-Amz-Decoded-Content-Length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return out, errInvalidArgument("Invalid x-amz-decoded-content-length", "x-amz-decoded-content-length", v)
			}
			expect = n
		}
	}
	if expect > maxObjectSize {
		return out, errEntityTooLarge(expect)
	}
	bp := copyBufs.Get().(*[]byte)
	_, err := io.CopyBuffer(sp, io.LimitReader(src, maxObjectSize+1), *bp)
	copyBufs.Put(bp)
	if err != nil {
		return out, errIncompleteBody()
	}
	if sp.n > maxObjectSize {
		return out, errEntityTooLarge(sp.n)
	}
	if expect >= 0 && sp.n != expect {
		return out, errIncompleteBody()
	}
	if fromTrailer != "" && cr != nil {
		want = cr.trailers[fromTrailer]
	}
	if v := h.Get("Content-Md5"); v != "" {
		d, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(d) != md5.Size {
			return out, errInvalidDigest()
		}
		if !bytes.Equal(d, sp.md5.Sum(nil)) {
			return out, errBadDigest()
		}
	}
	if sp.sha != nil && hex.EncodeToString(sp.sha.Sum(nil)) != strings.ToLower(sha) {
		return out, errSHA256Mismatch()
	}
	if sp.sum != nil {
		out.checksum = base64.StdEncoding.EncodeToString(sp.sum.Sum(nil))
		if want != "" && want != out.checksum {
			return out, errChecksumMismatch(out.alg)
		}
	}
	return out, nil
}

func hasToken(vals []string, tok string) bool {
	for _, v := range vals {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), tok) {
				return true
			}
		}
	}
	return false
}

// storedEncoding is Content-Encoding without aws-chunked.
func storedEncoding(vals []string) string {
	var keep []string
	for _, v := range vals {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t != "" && !strings.EqualFold(t, "aws-chunked") {
				keep = append(keep, t)
			}
		}
	}
	return strings.Join(keep, ",")
}

var errChunk = errors.New("malformed aws-chunked body")

// chunkReader decodes an aws-chunked body: "<hex size>[;chunk-signature=…]\r\n
// <data>\r\n" repeated, a zero-size chunk, then optional trailer lines
// ("name:value\r\n") and an empty line. Chunk signatures are not checked.
type chunkReader struct {
	br       *bufio.Reader
	left     int64
	eof      bool
	trailers map[string]string
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for c.left == 0 {
		if c.eof {
			return 0, io.EOF
		}
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.br.Read(p)
	c.left -= int64(n)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	if err != nil {
		return n, err
	}
	if c.left == 0 {
		if err := c.crlf(); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (c *chunkReader) crlf() error {
	var b [2]byte
	if _, err := io.ReadFull(c.br, b[:]); err != nil || b != [2]byte{'\r', '\n'} {
		return errChunk
	}
	return nil
}

func (c *chunkReader) line() (string, error) {
	l, err := c.br.ReadSlice('\n')
	if err != nil && !(err == io.EOF && len(l) > 0) {
		return "", err
	}
	return strings.TrimRight(string(l), "\r\n"), nil
}

func (c *chunkReader) next() error {
	l, err := c.line()
	if err != nil {
		return errChunk
	}
	sz, _, _ := strings.Cut(l, ";")
	n, err := strconv.ParseInt(strings.TrimSpace(sz), 16, 64)
	if err != nil || n < 0 {
		return errChunk
	}
	if n > 0 {
		c.left = n
		return nil
	}
	c.eof = true
	c.trailers = map[string]string{}
	for {
		l, err := c.line()
		if err == io.EOF || (err == nil && l == "") {
			return nil
		}
		if err != nil {
			return errChunk
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return errChunk
		}
		c.trailers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
}
