package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/gzip"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/uncompressed"
)

// Record is one record to convert.
type Record struct {
	// ID is stable across retries (see dest.Record.ID).
	ID   string
	Data []byte
	// ArrivalMs is the approximate arrival time, milliseconds since epoch.
	ArrivalMs int64
	// SequenceNumber and SubSequenceNumber are set for records read from a
	// Kinesis data stream; they go into the error output.
	SequenceNumber, SubSequenceNumber string
}

// Error codes of the format-conversion-failed error output.
const (
	CodeParseError    = "DataFormatConversion.ParseError"
	CodeMalformedData = "DataFormatConversion.MalformedData"
)

// Converter turns batches of JSON records into Parquet files. It is safe for
// concurrent use: Convert keeps its state on the stack.
type Converter struct {
	cols   []*node
	schema *parquet.Schema
	leaves int

	openX           bool
	caseInsensitive bool
	dotsToUnder     bool
	// keys maps a column's lowercased name to the JSON key it reads
	// (ColumnToJsonKeyMappings), already normalised.
	keys        map[string]string
	hiveFormats []*jodaFormat

	options   []parquet.WriterOption
	blockSize int64
	table     catalogTable
	now       func() time.Time
}

type catalogTable struct {
	CatalogID    string `json:"catalogId"`
	DatabaseName string `json:"databaseName"`
	TableName    string `json:"tableName"`
	Region       string `json:"region"`
	VersionID    string `json:"versionId"`
	CatalogArn   string `json:"catalogArn"`
}

func invalid(format string, args ...any) *awserr.Error {
	return awserr.Newf("InvalidArgumentException", format, args...)
}

// New validates the configuration and the table's columns and returns a
// Converter. Errors are *awserr.Error with code InvalidArgumentException.
func New(cols []Column, cfg *firehoseapi.DataFormatConversionConfiguration) (*Converter, error) {
	if cfg == nil {
		return nil, invalid("DataFormatConversionConfiguration must not be null")
	}
	if cfg.InputFormatConfiguration == nil {
		return nil, invalid("InputFormatConfiguration must not be null")
	}
	if cfg.OutputFormatConfiguration == nil {
		return nil, invalid("OutputFormatConfiguration must not be null")
	}
	if cfg.SchemaConfiguration == nil {
		return nil, invalid("SchemaConfiguration must not be null")
	}
	de := cfg.InputFormatConfiguration.Deserializer
	if de == nil || (de.OpenXJsonSerDe == nil && de.HiveJsonSerDe == nil) {
		return nil, invalid("Deserializer must not be null")
	}
	if de.OpenXJsonSerDe != nil && de.HiveJsonSerDe != nil {
		return nil, invalid("More than one deserializer specified. Only one may be chosen.")
	}
	se := cfg.OutputFormatConfiguration.Serializer
	if se == nil || (se.ParquetSerDe == nil && se.OrcSerDe == nil) {
		return nil, invalid("Serializer must not be null")
	}
	if se.ParquetSerDe != nil && se.OrcSerDe != nil {
		return nil, invalid("More than one serializer specified. Only one may be chosen.")
	}
	if se.OrcSerDe != nil {
		return nil, invalid("OrcSerDe is not supported yet: Freshet converts records to Parquet only, ORC output is not supported yet.")
	}
	if len(cols) == 0 {
		return nil, invalid("The Glue table has no columns to convert records to.")
	}
	c := &Converter{now: time.Now, caseInsensitive: true, keys: map[string]string{}}
	if err := c.deserializer(de); err != nil {
		return nil, err
	}
	if err := c.buildSchema(cols, se.ParquetSerDe); err != nil {
		return nil, err
	}
	c.table = tableOf(cfg.SchemaConfiguration)
	return c, nil
}

