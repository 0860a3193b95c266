package awscbor

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

// MaxDepth bounds the nesting of arrays, maps and tags the decoder accepts.
const MaxDepth = 256

// syntaxError is what malformed CBOR reports: AWS's message-less
// SerializationException, with the reason and offset for logs.
type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("awscbor: invalid cbor at offset %d: %s", e.offset, e.msg)
}

func (e *syntaxError) Unwrap() error { return awserr.Serialization("") }

// reader walks CBOR items in data.
type reader struct {
	data []byte
	pos  int
}

func (r *reader) fail(msg string) error { return &syntaxError{msg: msg, offset: r.pos} }

// head reads an item's initial byte and argument. For info 31 arg is 0; for
// major type 7 arg is the simple value or the float's bits.
func (r *reader) head() (major, info byte, arg uint64, err error) {
	if r.pos >= len(r.data) {
		return 0, 0, 0, r.fail("unexpected end of input")
	}
	ib := r.data[r.pos]
	major, info = ib>>5, ib&0x1f
	r.pos++
	switch {
	case info < 24:
		return major, info, uint64(info), nil
	case info <= 27:
		n := 1 << (info - 24)
		if len(r.data)-r.pos < n {
			r.pos = len(r.data)
			return 0, 0, 0, r.fail("unexpected end of input in an item head")
		}
		b := r.data[r.pos : r.pos+n]
		r.pos += n
		switch n {
		case 1:
			arg = uint64(b[0])
		case 2:
			arg = uint64(binary.BigEndian.Uint16(b))
		case 4:
			arg = uint64(binary.BigEndian.Uint32(b))
		default:
			arg = binary.BigEndian.Uint64(b)
		}
		if major == majorSimple && info == simpleByte && arg < 32 {
			r.pos -= 2
			return 0, 0, 0, r.fail("simple value below 32 in two bytes") // not well-formed (RFC 8949 §3.3)
		}
		return major, info, arg, nil
	case info == indefinite:
		if major == majorUint || major == majorNeg || major == majorTag {
			r.pos--
			return 0, 0, 0, r.fail("indefinite length on an integer or tag")
		}
		return major, info, 0, nil
	default:
		r.pos--
		return 0, 0, 0, r.fail("reserved additional information")
	}
}

// atBreak consumes the break that ends an indefinite-length item, if it is
// next.
func (r *reader) atBreak() (bool, error) {
	if r.pos >= len(r.data) {
		return false, r.fail("unexpected end of input in an indefinite-length item")
	}
	if r.data[r.pos] == breakByte {
		r.pos++
		return true, nil
	}
	return false, nil
}

// str returns the content of the byte or text string (major) whose head was
// just read. A definite string is a view of the input; an indefinite one
// is its chunks joined into a fresh slice.
func (r *reader) str(major, info byte, arg uint64) ([]byte, error) {
	if info != indefinite {
		if arg > uint64(len(r.data)-r.pos) {
			return nil, r.fail("string length past the end of input")
		}
		b := r.data[r.pos : r.pos+int(arg) : r.pos+int(arg)]
		r.pos += int(arg)
		return b, nil
	}
	var out []byte
	for {
		done, err := r.atBreak()
		if err != nil {
			return nil, err
		}
		if done {
			if out == nil {
				out = []byte{}
			}
			return out, nil
		}
		start := r.pos
		m, ci, carg, err := r.head()
		if err != nil {
			return nil, err
		}
		if m != major || ci == indefinite {
			r.pos = start
			return nil, r.fail("bad chunk in an indefinite-length string")
		}
		chunk, err := r.str(m, ci, carg)
		if err != nil {
			return nil, err
		}
		out = append(out, chunk...)
	}
}

// count checks a definite array or map length against the input left: every
// item takes at least one byte, so a larger count is truncated input, caught
// before anything is allocated for it.
func (r *reader) count(arg uint64, perItem int) (int, error) {
	if arg > uint64(len(r.data)-r.pos)/uint64(perItem) {
		return 0, r.fail("length past the end of input")
	}
	return int(arg), nil
}

// float returns the value of a float head (info 25, 26 or 27).
func float(info byte, arg uint64) float64 {
	switch info {
	case float16Info:
		return float16ToFloat64(uint16(arg))
	case float32Info:
		return float64(math.Float32frombits(uint32(arg)))
	}
	return math.Float64frombits(arg)
}

// Tag is a tagged item that Decode does not interpret.
type Tag struct {
	Number  uint64
	Content any
}

