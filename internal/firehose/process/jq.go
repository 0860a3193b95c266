package process

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/itchyny/gojq"

	"github.com/freshet/freshet/internal/firehose/dest"
)

// compileQuery compiles a MetadataExtractionQuery once.
func compileQuery(q string) (*gojq.Code, error) {
	parsed, err := gojq.Parse(q)
	if err != nil {
		return nil, invalid("MetadataExtractionQuery is not a valid JQ expression: %v", err)
	}
	code, err := gojq.Compile(parsed)
	if err != nil {
		return nil, invalid("MetadataExtractionQuery is not a valid JQ expression: %v", err)
	}
	return code, nil
}

// extract runs the query over each record; a record it cannot get keys
// from goes to the error output (partitioning-failed).
func (p *Pipeline) extract(in []Record) ([]Record, []dest.Failure) {
	out := in[:0:0]
	var failed []dest.Failure
	for _, r := range in {
		keys, msg := p.keysOf(r.Data)
		if msg != "" {
			failed = append(failed, p.plainFailure(r, codeMetadata, msg))
			continue
		}
		r.QueryKeys = keys
		out = append(out, r)
	}
	return out, failed
}

// keysOf evaluates the query on one record. msg is the error message
// when it fails.
func (p *Pipeline) keysOf(data []byte) (keys map[string]string, msg string) {
	v, ok := parseOne(data)
	if !ok {
		return nil, msgNonJSON
	}
	iter := p.query.Run(v)
	res, ok := iter.Next()
	if !ok {
		return nil, "The JQ query returned no result"
	}
	if err, isErr := res.(error); isErr {
		return nil, "Failed to evaluate the JQ query: " + err.Error()
	}
	obj, isObj := res.(map[string]any)
	if !isObj {
		return nil, "The JQ query must return a JSON object"
	}
	keys = make(map[string]string, len(obj))
	for k, val := range obj {
		s, ok := render(val)
		if !ok {
			return nil, fmt.Sprintf("The partition key %s evaluated to null", k)
		}
		keys[k] = s
	}
	return keys, ""
}

// parseOne parses data as exactly one JSON value, with numbers as
// float64 like jq 1.6.
func parseOne(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// render turns a jq value into a partition key the way jq -r prints it:
// strings raw, integral numbers without a fraction, other values as
// compact JSON. null (a missing field) is not a key.
func render(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		return formatNumber(x), true
	default:
		b, err := gojq.Marshal(x)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
}

// formatNumber prints a number like jq 1.6: integers in plain digits up
// to 1e17, the shortest representation otherwise.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e17 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
