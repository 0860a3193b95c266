package streams

import (
	"math/bits"
	"strconv"
)

// Sequence numbers follow the layout real Kinesis uses (version 2, as
// kinesalite decoded it): a 188-bit number written in decimal, whose hex
// digits are
//
//	2 | shard create time, s (9) | shard index, low digit (1) | record index (16)
//	  | 00 (2) | record time, s (9) | shard index (8) | 2
//
// The record index is the record's offset in its shard log, so a sequence
// number leads straight to its record, and sequence numbers of one shard
// increase strictly with the offset.
type seqNum struct {
	shardCreateSec uint64
	shardIndex     uint32
	offset         uint64
	timeSec        uint64
}

// uint192 is a 192-bit integer, most significant word first.
type uint192 [3]uint64

func (s seqNum) value() uint192 {
	// Assemble the 47 hex digits (188 bits) into three words.
	var v uint192
	put := func(val uint64, digits uint) {
		// shift v left by 4*digits bits and add val
		shift := 4 * digits
		v[0] = v[0]<<shift | v[1]>>(64-shift)
		v[1] = v[1]<<shift | v[2]>>(64-shift)
		v[2] = v[2]<<shift | val
	}
	put(2, 1)
	put(s.shardCreateSec&0xfffffffff, 9)
	put(uint64(s.shardIndex&0xf), 1)
	put(s.offset>>32, 8)
	put(s.offset&0xffffffff, 8)
	put(0, 2)
	put(s.timeSec&0xfffffffff, 9)
	put(uint64(s.shardIndex), 8)
	put(2, 1)
	return v
}

// String renders the sequence number in decimal.
func (s seqNum) String() string {
	var buf [64]byte
	return string(s.appendTo(buf[:0]))
}

func (s seqNum) appendTo(dst []byte) []byte {
	v := s.value()
	const e19 = 10_000_000_000_000_000_000
	var parts [4]uint64
	n := 0
	for v[0] != 0 || v[1] != 0 || v[2] != 0 {
		var r uint64
		v[0], r = bits.Div64(0, v[0], e19)
		v[1], r = bits.Div64(r, v[1], e19)
		v[2], r = bits.Div64(r, v[2], e19)
		parts[n] = r
		n++
	}
	if n == 0 {
		return append(dst, '0')
	}
	dst = strconv.AppendUint(dst, parts[n-1], 10)
	for i := n - 2; i >= 0; i-- {
		var tmp [20]byte
		d := strconv.AppendUint(tmp[:0], parts[i], 10)
		for j := len(d); j < 19; j++ {
			dst = append(dst, '0')
		}
		dst = append(dst, d...)
	}
	return dst
}

// parseSeqNum decodes a decimal sequence number of our layout.
func parseSeqNum(s string) (seqNum, bool) {
	if s == "" || len(s) > 58 {
		return seqNum{}, false
	}
	var v uint192
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return seqNum{}, false
		}
		// v = v*10 + c
		carry := uint64(c - '0')
		for w := 2; w >= 0; w-- {
			hi, lo := bits.Mul64(v[w], 10)
			lo, c2 := bits.Add64(lo, carry, 0)
			v[w] = lo
			carry = hi + c2
		}
		if carry != 0 {
			return seqNum{}, false
		}
	}
	// 188 bits: the top word holds 60 bits; its top nibble must be 2, and so must the last.
	if v[0]>>56 != 2 || v[2]&0xf != 2 {
		return seqNum{}, false
	}
	get := func(digits uint) uint64 {
		shift := 4 * digits
		out := v[2] & (1<<shift - 1)
		v[2] = v[2]>>shift | v[1]<<(64-shift)
		v[1] = v[1]>>shift | v[0]<<(64-shift)
		v[0] >>= shift
		return out
	}
	get(1) // version
	idx := get(8)
	timeSec := get(9)
	if get(2) != 0 {
		return seqNum{}, false
	}
	offLo := get(8)
	offHi := get(8)
	lowDigit := get(1)
	createSec := get(9)
	if idx > 0x7fffffff || lowDigit != idx&0xf || offHi > 0x7fffffff {
		return seqNum{}, false
	}
	return seqNum{shardCreateSec: createSec, shardIndex: uint32(idx), offset: offHi<<32 | offLo, timeSec: timeSec}, true
}

// offsetStep is what one more offset adds to a sequence number: the offset
// field starts 80 bits up (16^20), so consecutive records differ by 2^80.
const offsetStep = "1208925819614629174706176"

// seqRun formats the sequence numbers of consecutive offsets that share a
// shard and an arrival second: the first in full, each next one by adding
// 2^80 to the decimal digits, which is far cheaper than 192-bit division.
type seqRun struct {
	digits [64]byte // right-aligned decimal digits
	start  int      // index of the first digit
	last   seqNum
	valid  bool
}

// next returns the decimal form of s, reusing the previous one when s is
// the next offset in the same second.
func (r *seqRun) appendNext(dst []byte, s seqNum) []byte {
	if r.valid && s.offset == r.last.offset+1 && s.timeSec == r.last.timeSec &&
		s.shardIndex == r.last.shardIndex && s.shardCreateSec == r.last.shardCreateSec {
		r.addStep()
	} else {
		var buf [64]byte
		d := s.appendTo(buf[:0])
		r.start = len(r.digits) - len(d)
		copy(r.digits[r.start:], d)
		r.valid = true
	}
	r.last = s
	return append(dst, r.digits[r.start:]...)
}

func (r *seqRun) addStep() {
	carry := byte(0)
	i := len(r.digits) - 1
	for j := len(offsetStep) - 1; j >= 0 || carry != 0; j-- {
		if i < r.start {
			r.start = i
			r.digits[i] = '0'
		}
		sum := r.digits[i] - '0' + carry
		if j >= 0 {
			sum += offsetStep[j] - '0'
		}
		carry = sum / 10
		r.digits[i] = '0' + sum%10
		i--
	}
}

// maxOffset is the largest record index a sequence number can carry.
const maxOffset = 1<<63 - 1
