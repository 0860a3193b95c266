package s3key

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
	"unicode/utf8"
)

// DefaultTimestamp is the timestamp pattern Firehose uses when a prefix has
// no !{timestamp:...} expression (and the whole prefix when none is set).
const DefaultTimestamp = "yyyy/MM/dd/HH/"

// MaxEvaluatedLength is the longest evaluated Prefix or ErrorOutputPrefix
// AWS allows, in characters.
const MaxEvaluatedLength = 512

// Errors from Template.Eval. They describe one object, not the stream's
// configuration, so they are plain errors: the caller routes the records to
// the error output (dynamic partitioning) or fails the delivery.
var (
	ErrTooLong             = errors.New("evaluated prefix is longer than 512 characters")
	ErrMissingPartitionKey = errors.New("partition key has no value")
	ErrNoErrorOutputType   = errors.New("prefix uses !{firehose:error-output-type} but no error output type was given")
)

// Input is what one object's prefix is evaluated with.
type Input struct {
	// Arrival is the approximate arrival time of the oldest record in the
	// object. Every !{timestamp:...} of one key uses this one instant.
	Arrival time.Time
	// Location is the stream's CustomTimeZone; nil means UTC.
	Location *time.Location
	// QueryKeys are the keys extracted by the MetadataExtraction (jq)
	// processor, for !{partitionKeyFromQuery:name}.
	QueryKeys map[string]string
	// LambdaKeys are the keys returned by the Lambda processor in
	// metadata.partitionKeys, for !{partitionKeyFromLambda:name}.
	LambdaKeys map[string]string
	// ErrorOutputType fills !{firehose:error-output-type}, e.g.
	// "processing-failed".
	ErrorOutputType string
	// Random returns the value of one !{firehose:random-string}; nil uses
	// RandomString. It is called once per occurrence.
	Random func() string
}

// Template is a compiled prefix, safe for concurrent use.
type Template struct {
	parts      []part
	userExprs  int
	queryKeys  []string
	lambdaKeys []string
	errorType  bool
}

// Compile compiles a Prefix for evaluation. It checks the syntax only;
// Validate applies the rules that relate Prefix and ErrorOutputPrefix.
//
// A Prefix without a !{timestamp:...} expression gets
// !{timestamp:yyyy/MM/dd/HH/} appended by plain concatenation: "" evaluates
// to "2026/07/13/14/", "logs/" to "logs/2026/07/13/14/" and "logs" to
// "logs2026/07/13/14/" (no slash is inserted; this is what real Firehose
// writes, floci-io/floci#1857).
//
// Ambiguity: the documentation appends the default when the Prefix has no
// *timestamp* expression; floci's resolver, checked against AWS, appends
// nothing when the prefix has *any* expression (for example only
// !{firehose:random-string}). Freshet follows the documentation.
func Compile(prefix string) (*Template, error) {
	return compile(prefix, "Prefix", func(p *parsed) bool { return p.timestamps == 0 })
}

// CompileErrorPrefix compiles the prefix failed records are written under.
//
// With an ErrorOutputPrefix, that is the ErrorOutputPrefix; the default
// timestamp is appended only when it has no expression at all. The
// documentation states the append rule for the Prefix field only, and its
// example evaluates "myFirehoseFailures/!{firehose:error-output-type}/" to
// "myFirehoseFailures/processing-failed/" with no time appended.
//
// Without one (valid only when Prefix has no expressions) it is
// <Prefix><error-output-type>/yyyy/MM/dd/HH/. The documentation's rule text
// omits the slash after the error type, but its example
// ("myFirehosePrefix/processing-failed/2018/08/27/") has it, as do the
// objects Firehose writes; Freshet writes the slash.
func CompileErrorPrefix(prefix, errorOutputPrefix string) (*Template, error) {
	if errorOutputPrefix != "" {
		return compile(errorOutputPrefix, "ErrorOutputPrefix", func(p *parsed) bool { return p.expressions == 0 })
	}
	expr := prefix + "!{" + nsFirehose + ":" + valErrorOutput + "}/!{" + nsTimestamp + ":" + DefaultTimestamp + "}"
	return compile(expr, "Prefix", func(*parsed) bool { return false })
}

