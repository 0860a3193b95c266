package compress

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang/snappy"
)

// decodeXerial reads the snappy-java stream format from its description
// (SnappyCodec/SnappyInputStream): 8 bytes of magic 0x82 "SNAPPY" 0x00,
// int32 BE version and int32 BE minimum compatible version, then blocks of
// int32 BE compressed length + raw Snappy block. It returns the data and the
// uncompressed size of each block.
func decodeXerial(obj []byte) ([]byte, []int, error) {
	magic := []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}
	if len(obj) < 16 || !bytes.Equal(obj[:8], magic) {
		return nil, nil, errors.New("missing snappy-java magic")
	}
	if v, c := binary.BigEndian.Uint32(obj[8:]), binary.BigEndian.Uint32(obj[12:]); v != 1 || c != 1 {
		return nil, nil, fmt.Errorf("version %d compatible %d, want 1 and 1", v, c)
	}
	var out []byte
	var blocks []int
	for rest := obj[16:]; len(rest) > 0; {
		if len(rest) < 4 {
			return nil, nil, errors.New("truncated block length")
		}
		n := int(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
		if n > len(rest) {
			return nil, nil, fmt.Errorf("block of %d bytes, %d left", n, len(rest))
		}
		raw, err := snappy.Decode(nil, rest[:n])
		if err != nil {
			return nil, nil, err
		}
		out = append(out, raw...)
		blocks = append(blocks, len(raw))
		rest = rest[n:]
	}
	return out, blocks, nil
}

// decodeHadoop reads Hadoop's BlockCompressorStream framing for
// SnappyCodec: blocks of int32 BE uncompressed length, then one or more
// chunks of int32 BE compressed length + raw Snappy block until that many
// bytes are produced.
func decodeHadoop(obj []byte) ([]byte, []int, error) {
	var out []byte
	var blocks []int
	for rest := obj; len(rest) > 0; {
		if len(rest) < 4 {
			return nil, nil, errors.New("truncated block header")
		}
		want := int(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
		got := 0
		for got < want {
			if len(rest) < 4 {
				return nil, nil, errors.New("truncated chunk length")
			}
			n := int(binary.BigEndian.Uint32(rest))
			rest = rest[4:]
			if n > len(rest) {
				return nil, nil, fmt.Errorf("chunk of %d bytes, %d left", n, len(rest))
			}
			raw, err := snappy.Decode(nil, rest[:n])
			if err != nil {
				return nil, nil, err
			}
			out = append(out, raw...)
			got += len(raw)
			rest = rest[n:]
		}
		if got != want {
			return nil, nil, fmt.Errorf("block announced %d bytes, chunks held %d", want, got)
		}
		blocks = append(blocks, want)
	}
	return out, blocks, nil
}

func TestSnappyFraming(t *testing.T) {
	for _, name := range []string{Snappy, HadoopSnappy} {
		f, _ := Lookup(name)
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%d", name, size), func(t *testing.T) {
				data := payload(size, 3)
				obj := compressAll(t, f, data, 777)
				var blocks []int
				var err error
				if name == Snappy {
					if !bytes.Equal(obj[:16], xerialHeaderWant) {
						t.Fatalf("header % x", obj[:16])
					}
					_, blocks, err = decodeXerial(obj)
				} else {
					_, blocks, err = decodeHadoop(obj)
				}
				if err != nil {
					t.Fatal(err)
				}
				wantBlocks := (size + SnappyBlockSize - 1) / SnappyBlockSize
				if len(blocks) != wantBlocks {
					t.Fatalf("%d blocks, want %d", len(blocks), wantBlocks)
				}
				for i, n := range blocks {
					last := i == len(blocks)-1
					if (!last && n != SnappyBlockSize) || n == 0 || n > SnappyBlockSize {
						t.Errorf("block %d holds %d bytes", i, n)
					}
				}
				if size == 0 && name == HadoopSnappy && len(obj) != 0 {
					t.Errorf("empty hadoop stream is %d bytes, want 0", len(obj))
				}
				if size == 0 && name == Snappy && len(obj) != 16 {
					t.Errorf("empty snappy-java stream is %d bytes, want the 16-byte header", len(obj))
				}
			})
		}
	}
}

// The header spelled out byte by byte, independently of xerialHeader.
var xerialHeaderWant = []byte{0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1}

// pythonSnappy is a decoder built on Debian's python3-snappy (C++ libsnappy),
// a second implementation besides golang/snappy. It prints the length and
// SHA-256 of the decoded data.
const pythonSnappy = `
import sys, hashlib, struct, snappy
from snappy import hadoop_snappy
kind, path = sys.argv[1], sys.argv[2]
data = open(path, 'rb').read()
if kind == 'xerial':
    assert data[:8] == b'\x82SNAPPY\x00', 'magic'
    assert struct.unpack('>ii', data[8:16]) == (1, 1), 'version'
    pos, out = 16, []
    while pos < len(data):
        (n,) = struct.unpack('>I', data[pos:pos+4])
        out.append(snappy.uncompress(data[pos+4:pos+4+n]))
        pos += 4 + n
    raw = b''.join(out)
else:
    d = hadoop_snappy.StreamDecompressor()
    raw = d.decompress(data) + d.flush()
print(len(raw), hashlib.sha256(raw).hexdigest())
`

func TestSnappyPythonCrossCheck(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import snappy.hadoop_snappy").Run(); err != nil {
		t.Skip("python3-snappy not installed (apt-get install python3-snappy)")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "check.py")
	if err := os.WriteFile(script, []byte(pythonSnappy), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ format, kind string }{{Snappy, "xerial"}, {HadoopSnappy, "hadoop"}} {
		f, _ := Lookup(tc.format)
		for _, size := range []int{1, SnappyBlockSize, SnappyBlockSize + 1, 10 << 20} {
			t.Run(fmt.Sprintf("%s/%d", tc.format, size), func(t *testing.T) {
				data := payload(size, 11)
				obj := filepath.Join(dir, fmt.Sprintf("%s-%d", tc.kind, size))
				if err := os.WriteFile(obj, compressAll(t, f, data, 1024), 0o600); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(py, script, tc.kind, obj).CombinedOutput()
				if err != nil {
					t.Fatalf("python decoder: %v\n%s", err, out)
				}
				sum := sha256.Sum256(data)
				want := fmt.Sprintf("%d %s", len(data), hex.EncodeToString(sum[:]))
				if got := strings.TrimSpace(string(out)); got != want {
					t.Errorf("python decoded %q, want %q", got, want)
				}
			})
		}
	}
}
