package kpl

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Magic is the 4-byte prefix of every KPL aggregated record. The package
// compares against its own copy, so modifying this slice changes nothing.
var Magic = []byte{0xF3, 0x89, 0x9A, 0xC2}

// magic is the copy of Magic the package actually uses.
const magic = "\xF3\x89\x9A\xC2"

// overhead is the size of an aggregated record around its protobuf
// message: the magic prefix and the MD5 trailer.
const overhead = len(magic) + md5.Size

// maxPartitionKeyChars is the Kinesis limit on partition keys, in Unicode
// characters (at least one is required).
const maxPartitionKeyChars = 256

// maxHashKey is 2^128-1, the largest explicit hash key, in decimal.
const maxHashKey = "340282366920938463463374607431768211455"

var (
	// ErrNotAggregated is returned by Deaggregate for data that is not a
	// KPL aggregated record: too short, no magic prefix, or an MD5 trailer
	// that does not match. The KCL hands such records to the application
	// unchanged, and so should callers.
	ErrNotAggregated = errors.New("kpl: not an aggregated record")

	// ErrMalformed is wrapped by every error Deaggregate returns for data
	// that passes the IsAggregated checks but whose protobuf message is
	// invalid: truncated or malformed fields, a missing required field, or
	// a key index outside its table.
	ErrMalformed = errors.New("kpl: malformed aggregated record")
)

// Record is one user record inside an aggregated record.
type Record struct {
	// PartitionKey is the user record's partition key, resolved from the
	// aggregate's partition key table.
	PartitionKey string
	// ExplicitHashKey is the user record's explicit hash key, resolved
	// from the aggregate's explicit hash key table, or "" if the record has
	// none. Aggregate requires a decimal integer in [0, 2^128-1];
	// Deaggregate returns whatever the table holds.
	ExplicitHashKey string
	// Data is the user record's payload.
	Data []byte
	// Tags are the record's tags. The KPL and KCL do not use them, but the
	// format carries them.
	Tags []Tag
}

// Tag is a key with an optional value attached to a Record.
type Tag struct {
	Key   string
	Value string
	// HasValue reports whether the value field is present. Aggregate also
	// writes the value when Value is non-empty.
	HasValue bool
}

// hasValue reports whether Aggregate writes the tag's value field.
func (t Tag) hasValue() bool {
	return t.HasValue || t.Value != ""
}

// IsAggregated reports whether data is a KPL aggregated record, by the
// checks the KCL applies before parsing: the magic prefix, at least one
// byte of protobuf message, and a matching MD5 trailer. It does not parse
// the message, so Deaggregate can still fail with ErrMalformed.
func IsAggregated(data []byte) bool {
	_, ok := messageOf(data)
	return ok
}

// messageOf returns the protobuf message inside an aggregated record, or
// false if data fails the IsAggregated checks.
func messageOf(data []byte) ([]byte, bool) {
	// Like the KCL, an aggregate with an empty message (magic plus the MD5
	// of nothing) does not count: it could hold no records anyway.
	if len(data) <= overhead || string(data[:len(magic)]) != magic {
		return nil, false
	}
	msg := data[len(magic) : len(data)-md5.Size]
	sum := md5.Sum(msg)
	if !bytes.Equal(sum[:], data[len(data)-md5.Size:]) {
		return nil, false
	}
	return msg, true
}

// Deaggregate returns the user records packed in a KPL aggregated record,
// in order: the record at index i has SubSequenceNumber i under the parent
// Kinesis record's sequence number. It returns ErrNotAggregated if data
// fails the IsAggregated checks, and an error wrapping ErrMalformed if the
// protobuf message is invalid. An aggregate whose message holds no records
// yields no records and no error.
//
// The returned records do not alias data. Their Data slices share one
// buffer the size of the message, so keeping any of them keeps it all.
func Deaggregate(data []byte) ([]Record, error) {
	msg, ok := messageOf(data)
	if !ok {
		return nil, ErrNotAggregated
	}
	recs, err := decodeAggregate(bytes.Clone(msg))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return recs, nil
}