func compile(prefix, field string, appendDefault func(*parsed) bool) (*Template, error) {
	p, err := parsePrefix(prefix, field)
	if err != nil {
		return nil, invalidArgument(err.Error())
	}
	t := &Template{parts: p.parts, userExprs: p.expressions}
	if appendDefault(p) {
		tf, err := compileTimeFormat(DefaultTimestamp)
		if err != nil {
			return nil, err
		}
		t.parts = append(t.parts, part{kind: partTimestamp, time: tf})
	}
	for _, pt := range t.parts {
		switch pt.kind {
		case partQueryKey:
			t.queryKeys = append(t.queryKeys, pt.text)
		case partLambdaKey:
			t.lambdaKeys = append(t.lambdaKeys, pt.text)
		case partErrorType:
			t.errorType = true
		}
	}
	return t, nil
}

// HasExpressions reports whether the prefix as written (before the default
// timestamp is appended) contains !{...} expressions.
func (t *Template) HasExpressions() bool { return t.userExprs > 0 }

// QueryKeys returns the names used in !{partitionKeyFromQuery:...}, in order.
func (t *Template) QueryKeys() []string { return t.queryKeys }

// LambdaKeys returns the names used in !{partitionKeyFromLambda:...}, in order.
func (t *Template) LambdaKeys() []string { return t.lambdaKeys }

// UsesErrorOutputType reports whether the template has
// !{firehose:error-output-type}.
func (t *Template) UsesErrorOutputType() bool { return t.errorType }

// Eval evaluates the template for one object.
func (t *Template) Eval(in Input) (string, error) {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	at := in.Arrival.In(loc)
	random := in.Random
	if random == nil {
		random = RandomString
	}
	b := make([]byte, 0, 64)
	for _, pt := range t.parts {
		switch pt.kind {
		case partLiteral:
			b = append(b, pt.text...)
		case partTimestamp:
			b = pt.time.appendTo(b, at)
		case partRandom:
			b = append(b, random()...)
		case partErrorType:
			if in.ErrorOutputType == "" {
				return "", ErrNoErrorOutputType
			}
			b = append(b, in.ErrorOutputType...)
		case partQueryKey:
			v, ok := in.QueryKeys[pt.text]
			if !ok {
				return "", fmt.Errorf("partitionKeyFromQuery:%s: %w", pt.text, ErrMissingPartitionKey)
			}
			b = append(b, v...)
		case partLambdaKey:
			v, ok := in.LambdaKeys[pt.text]
			if !ok {
				return "", fmt.Errorf("partitionKeyFromLambda:%s: %w", pt.text, ErrMissingPartitionKey)
			}
			b = append(b, v...)
		}
	}
	if utf8.RuneCount(b) > MaxEvaluatedLength {
		return "", fmt.Errorf("%w (%d)", ErrTooLong, utf8.RuneCount(b))
	}
	return string(b), nil
}

const hexDigits = "0123456789abcdef"

// RandomString returns a fresh value for !{firehose:random-string}: 11
// characters, 8 hex digits, a hyphen and 2 hex digits (AWS's example:
// 046b6c7f-0b).
func RandomString() string {
	v := rand.Uint64()
	var b [11]byte
	for i := 0; i < 11; i++ {
		if i == 8 {
			b[i] = '-'
			continue
		}
		b[i] = hexDigits[v&0xf]
		v >>= 4
	}
	return string(b[:])
}

// ObjectName returns the key suffix Firehose appends to the evaluated
// prefix: <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id><ext>. written is
// the time the object is written, shown in loc (the CustomTimeZone; nil
// means UTC). id is a UUID chosen by the caller, so a retried upload can
// reuse it and overwrite rather than duplicate. ext is the compression
// format's extension or the configured FileExtension.
func ObjectName(stream string, version int, written time.Time, loc *time.Location, id, ext string) string {
	if loc == nil {
		loc = time.UTC
	}
	t := written.In(loc)
	b := make([]byte, 0, len(stream)+len(id)+len(ext)+32)
	b = append(b, stream...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(version), 10)
	b = append(b, '-')
	b = appendInt(b, t.Year(), 4)
	for _, v := range [...]int{int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()} {
		b = append(b, '-')
		b = appendInt(b, v, 2)
	}
	b = append(b, '-')
	b = append(b, id...)
	b = append(b, ext...)
	return string(b)
}
