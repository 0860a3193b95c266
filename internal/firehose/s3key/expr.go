package s3key

import (
	"fmt"
	"strings"
)

// Namespaces and values of !{namespace:value} expressions.
const (
	nsTimestamp    = "timestamp"
	nsFirehose     = "firehose"
	nsQuery        = "partitionKeyFromQuery"
	nsLambda       = "partitionKeyFromLambda"
	valRandom      = "random-string"
	valErrorOutput = "error-output-type"
)

type partKind uint8

const (
	partLiteral partKind = iota
	partTimestamp
	partRandom
	partErrorType
	partQueryKey
	partLambdaKey
)

// part is one piece of a prefix: literal text or one expression.
type part struct {
	kind partKind
	text string     // literal text, or the partition key name
	time timeFormat // for partTimestamp
}

// parsed is a prefix split into parts, with what Validate needs to know.
type parsed struct {
	parts        []part
	expressions  int // how many !{...} the user wrote
	timestamps   int
	errorTypes   int
	partitionKey int // partitionKeyFromQuery + partitionKeyFromLambda
}

// parseError is a prefix AWS would refuse; the message is the one returned
// in the InvalidArgumentException.
type parseError struct{ msg string }

func (e *parseError) Error() string { return e.msg }

// parsePrefix splits s at its !{namespace:value} expressions. An expression
// ends at the first '}' after "!{" (Java's pattern language keeps braces
// reserved, so a timestamp pattern never needs one). field names the input
// in messages ("Prefix" or "ErrorOutputPrefix").
func parsePrefix(s, field string) (*parsed, error) {
	p := &parsed{}
	for len(s) > 0 {
		i := strings.Index(s, "!{")
		if i < 0 {
			p.parts = append(p.parts, part{kind: partLiteral, text: s})
			break
		}
		if i > 0 {
			p.parts = append(p.parts, part{kind: partLiteral, text: s[:i]})
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return nil, &parseError{fmt.Sprintf("%s is invalid: the sequence !{ can only appear in !{namespace:value} expressions.", field)}
		}
		body := s[i+2 : i+2+end]
		s = s[i+2+end+1:]
		pt, err := parseExpression(body, field)
		if err != nil {
			return nil, err
		}
		p.expressions++
		switch pt.kind {
		case partTimestamp:
			p.timestamps++
		case partErrorType:
			p.errorTypes++
		case partQueryKey, partLambdaKey:
			p.partitionKey++
		}
		p.parts = append(p.parts, pt)
	}
	return p, nil
}

func parseExpression(body, field string) (part, error) {
	ns, val, ok := strings.Cut(body, ":")
	if !ok || ns == "" {
		return part{}, &parseError{fmt.Sprintf("%s is invalid: expression !{%s} is not of the form !{namespace:value}.", field, body)}
	}
	if val == "" {
		return part{}, &parseError{fmt.Sprintf("%s is invalid: expression !{%s} has an empty value.", field, body)}
	}
	switch ns {
	case nsTimestamp:
		tf, err := compileTimeFormat(val)
		if err != nil {
			return part{}, &parseError{fmt.Sprintf("%s is invalid: !{%s}: %v.", field, body, err)}
		}
		return part{kind: partTimestamp, time: tf}, nil
	case nsFirehose:
		switch val {
		case valRandom:
			return part{kind: partRandom}, nil
		case valErrorOutput:
			return part{kind: partErrorType}, nil
		}
		return part{}, &parseError{fmt.Sprintf("%s is invalid: unknown value %q in the firehose namespace; expected random-string or error-output-type.", field, val)}
	case nsQuery:
		return part{kind: partQueryKey, text: val}, nil
	case nsLambda:
		return part{kind: partLambdaKey, text: val}, nil
	}
	return part{}, &parseError{fmt.Sprintf("%s is invalid: unknown namespace %q; expected timestamp, firehose, partitionKeyFromQuery or partitionKeyFromLambda.", field, ns)}
}