func (c *Converter) deserializer(de *firehoseapi.Deserializer) error {
	if o := de.OpenXJsonSerDe; o != nil {
		c.openX = true
		if o.CaseInsensitive != nil {
			c.caseInsensitive = *o.CaseInsensitive
		}
		c.dotsToUnder = o.ConvertDotsInJsonKeysToUnderscores != nil && *o.ConvertDotsInJsonKeysToUnderscores
		for col, key := range o.ColumnToJsonKeyMappings {
			c.keys[strings.ToLower(col)] = c.normalize(key)
		}
		return nil
	}
	for _, f := range de.HiveJsonSerDe.TimestampFormats {
		jf, err := parseJoda(f)
		if err != nil {
			return invalid("Invalid HiveJsonSerDe TimestampFormats: %s", err)
		}
		c.hiveFormats = append(c.hiveFormats, jf)
	}
	return nil
}

func (c *Converter) buildSchema(cols []Column, ps *firehoseapi.ParquetSerDe) error {
	b := &schemaBuilder{dictionary: true}
	if ps.EnableDictionaryCompression != nil {
		b.dictionary = *ps.EnableDictionaryCompression
	}
	root := make(orderedGroup, 0, len(cols))
	seen := map[string]bool{}
	for _, col := range cols {
		name := strings.TrimSpace(col.Name)
		if name == "" {
			return invalid("A Glue column has an empty name.")
		}
		if seen[strings.ToLower(name)] {
			return invalid("The Glue table has the column %q twice.", name)
		}
		seen[strings.ToLower(name)] = true
		t, err := parseType(col.Type)
		if err != nil {
			return invalid("Column %q has a type Firehose cannot convert to: %s", name, err)
		}
		pn, n := b.build(name, t, 0, 0, false)
		root = append(root, namedField{Node: pn, name: name})
		c.cols = append(c.cols, n)
	}
	c.leaves = b.leaves
	c.schema = parquet.NewSchema("hive_schema", root)

	codec, err := codecOf(ps.Compression)
	if err != nil {
		return err
	}
	version := 1
	if ps.WriterVersion != nil {
		switch *ps.WriterVersion {
		case "V1":
		case "V2":
			version = 2
		default:
			return invalid("Invalid WriterVersion %q: valid values are V1 and V2.", *ps.WriterVersion)
		}
	}
	pageSize := int64(1 << 20)
	if ps.PageSizeBytes != nil {
		pageSize = *ps.PageSizeBytes
	}
	c.blockSize = 256 << 20
	if ps.BlockSizeBytes != nil {
		c.blockSize = *ps.BlockSizeBytes
	}
	if pageSize < 1 || c.blockSize < 1 {
		return invalid("PageSizeBytes and BlockSizeBytes must be positive.")
	}
	c.options = []parquet.WriterOption{
		c.schema,
		parquet.Compression(codec),
		parquet.PageBufferSize(int(min(pageSize, 1<<30))),
		parquet.DataPageVersion(version),
		parquet.CreatedBy("freshet", "firehose", ""),
	}
	return nil
}

func tableOf(s *firehoseapi.SchemaConfiguration) catalogTable {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	t := catalogTable{
		CatalogID:    str(s.CatalogId),
		DatabaseName: str(s.DatabaseName),
		TableName:    str(s.TableName),
		Region:       str(s.Region),
		VersionID:    str(s.VersionId),
	}
	if t.VersionID == "" {
		t.VersionID = "LATEST"
	}
	if t.Region != "" && t.CatalogID != "" {
		t.CatalogArn = "arn:aws:glue:" + t.Region + ":" + t.CatalogID + ":catalog"
	}
	return t
}

// SetTable fills the dataCatalogTable of error lines with the account and
// region the stream lives in, where SchemaConfiguration left them out.
func (c *Converter) SetTable(accountID, region string) {
	if c.table.CatalogID == "" {
		c.table.CatalogID = accountID
	}
	if c.table.Region == "" {
		c.table.Region = region
	}
	if c.table.CatalogID != "" && c.table.Region != "" {
		c.table.CatalogArn = "arn:aws:glue:" + c.table.Region + ":" + c.table.CatalogID + ":catalog"
	}
}