// decodeAggregate decodes an AggregatedRecord message. The records' Data
// alias msg. Fields may come in any order, so the key tables are collected
// (and the records counted) in a first pass and records decoded in a
// second. Unknown fields, and known fields with an unexpected wire type,
// are skipped as protobuf parsers do.
func decodeAggregate(msg []byte) ([]Record, error) {
	var pks, ehks []string
	n := 0
	for rest := msg; len(rest) > 0; {
		f, next, err := nextField(rest)
		if err != nil {
			return nil, err
		}
		rest = next
		if f.wire != wireBytes {
			continue
		}
		switch f.num {
		case fieldPartitionKeyTable:
			pks = append(pks, string(f.b))
		case fieldExplicitHashKeyTable:
			ehks = append(ehks, string(f.b))
		case fieldRecords:
			n++
		}
	}
	// A valid record field takes at least 6 bytes (key, length, index and
	// data fields), which bounds the allocation for hostile input.
	recs := make([]Record, 0, min(n, len(msg)/6))
	for rest := msg; len(rest) > 0; {
		f, next, err := nextField(rest)
		if err != nil {
			return nil, err
		}
		rest = next
		if f.num != fieldRecords || f.wire != wireBytes {
			continue
		}
		r, err := decodeRecord(f.b, pks, ehks)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", len(recs), err)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// decodeRecord decodes a Record message and resolves its key indices.
func decodeRecord(b []byte, pks, ehks []string) (Record, error) {
	var (
		r                      Record
		pkIdx, ehkIdx          uint64
		hasPK, hasEHK, hasData bool
	)
	for len(b) > 0 {
		f, next, err := nextField(b)
		if err != nil {
			return Record{}, err
		}
		b = next
		switch {
		case f.num == fieldPartitionKeyIndex && f.wire == wireVarint:
			pkIdx, hasPK = f.v, true
		case f.num == fieldExplicitHashKeyIndex && f.wire == wireVarint:
			ehkIdx, hasEHK = f.v, true
		case f.num == fieldData && f.wire == wireBytes:
			r.Data, hasData = f.b, true
		case f.num == fieldTags && f.wire == wireBytes:
			t, err := decodeTag(f.b)
			if err != nil {
				return Record{}, fmt.Errorf("tag %d: %w", len(r.Tags), err)
			}
			r.Tags = append(r.Tags, t)
		}
	}
	if !hasPK {
		return Record{}, errors.New("missing required partition_key_index")
	}
	if pkIdx >= uint64(len(pks)) {
		return Record{}, fmt.Errorf("partition_key_index %d is out of range: the table has %d keys", pkIdx, len(pks))
	}
	r.PartitionKey = pks[pkIdx]
	if hasEHK {
		if ehkIdx >= uint64(len(ehks)) {
			return Record{}, fmt.Errorf("explicit_hash_key_index %d is out of range: the table has %d keys", ehkIdx, len(ehks))
		}
		r.ExplicitHashKey = ehks[ehkIdx]
	}
	if !hasData {
		return Record{}, errors.New("missing required data")
	}
	return r, nil
}

// decodeTag decodes a Tag message.
func decodeTag(b []byte) (Tag, error) {
	var (
		t      Tag
		hasKey bool
	)
	for len(b) > 0 {
		f, next, err := nextField(b)
		if err != nil {
			return Tag{}, err
		}
		b = next
		if f.wire != wireBytes {
			continue
		}
		switch f.num {
		case fieldTagKey:
			t.Key, hasKey = string(f.b), true
		case fieldTagValue:
			t.Value, t.HasValue = string(f.b), true
		}
	}
	if !hasKey {
		return Tag{}, errors.New("missing required key")
	}
	return t, nil
}

// Aggregate packs records into one KPL aggregated record: magic, the
// AggregatedRecord message and its MD5. Partition keys and explicit hash
// keys are deduplicated into the message's tables in order of first use,
// and records keep their order, as the KPL writes them.
//
// Every record needs a partition key of 1 to 256 Unicode characters, an
// explicit hash key that is empty or a decimal integer in [0, 2^128-1]
// without leading zeros, and UTF-8 tag keys and values. Aggregate does
// not limit the size of the result; Aggregator does.
func Aggregate(records []Record) ([]byte, error) {
	if len(records) == 0 {
		return nil, errors.New("kpl: no records to aggregate")
	}
	var b builder
	size := 0
	for i := range records {
		if err := validateRecord(&records[i]); err != nil {
			return nil, fmt.Errorf("kpl: record %d: %w", i, err)
		}
		size += len(records[i].Data) + 8
	}
	b.records = make([]byte, 0, size)
	for i := range records {
		r := &records[i]
		b.add(r, b.plan(r))
	}
	return b.bytes(), nil
}

// validateRecord checks what Aggregate requires of a record. Its errors
// carry no "kpl: " prefix.
func validateRecord(r *Record) error {
	pk := r.PartitionKey
	if pk == "" {
		return errors.New("partition key is empty")
	}
	if !utf8.ValidString(pk) {
		return errors.New("partition key is not valid utf-8")
	}
	if n := utf8.RuneCountInString(pk); n > maxPartitionKeyChars {
		return fmt.Errorf("partition key has %d characters, more than %d", n, maxPartitionKeyChars)
	}
	if ehk := r.ExplicitHashKey; ehk != "" && !validHashKey(ehk) {
		return fmt.Errorf("explicit hash key %.48q is not a decimal integer in [0, 2^128-1]", ehk)
	}
	for i, t := range r.Tags {
		if !utf8.ValidString(t.Key) || !utf8.ValidString(t.Value) {
			return fmt.Errorf("tag %d is not valid utf-8", i)
		}
	}
	return nil
}

// validHashKey reports whether s matches the Kinesis ExplicitHashKey
// pattern 0|([1-9]\d{0,38}) and is at most 2^128-1.
func validHashKey(s string) bool {
	if s == "" || len(s) > len(maxHashKey) || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	// Equal-length decimal strings compare like the numbers they spell.
	return len(s) < len(maxHashKey) || s <= maxHashKey
}
