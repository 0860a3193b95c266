package streams

import (
	"crypto/md5"
	"encoding/binary"
	"math/bits"
	"strconv"
)

// uint128 is a 128-bit hash key: hi holds the top 64 bits.
type uint128 struct{ hi, lo uint64 }

var maxHashKey = uint128{^uint64(0), ^uint64(0)}

func (a uint128) cmp(b uint128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a uint128) add64(n uint64) uint128 {
	lo, carry := bits.Add64(a.lo, n, 0)
	return uint128{a.hi + carry, lo}
}

func (a uint128) sub64(n uint64) uint128 {
	lo, borrow := bits.Sub64(a.lo, n, 0)
	return uint128{a.hi - borrow, lo}
}

// div64 returns a / d and the remainder.
func (a uint128) div64(d uint64) (uint128, uint64) {
	qhi := a.hi / d
	r := a.hi % d
	qlo, r := bits.Div64(r, a.lo, d)
	return uint128{qhi, qlo}, r
}

// mul64 returns a * m, ignoring overflow.
func (a uint128) mul64(m uint64) uint128 {
	hi, lo := bits.Mul64(a.lo, m)
	return uint128{a.hi*m + hi, lo}
}

// hashPartitionKey maps a partition key to its 128-bit hash key: the MD5
// digest read as a big-endian integer, as Kinesis does.
func hashPartitionKey(pk []byte) uint128 {
	sum := md5.Sum(pk)
	return uint128{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// String renders the key in decimal.
func (a uint128) String() string {
	if a.hi == 0 {
		return strconv.FormatUint(a.lo, 10)
	}
	const e19 = 10_000_000_000_000_000_000
	q, r := a.div64(e19)
	s := strconv.FormatUint(r, 10)
	pad := "0000000000000000000"[len(s):]
	return q.String() + pad + s
}

// parseUint128 parses a decimal hash key. ok is false for anything that is
// not a plain decimal number below 2^128.
func parseUint128(s string) (uint128, bool) {
	if s == "" || len(s) > 39 {
		return uint128{}, false
	}
	var v uint128
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return uint128{}, false
		}
		hi, lo := bits.Mul64(v.lo, 10)
		hi2, hiOver := bits.Mul64(v.hi, 10)
		if hi2 != 0 {
			return uint128{}, false
		}
		top, carry := bits.Add64(hiOver, hi, 0)
		if carry != 0 {
			return uint128{}, false
		}
		lo, c2 := bits.Add64(lo, uint64(c-'0'), 0)
		top, carry = bits.Add64(top, 0, c2)
		if carry != 0 {
			return uint128{}, false
		}
		v = uint128{top, lo}
	}
	return v, true
}

// splitHashSpace divides the whole hash key space into n contiguous ranges,
// as CreateStream does: every range but the last has the same width.
func splitHashSpace(n int) [][2]uint128 {
	// width = floor(2^128 / n), from (2^128-1)/n.
	width, rem := maxHashKey.div64(uint64(n))
	if rem == uint64(n)-1 {
		width = width.add64(1)
	}
	ranges := make([][2]uint128, n)
	start := uint128{}
	for i := 0; i < n; i++ {
		end := start.add64(0)
		if i == n-1 {
			end = maxHashKey
		} else {
			end = start.addWide(width).sub64(1)
		}
		ranges[i] = [2]uint128{start, end}
		start = end.add64(1)
	}
	return ranges
}

func (a uint128) addWide(b uint128) uint128 {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	return uint128{a.hi + b.hi + carry, lo}
}

func (a uint128) sub(b uint128) uint128 {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	return uint128{a.hi - b.hi - borrow, lo}
}