// normalize is how a JSON key is matched: lowercased when case-insensitive,
// dots turned into underscores when asked.
func (c *Converter) normalize(key string) string {
	if c.dotsToUnder {
		key = strings.ReplaceAll(key, ".", "_")
	}
	if c.caseInsensitive {
		key = strings.ToLower(key)
	}
	return key
}

// recordError is why one record failed.
type recordError struct {
	code, msg string
}

// documents splits a record into its JSON objects.
func documents(data []byte) ([]map[string]any, *recordError) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &recordError{CodeMalformedData, "The record was empty or contained only whitespace."}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var docs []map[string]any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, &recordError{CodeParseError, "Encountered malformed JSON. " + err.Error()}
		}
		obj, ok := v.(map[string]any)
		if !ok {
			if _, isArray := v.([]any); isArray {
				return nil, &recordError{CodeMalformedData, "Data does not match the schema. A JSON array is not a valid record: send one JSON object, or several concatenated."}
			}
			return nil, &recordError{CodeMalformedData, "The input JSON contained a primitive at the top level. The top level must be an object."}
		}
		docs = append(docs, obj)
	}
}

// lookup finds a struct field's JSON value. m is the object; index is its
// normalised key map, built on first need.
func (c *Converter) lookup(obj map[string]any, index *map[string]any, key string) any {
	if v, ok := obj[key]; ok {
		return v
	}
	if !c.caseInsensitive && !c.dotsToUnder {
		return nil
	}
	if *index == nil {
		*index = make(map[string]any, len(obj))
		for k, v := range obj {
			(*index)[c.normalize(k)] = v
		}
	}
	return (*index)[key]
}

// shredder appends one row's values per leaf column.
type shredder struct {
	c    *Converter
	cols [][]parquet.Value
	size int64
}

func (s *shredder) null(n *node, rep, def int) {
	for leaf := n.first; leaf < n.last; leaf++ {
		s.cols[leaf] = append(s.cols[leaf], parquet.Value{}.Level(rep, def, leaf))
	}
}

// emit writes v under n; rep is the repetition level of the value and
// parentDef the definition level reached by its parent.
func (s *shredder) emit(n *node, v any, rep, parentDef int) error {
	if v == nil {
		s.null(n, rep, parentDef)
		return nil
	}
	switch n.typ.kind {
	case kStruct:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatchf("column %q (struct) cannot take a JSON %s", n.name, jsonKind(v))
		}
		var index map[string]any
		for _, f := range n.children {
			if err := s.emit(f, s.c.lookup(obj, &index, s.c.normalize(f.name)), rep, n.def); err != nil {
				return err
			}
		}
		return nil
	case kArray:
		arr, ok := v.([]any)
		if !ok {
			return mismatchf("column %q (array) cannot take a JSON %s", n.name, jsonKind(v))
		}
		if len(arr) == 0 {
			s.null(n, rep, n.def)
			return nil
		}
		for i, e := range arr {
			r := rep
			if i > 0 {
				r = n.rep
			}
			if err := s.emit(n.children[0], e, r, n.def+1); err != nil {
				return err
			}
		}
		return nil
	case kMap:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatchf("column %q (map) cannot take a JSON %s", n.name, jsonKind(v))
		}
		if len(obj) == 0 {
			s.null(n, rep, n.def)
			return nil
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			r := rep
			if i > 0 {
				r = n.rep
			}
			kv := mapKey(n.children[0].typ, k)
			if err := s.emit(n.children[0], kv, r, n.def+1); err != nil {
				return err
			}
			if err := s.emit(n.children[1], obj[k], r, n.def+1); err != nil {
				return err
			}
		}
		return nil
	}
	pv, err := s.c.primitive(n, v)
	if err != nil {
		return err
	}
	if pv.IsNull() {
		s.null(n, rep, parentDef)
		return nil
	}
	s.size += valueSize(pv)
	s.cols[n.leaf] = append(s.cols[n.leaf], pv.Level(rep, n.def, n.leaf))
	return nil
}

