package kpl

import "crypto/md5"

// builder accumulates an AggregatedRecord message. The three repeated
// fields are kept as separately encoded byte runs, so the message can be
// written in the KPL's field order (partition key table, explicit hash key
// table, records) while records arrive one at a time, and its exact size
// is known at every step. The zero value is an empty builder.
type builder struct {
	pkIndex  map[string]uint64
	ehkIndex map[string]uint64
	pkTable  []byte // encoded partition_key_table fields
	ehkTable []byte // encoded explicit_hash_key_table fields
	records  []byte // encoded records fields
	n        int    // records added
	firstPK  string
	firstEHK string
}

// plan is how a record would be added to a builder.
type plan struct {
	pkIdx, ehkIdx uint64
	newPK, newEHK bool
	inner         int // size of the encoded Record message
	growth        int // bytes the AggregatedRecord message grows by
}

// plan computes how r would be added, without adding it.
func (b *builder) plan(r *Record) plan {
	var p plan
	var seen bool
	if p.pkIdx, seen = b.pkIndex[r.PartitionKey]; !seen {
		p.pkIdx, p.newPK = uint64(len(b.pkIndex)), true
		p.growth += sizeBytesField(len(r.PartitionKey))
	}
	p.inner = 1 + sizeVarint(p.pkIdx) + sizeBytesField(len(r.Data))
	if r.ExplicitHashKey != "" {
		if p.ehkIdx, seen = b.ehkIndex[r.ExplicitHashKey]; !seen {
			p.ehkIdx, p.newEHK = uint64(len(b.ehkIndex)), true
			p.growth += sizeBytesField(len(r.ExplicitHashKey))
		}
		p.inner += 1 + sizeVarint(p.ehkIdx)
	}
	for _, t := range r.Tags {
		p.inner += sizeBytesField(tagSize(t))
	}
	p.growth += sizeBytesField(p.inner)
	return p
}

// tagSize is the size of an encoded Tag message.
func tagSize(t Tag) int {
	n := sizeBytesField(len(t.Key))
	if t.hasValue() {
		n += sizeBytesField(len(t.Value))
	}
	return n
}

// add appends r as planned by b.plan(r), copying its data.
func (b *builder) add(r *Record, p plan) {
	if p.newPK {
		if b.pkIndex == nil {
			b.pkIndex = make(map[string]uint64)
		}
		b.pkIndex[r.PartitionKey] = p.pkIdx
		b.pkTable = appendStringField(b.pkTable, fieldPartitionKeyTable, r.PartitionKey)
	}
	if p.newEHK {
		if b.ehkIndex == nil {
			b.ehkIndex = make(map[string]uint64)
		}
		b.ehkIndex[r.ExplicitHashKey] = p.ehkIdx
		b.ehkTable = appendStringField(b.ehkTable, fieldExplicitHashKeyTable, r.ExplicitHashKey)
	}

	rec := appendKey(b.records, fieldRecords, wireBytes)
	rec = appendVarint(rec, uint64(p.inner))
	rec = appendKey(rec, fieldPartitionKeyIndex, wireVarint)
	rec = appendVarint(rec, p.pkIdx)
	if r.ExplicitHashKey != "" {
		rec = appendKey(rec, fieldExplicitHashKeyIndex, wireVarint)
		rec = appendVarint(rec, p.ehkIdx)
	}
	// data is required, so it is written even when empty.
	rec = appendKey(rec, fieldData, wireBytes)
	rec = appendVarint(rec, uint64(len(r.Data)))
	rec = append(rec, r.Data...)
	for _, t := range r.Tags {
		rec = appendKey(rec, fieldTags, wireBytes)
		rec = appendVarint(rec, uint64(tagSize(t)))
		rec = appendStringField(rec, fieldTagKey, t.Key)
		if t.hasValue() {
			rec = appendStringField(rec, fieldTagValue, t.Value)
		}
	}
	b.records = rec

	if b.n == 0 {
		b.firstPK, b.firstEHK = r.PartitionKey, r.ExplicitHashKey
	}
	b.n++
}

// messageLen is the size of the AggregatedRecord message built so far.
func (b *builder) messageLen() int {
	return len(b.pkTable) + len(b.ehkTable) + len(b.records)
}

// bytes returns the aggregated record: magic, message, MD5 of the message.
func (b *builder) bytes() []byte {
	out := make([]byte, 0, overhead+b.messageLen())
	out = append(out, magic...)
	out = append(out, b.pkTable...)
	out = append(out, b.ehkTable...)
	out = append(out, b.records...)
	sum := md5.Sum(out[len(magic):])
	return append(out, sum[:]...)
}

// reset empties b, keeping its buffers for reuse.
func (b *builder) reset() {
	clear(b.pkIndex)
	clear(b.ehkIndex)
	b.pkTable = b.pkTable[:0]
	b.ehkTable = b.ehkTable[:0]
	b.records = b.records[:0]
	b.n = 0
	b.firstPK, b.firstEHK = "", ""
}
