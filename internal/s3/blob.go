package s3

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
)

// footerMagic ends every object and part file: body, JSON metadata, the
// metadata's length (uint32, big endian), then these eight bytes.
const footerMagic = "FRSHS3O1"

const footerLen = 4 + len(footerMagic)

// objMeta is an object's (or a part's) metadata: what the index keeps and
// what the file's footer holds.
type objMeta struct {
	Key                string            `json:"key,omitempty"`
	PartNumber         int               `json:"part,omitempty"`
	Size               int64             `json:"size"`
	ETag               string            `json:"etag"`  // unquoted: md5 hex, or "<md5>-<n>"
	Modified           int64             `json:"mtime"` // unix milliseconds
	ContentType        string            `json:"ct,omitempty"`
	ContentEncoding    string            `json:"ce,omitempty"`
	ContentDisposition string            `json:"cd,omitempty"`
	ContentLanguage    string            `json:"cl,omitempty"`
	CacheControl       string            `json:"cc,omitempty"`
	Expires            string            `json:"exp,omitempty"`
	Meta               map[string]string `json:"meta,omitempty"` // x-amz-meta-<name>, name lower case
	ChecksumAlg        string            `json:"csa,omitempty"`  // "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"
	Checksum           string            `json:"cs,omitempty"`   // base64, as S3 returns it
	Parts              int               `json:"parts,omitempty"`
}

// object is one index entry; data holds the body in memory mode.
type object struct {
	objMeta
	data []byte
}

// spool receives a request body (or a part, or a concatenation of parts),
// hashing it on the way, into a temporary file or memory.
type spool struct {
	f    *os.File
	buf  bytes.Buffer
	mem  bool
	md5  hash.Hash
	sha  hash.Hash // x-amz-content-sha256 check, when asked for
	sum  hash.Hash // x-amz-checksum-*, when asked for
	n    int64
	done bool
}

func (s *Service) newSpool() (*spool, error) {
	sp := &spool{md5: md5.New()}
	if s.dir == "" {
		sp.mem = true
		return sp, nil
	}
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		return nil, fmt.Errorf("create temp file: %w", err)
	}
	sp.f = f
	return sp, nil
}

func (sp *spool) Write(p []byte) (int, error) {
	sp.md5.Write(p)
	if sp.sha != nil {
		sp.sha.Write(p)
	}
	if sp.sum != nil {
		sp.sum.Write(p)
	}
	sp.n += int64(len(p))
	if sp.mem {
		return sp.buf.Write(p)
	}
	return sp.f.Write(p)
}

func (sp *spool) md5Hex() string { return hex.EncodeToString(sp.md5.Sum(nil)) }

// discard drops a spool that will not be committed.
func (sp *spool) discard() {
	if sp.done || sp.mem {
		return
	}
	sp.done = true
	name := sp.f.Name()
	_ = sp.f.Close()
	_ = os.Remove(name)
}

// seal appends meta as the file's footer, fsyncs and closes it (disk);
// memory spools need nothing.
func (sp *spool) seal(meta *objMeta) error {
	if sp.mem {
		return nil
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("encode metadata: %w", err)
	}
	js = binary.BigEndian.AppendUint32(js, uint32(len(js)))
	js = append(js, footerMagic...)
	if _, err := sp.f.Write(js); err != nil {
		return fmt.Errorf("write footer: %w", err)
	}
	if err := sp.f.Sync(); err != nil {
		return fmt.Errorf("fsync: %w", err)
	}
	return nil
}

// install renames a sealed spool to path (disk) or hands over its bytes
// (memory). After it the spool is spent.
func (sp *spool) install(path string) ([]byte, error) {
	if sp.mem {
		sp.done = true
		return sp.buf.Bytes(), nil
	}
	if err := sp.f.Close(); err != nil {
		return nil, fmt.Errorf("close: %w", err)
	}
	sp.done = true
	if err := os.Rename(sp.f.Name(), path); err != nil {
		_ = os.Remove(sp.f.Name())
		return nil, fmt.Errorf("rename: %w", err)
	}
	return nil, nil
}

// readFooter reads the metadata footer of an object or part file.
func readFooter(path string) (*objMeta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < int64(footerLen) {
		return nil, errors.New("file too short for a footer")
	}
	var tail [footerLen]byte
	if _, err := f.ReadAt(tail[:], size-int64(footerLen)); err != nil {
		return nil, fmt.Errorf("read footer: %w", err)
	}
	if string(tail[4:]) != footerMagic {
		return nil, errors.New("bad footer magic")
	}
	n := int64(binary.BigEndian.Uint32(tail[:4]))
	if n > size-int64(footerLen) {
		return nil, errors.New("bad footer length")
	}
	js := make([]byte, n)
	if _, err := f.ReadAt(js, size-int64(footerLen)-n); err != nil {
		return nil, fmt.Errorf("read footer: %w", err)
	}
	var m objMeta
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, fmt.Errorf("decode footer: %w", err)
	}
	if m.Size != size-int64(footerLen)-n {
		return nil, errors.New("footer size does not match the file")
	}
	return &m, nil
}

// keyFile names the file of key in bucket b: the SHA-256 of the key, fanned
// out over 256 directories. Keys never reach the file system.
func (s *Service) keyFile(b, key string) string {
	h := sha256.Sum256([]byte(key))
	x := hex.EncodeToString(h[:])
	return filepath.Join(s.dir, "buckets", b, "obj", x[:2], x)
}

func (s *Service) bucketDir(b string) string { return filepath.Join(s.dir, "buckets", b) }

func (s *Service) uploadDir(b, id string) string {
	return filepath.Join(s.dir, "buckets", b, "mpu", id)
}

func partFile(dir string, n int) string { return filepath.Join(dir, fmt.Sprintf("part.%05d", n)) }

// bodyReader is an open object body.
type bodyReader interface {
	io.ReaderAt
	io.Closer
}

type memBody struct{ *bytes.Reader }

func (memBody) Close() error { return nil }

// syncDir fsyncs a directory so that a rename or create in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// mkdirDurable creates dir (and its parents) and fsyncs each new entry's parent.
func mkdirDurable(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if err := mkdirDurable(parent); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return syncDir(parent)
}

// writeFileDurable writes a small file atomically: temp, fsync, rename, fsync dir.
func writeFileDurable(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	name := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return syncDir(dir)
}