// row shreds one JSON object into a Parquet row.
func (s *shredder) row(obj map[string]any) (parquet.Row, error) {
	for i := range s.cols {
		s.cols[i] = s.cols[i][:0]
	}
	var index map[string]any
	for _, n := range s.c.cols {
		key, ok := s.c.keys[n.match]
		if !ok {
			key = s.c.normalize(n.name)
		}
		if err := s.emit(n, s.c.lookup(obj, &index, key), 0, 0); err != nil {
			return nil, err
		}
	}
	total := 0
	for _, col := range s.cols {
		total += len(col)
	}
	row := make(parquet.Row, 0, total)
	for _, col := range s.cols {
		row = append(row, col...)
	}
	return row, nil
}

// Convert converts a batch. out is one Parquet file holding every row of
// every record that converted (nil when none did); failed holds the records
// that did not, each with its format-conversion-failed error line. err is
// set only when writing the file itself failed.
func (c *Converter) Convert(recs []Record) (out []byte, failed []dest.Failure, err error) {
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, c.options...)
	s := &shredder{c: c, cols: make([][]parquet.Value, c.leaves)}
	var pending []parquet.Row
	rows := 0
	var groupBytes int64
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if _, err := w.WriteRows(pending); err != nil {
			return fmt.Errorf("write parquet rows: %w", err)
		}
		pending = pending[:0]
		return nil
	}
	for _, r := range recs {
		docs, rerr := documents(r.Data)
		var recRows []parquet.Row
		size0 := s.size
		for _, d := range docs {
			if rerr != nil {
				break
			}
			row, err := s.row(d)
			if err != nil {
				rerr = &recordError{CodeMalformedData, "Data does not match the schema. " + err.Error()}
				break
			}
			recRows = append(recRows, row)
		}
		if rerr == nil && len(recRows) == 0 {
			rerr = &recordError{CodeMalformedData, "The record was empty or contained only whitespace."}
		}
		if rerr != nil {
			s.size = size0
			failed = append(failed, c.failure(r, rerr))
			continue
		}
		pending = append(pending, recRows...)
		rows += len(recRows)
		groupBytes += s.size - size0
		if len(pending) >= 1024 {
			if err := flush(); err != nil {
				return nil, nil, err
			}
		}
		if groupBytes >= c.blockSize {
			if err := flush(); err != nil {
				return nil, nil, err
			}
			if err := w.Flush(); err != nil {
				return nil, nil, fmt.Errorf("flush parquet row group: %w", err)
			}
			groupBytes = 0
		}
	}
	if rows == 0 {
		return nil, failed, nil
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	if err := w.Close(); err != nil {
		return nil, nil, fmt.Errorf("close parquet writer: %w", err)
	}
	return buf.Bytes(), failed, nil
}

// mapKey is a JSON object key as the value a map's key column reads:
// numeric keys as numbers, the rest as strings.
func mapKey(t *hiveType, k string) any {
	switch t.kind {
	case kTinyint, kSmallint, kInt, kBigint, kFloat, kDouble, kDecimal:
		return json.Number(k)
	}
	return k
}

// codecOf is ParquetSerDe.Compression: SNAPPY (the default), GZIP or
// UNCOMPRESSED.
func codecOf(name *string) (compress.Codec, error) {
	if name == nil {
		return &snappy.Codec{}, nil
	}
	switch *name {
	case "SNAPPY":
		return &snappy.Codec{}, nil
	case "GZIP":
		return &gzip.Codec{}, nil
	case "UNCOMPRESSED":
		return &uncompressed.Codec{}, nil
	}
	return nil, invalid("Invalid ParquetSerDe Compression %q: valid values are SNAPPY, GZIP and UNCOMPRESSED.", *name)
}

// valueSize estimates a value's bytes for row group sizing.
func valueSize(v parquet.Value) int64 {
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return int64(4 + len(v.ByteArray()))
	case parquet.Int96:
		return 12
	}
	return 8
}