// Decode decodes one CBOR item, the whole of data, into Go values: uint64
// for unsigned integers; int64 for negative ones (*big.Int below
// math.MinInt64); []byte; string; []any; map[string]any (keys must be text
// strings; of a repeated key the last counts); float64 for floats of any
// width; bool; nil for null and undefined; Tag for tagged items (tags 2
// and 3 are read as *big.Int). Errors are SerializationExceptions (see
// the package doc).
func Decode(data []byte) (any, error) {
	r := reader{data: data}
	v, err := r.decode(0)
	if err != nil {
		return nil, err
	}
	if r.pos != len(data) {
		return nil, r.fail("unexpected data after the top-level item")
	}
	return v, nil
}

func (r *reader) decode(depth int) (any, error) {
	start := r.pos
	major, info, arg, err := r.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case majorUint:
		return arg, nil
	case majorNeg:
		if arg <= math.MaxInt64 {
			return -1 - int64(arg), nil
		}
		n := new(big.Int).SetUint64(arg)
		return n.Neg(n.Add(n, big.NewInt(1))), nil
	case majorBytes:
		b, err := r.str(major, info, arg)
		if err != nil {
			return nil, err
		}
		return append([]byte{}, b...), nil
	case majorText:
		b, err := r.str(major, info, arg)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case majorArray:
		if depth >= MaxDepth {
			r.pos = start
			return nil, r.fail("nesting too deep")
		}
		return r.decodeArray(info, arg, depth+1)
	case majorMap:
		if depth >= MaxDepth {
			r.pos = start
			return nil, r.fail("nesting too deep")
		}
		return r.decodeMap(info, arg, depth+1)
	case majorTag:
		if depth >= MaxDepth {
			r.pos = start
			return nil, r.fail("nesting too deep")
		}
		if arg == 2 || arg == 3 {
			return r.bignum(arg == 3)
		}
		content, err := r.decode(depth + 1)
		if err != nil {
			return nil, err
		}
		return Tag{Number: arg, Content: content}, nil
	}
	switch info {
	case simpleFalse, simpleTrue:
		return info == simpleTrue, nil
	case simpleNull, simpleUndefined:
		return nil, nil
	case float16Info, float32Info, float64Info:
		return float(info, arg), nil
	case indefinite:
		r.pos = start
		return nil, r.fail("unexpected break")
	}
	r.pos = start
	return nil, r.fail("unsupported simple value")
}

func (r *reader) decodeArray(info byte, arg uint64, depth int) (any, error) {
	if info == indefinite {
		out := []any{}
		for {
			done, err := r.atBreak()
			if err != nil {
				return nil, err
			}
			if done {
				return out, nil
			}
			v, err := r.decode(depth)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	n, err := r.count(arg, 1)
	if err != nil {
		return nil, err
	}
	out := make([]any, n)
	for i := range out {
		if out[i], err = r.decode(depth); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *reader) decodeMap(info byte, arg uint64, depth int) (any, error) {
	n := -1 // indefinite
	if info != indefinite {
		var err error
		if n, err = r.count(arg, 2); err != nil {
			return nil, err
		}
	}
	out := make(map[string]any, max(n, 0))
	for i := 0; n < 0 || i < n; i++ {
		if n < 0 {
			done, err := r.atBreak()
			if err != nil {
				return nil, err
			}
			if done {
				break
			}
		}
		key, err := r.key()
		if err != nil {
			return nil, err
		}
		v, err := r.decode(depth)
		if err != nil {
			return nil, err
		}
		out[string(key)] = v
	}
	return out, nil
}

// key reads a map key, which AWS bodies only ever have as text.
func (r *reader) key() ([]byte, error) {
	start := r.pos
	major, info, arg, err := r.head()
	if err != nil {
		return nil, err
	}
	if major != majorText {
		r.pos = start
		return nil, r.fail("map key is not a text string")
	}
	return r.str(major, info, arg)
}

// bignum reads the byte string content of tag 2 (or 3 when neg) as an
// integer.
func (r *reader) bignum(neg bool) (*big.Int, error) {
	start := r.pos
	major, info, arg, err := r.head()
	if err != nil {
		return nil, err
	}
	if major != majorBytes {
		r.pos = start
		return nil, r.fail("bignum content is not a byte string")
	}
	b, err := r.str(major, info, arg)
	if err != nil {
		return nil, err
	}
	n := new(big.Int).SetBytes(b)
	if neg {
		n.Neg(n.Add(n, big.NewInt(1)))
	}
	return n, nil
}
