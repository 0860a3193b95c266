package streams

import (
	"math/big"
	"testing"
)

func TestSeqNumRoundTrip(t *testing.T) {
	cases := []seqNum{
		{shardCreateSec: 1700000000, shardIndex: 0, offset: 0, timeSec: 1700000000},
		{shardCreateSec: 1700000000, shardIndex: 3, offset: 1, timeSec: 1700000005},
		{shardCreateSec: 1700000000, shardIndex: 17, offset: 1<<40 + 7, timeSec: 1800000000},
		{shardCreateSec: 0xfffffffff, shardIndex: 0x7fffffff, offset: 1<<63 - 1, timeSec: 0xfffffffff},
	}
	for _, c := range cases {
		s := c.String()
		if len(s) < 56 {
			t.Errorf("%+v: %q has %d digits, want at least 56", c, s, len(s))
		}
		got, ok := parseSeqNum(s)
		if !ok || got != c {
			t.Errorf("parse(%q) = %+v, %v; want %+v", s, got, ok, c)
		}
	}
}

func TestSeqNumOrderFollowsOffset(t *testing.T) {
	prev := new(big.Int)
	for off := uint64(0); off < 2000; off += 7 {
		n, ok := new(big.Int).SetString(seqNum{shardCreateSec: 1700000000, shardIndex: 2, offset: off, timeSec: 1700000000 + off/100}.String(), 10)
		if !ok {
			t.Fatal("not decimal")
		}
		if off > 0 && n.Cmp(prev) <= 0 {
			t.Fatalf("offset %d: %s not above %s", off, n, prev)
		}
		prev = n
	}
}

// AWS's starting sequence numbers of adjacent shards differ by exactly this
// (kinesalite's suite, validated against AWS).
func TestSeqNumShardStride(t *testing.T) {
	a, _ := new(big.Int).SetString(seqNum{shardCreateSec: 1700000000, shardIndex: 0, timeSec: 1700000000}.String(), 10)
	b, _ := new(big.Int).SetString(seqNum{shardCreateSec: 1700000000, shardIndex: 1, timeSec: 1700000000}.String(), 10)
	want, _ := new(big.Int).SetString("22300745198530623141535718272648361505980432", 10)
	if d := new(big.Int).Sub(b, a); d.Cmp(want) != 0 {
		t.Fatalf("stride %s, want %s", d, want)
	}
}

func TestParseSeqNumRejects(t *testing.T) {
	for _, s := range []string{"", "0", "1", "abc", "12345678901234567890123456789012345678901234567890123456789012345"} {
		if _, ok := parseSeqNum(s); ok {
			t.Errorf("parseSeqNum(%q) accepted", s)
		}
	}
}

func TestUint128(t *testing.T) {
	for _, s := range []string{"0", "1", "18446744073709551615", "18446744073709551616", "340282366920938463463374607431768211455"} {
		v, ok := parseUint128(s)
		if !ok || v.String() != s {
			t.Errorf("round trip %q: %v %v", s, v, ok)
		}
	}
	for _, s := range []string{"340282366920938463463374607431768211456", "-1", "1a", ""} {
		if _, ok := parseUint128(s); ok {
			t.Errorf("parseUint128(%q) accepted", s)
		}
	}
	r := splitHashSpace(4)
	if r[0][0].String() != "0" || r[3][1] != maxHashKey || r[0][1].String() != "85070591730234615865843651857942052863" || r[1][0].String() != "85070591730234615865843651857942052864" {
		t.Fatalf("split: %v", r)
	}
	r3 := splitHashSpace(3)
	if r3[0][1].String() != "113427455640312821154458202477256070484" || r3[1][1].String() != "226854911280625642308916404954512140969" {
		t.Fatalf("split 3: %v", r3)
	}
	// MD5 routing: a known digest.
	if got := hashPartitionKey([]byte("a")).String(); got != new(big.Int).SetBytes([]byte{0x0c, 0xc1, 0x75, 0xb9, 0xc0, 0xf1, 0xb6, 0xa8, 0x31, 0xc3, 0x99, 0xe2, 0x69, 0x77, 0x26, 0x61}).String() {
		t.Fatalf("md5 of a: %s", got)
	}
}

func TestSeqRunMatchesFullFormat(t *testing.T) {
	var run seqRun
	var buf []byte
	cases := []seqNum{}
	for off := uint64(0); off < 3000; off++ {
		cases = append(cases, seqNum{shardCreateSec: 1700000000, shardIndex: 3, offset: off, timeSec: 1700000000 + off/1000})
	}
	cases = append(cases, seqNum{shardCreateSec: 1700000000, shardIndex: 4, offset: 1<<40 - 1, timeSec: 1700000009}, seqNum{shardCreateSec: 1700000000, shardIndex: 4, offset: 1 << 40, timeSec: 1700000009})
	for _, s := range cases {
		buf = run.appendNext(buf[:0], s)
		if string(buf) != s.String() {
			t.Fatalf("%+v: run gives %s, full format %s", s, buf, s.String())
		}
	}
}

func BenchmarkSeqNumFull(b *testing.B) {
	var buf []byte
	for i := 0; i < b.N; i++ {
		buf = seqNum{shardCreateSec: 1700000000, shardIndex: 3, offset: uint64(i), timeSec: 1700000000}.appendTo(buf[:0])
	}
}

func BenchmarkSeqNumRun(b *testing.B) {
	var buf []byte
	var run seqRun
	for i := 0; i < b.N; i++ {
		buf = run.appendNext(buf[:0], seqNum{shardCreateSec: 1700000000, shardIndex: 3, offset: uint64(i), timeSec: 1700000000})
	}
}
