package awsjson

import "unicode/utf16"

// AWS's front end (Coral, in Java) reports constraint violations in the
// iteration order of a java.util.HashMap: a structure's members keyed by
// their lowerCamel names and put in model order, a map's entries keyed by
// their keys and put in document order. That order is neither the model's
// nor alphabetical, and it is what clients see, so it is reproduced here:
// buckets of String.hashCode spread by Java 7's supplemental hash, default
// capacity 16 and load factor 0.75, new entries at the head of their chain,
// and Java 7's resize, which reverses chains as it moves them.
//
// Checked against every multi-violation message kinesalite records from
// real Kinesis (and dynalite's from DynamoDB): members land in the right
// buckets in all of them; the order inside a bucket matches where
// botocore's member order is Coral's (SplitShard and MergeShards disagree,
// so their Coral models must list members in another order).

// javaHash is java.lang.String.hashCode: s over UTF-16 code units.
func javaHash(s string) uint32 {
	var h uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 {
			h = 31*h + uint32(c)
			continue
		}
		for _, r := range s[i:] {
			if r >= 0x10000 {
				r1, r2 := utf16.EncodeRune(r)
				h = 31*h + uint32(r1)
				h = 31*h + uint32(r2)
				continue
			}
			h = 31*h + uint32(r)
		}
		break
	}
	return h
}

// java7Spread is java.util.HashMap.hash of Java 7.
func java7Spread(h uint32) uint32 {
	h ^= (h >> 20) ^ (h >> 12)
	return h ^ (h >> 7) ^ (h >> 4)
}

// hashMapOrder returns the indexes of keys in the iteration order of a
// Java 7 HashMap they were put into in order. A repeated key keeps the
// place of its first put, as HashMap.put replaces the value in place; it
// appears once, with the index of its first occurrence.
func hashMapOrder(keys []string) []int {
	type entry struct {
		hash uint32
		key  int // index into keys
		next int // next entry in the chain, -1 at the end
	}
	capacity := 16
	threshold := 12
	table := make([]int, capacity)
	for i := range table {
		table[i] = -1
	}
	entries := make([]entry, 0, len(keys))
next:
	for ki, k := range keys {
		h := java7Spread(javaHash(k))
		b := int(h) & (capacity - 1)
		for e := table[b]; e != -1; e = entries[e].next {
			if entries[e].hash == h && keys[entries[e].key] == k {
				continue next
			}
		}
		if len(entries) >= threshold && table[b] != -1 {
			capacity *= 2
			threshold = capacity * 3 / 4
			nt := make([]int, capacity)
			for i := range nt {
				nt[i] = -1
			}
			for _, head := range table {
				for e := head; e != -1; {
					nx := entries[e].next
					i := int(entries[e].hash) & (capacity - 1)
					entries[e].next = nt[i]
					nt[i] = e
					e = nx
				}
			}
			table = nt
			b = int(h) & (capacity - 1)
		}
		entries = append(entries, entry{hash: h, key: ki, next: table[b]})
		table[b] = len(entries) - 1
	}
	order := make([]int, 0, len(entries))
	for _, head := range table {
		for e := head; e != -1; e = entries[e].next {
			order = append(order, entries[e].key)
		}
	}
	return order
}

// lowerFirst is a member's name as AWS's messages show it.
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+('a'-'A')) + s[1:]
}
