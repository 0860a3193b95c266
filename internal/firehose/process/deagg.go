package process

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"

	"github.com/freshet/freshet/internal/kpl"
)

// maxSubRecords is AWS's cap on RecordDeAggregation ("capped at 500 per
// record"); a record holding more is passed on whole.
const maxSubRecords = 500

// subID is the ID of the i-th sub-record of the record with ID parent.
func subID(parent string, i int) string {
	return parent + ":" + strconv.Itoa(i)
}

// deaggregateKPL replaces each KPL aggregated record read from a Kinesis
// stream by its user records, as the KCL sees them. A malformed aggregate
// is passed on as is (the safe default kpl documents). Records that did
// not come from a Kinesis stream are never touched: Direct PUT data is
// opaque.
func deaggregateKPL(in []Record) []Record {
	n := 0
	for i := range in {
		if in[i].Kinesis != nil && kpl.IsAggregated(in[i].Data) {
			n++
		}
	}
	if n == 0 {
		return in
	}
	out := make([]Record, 0, len(in)+n*4)
	for _, r := range in {
		if r.Kinesis == nil || !kpl.IsAggregated(r.Data) {
			out = append(out, r)
			continue
		}
		users, err := kpl.Deaggregate(r.Data)
		if err != nil {
			out = append(out, r)
			continue
		}
		for i, u := range users {
			s := r
			s.ID = subID(r.ID, i)
			s.Data = u.Data
			md := *r.Kinesis
			md.PartitionKey = u.PartitionKey
			md.SubsequenceNumber = int64(i)
			s.Kinesis = &md
			out = append(out, s)
		}
	}
	return out
}

// deaggregate applies RecordDeAggregation.
func (p *Pipeline) deaggregate(in []Record) []Record {
	out := make([]Record, 0, len(in))
	for _, r := range in {
		var parts [][]byte
		if p.cfg.deagg == "JSON" {
			parts = splitJSON(r.Data)
		} else {
			parts = splitDelimited(r.Data, p.cfg.deaggDelim)
		}
		if parts == nil {
			out = append(out, r)
			continue
		}
		for i, d := range parts {
			s := r
			s.ID = subID(r.ID, i)
			s.Data = d
			out = append(out, s)
		}
	}
	return out
}

// splitJSON splits concatenated or newline-delimited JSON objects
// ({"a":1}{"a":2} or {"a":1}\n{"a":2}). It returns nil, meaning "keep
// the record whole", if the data is not such a sequence (an array, a
// scalar, invalid JSON) or holds more than maxSubRecords objects.
func splitJSON(data []byte) [][]byte {
	dec := json.NewDecoder(bytes.NewReader(data))
	var parts [][]byte
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		if err != nil || len(raw) == 0 || raw[0] != '{' || len(parts) == maxSubRecords {
			return nil
		}
		parts = append(parts, []byte(raw))
	}
	if len(parts) == 0 {
		return nil
	}
	return parts
}

// splitDelimited splits data at each delimiter; empty pieces (a trailing
// delimiter) are left out. It returns nil if there would be more than
// maxSubRecords pieces or none.
func splitDelimited(data, delim []byte) [][]byte {
	var parts [][]byte
	for len(data) > 0 {
		i := bytes.Index(data, delim)
		piece := data
		if i >= 0 {
			piece, data = data[:i], data[i+len(delim):]
		} else {
			data = nil
		}
		if len(piece) == 0 {
			continue
		}
		if len(parts) == maxSubRecords {
			return nil
		}
		parts = append(parts, piece)
	}
	return parts
}
