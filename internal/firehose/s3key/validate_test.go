package s3key

import (
	"net/http"
	"strings"
	"testing"

	"github.com/freshet/freshet/internal/protocol/awserr"
)

func TestValidate(t *testing.T) {
	dp := ValidateOptions{DynamicPartitioning: true}
	tests := []struct {
		name        string
		prefix      string
		errorPrefix string
		opts        ValidateOptions
		wantMsg     string // "" = valid; otherwise a substring of the message
	}{
		// Valid.
		{"nothing set", "", "", ValidateOptions{}, ""},
		{"literal prefix only", "logs/", "", ValidateOptions{}, ""},
		{"literal prefix and literal error prefix", "logs/", "errors/", ValidateOptions{}, ""},
		{"docs: error prefix with error type", "", "myFirehoseFailures/!{firehose:error-output-type}/", ValidateOptions{}, ""},
		{"docs: random and timestamp",
			"myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}",
			"myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}", ValidateOptions{}, ""},
		{"docs: quoted pattern",
			"myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
			"myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}", ValidateOptions{}, ""},
		{"dynamic partitioning with query key",
			"customer_id=!{partitionKeyFromQuery:customer_id}/!{timestamp:yyyy}/", "errors/!{firehose:error-output-type}/", dp, ""},
		{"dynamic partitioning with lambda key", "d=!{partitionKeyFromLambda:device}/", "e/!{firehose:error-output-type}/", dp, ""},
		{"random string in error prefix", "", "!{firehose:random-string}/!{firehose:error-output-type}/", ValidateOptions{}, ""},

		// Invalid.
		{"docs: expressions without error prefix", "!{timestamp:yyyy/MM/dd}", "", ValidateOptions{},
			"ErrorOutputPrefix cannot be null or empty when Prefix contains expressions."},
		{"random string without error prefix", "r=!{firehose:random-string}/", "", ValidateOptions{},
			"ErrorOutputPrefix cannot be null or empty when Prefix contains expressions."},
		{"error type in prefix", "x/!{firehose:error-output-type}/", "e/!{firehose:error-output-type}/", ValidateOptions{},
			"Prefix can't contain !{firehose:error-output-type}"},
		{"error prefix expressions without error type", "", "e/!{timestamp:yyyy}/", ValidateOptions{},
			"must include at least one instance of !{firehose:error-output-type}"},
		{"unclosed expression", "logs/!{timestamp:yyyy", "", ValidateOptions{}, "the sequence !{ can only appear in !{namespace:value} expressions"},
		{"unclosed expression in error prefix", "", "e/!{firehose:error-output-type", ValidateOptions{}, "ErrorOutputPrefix is invalid"},
		{"no colon", "!{timestamp}/", "e/!{firehose:error-output-type}", ValidateOptions{}, "not of the form !{namespace:value}"},
		{"empty value", "!{timestamp:}/", "e/!{firehose:error-output-type}", ValidateOptions{}, "empty value"},
		{"unknown namespace", "!{foo:bar}/", "e/!{firehose:error-output-type}", ValidateOptions{}, `unknown namespace "foo"`},
		{"namespace is case sensitive", "!{Timestamp:yyyy}/", "e/!{firehose:error-output-type}", ValidateOptions{}, `unknown namespace "Timestamp"`},
		{"unknown firehose value", "!{firehose:uuid}/", "e/!{firehose:error-output-type}", ValidateOptions{}, `unknown value "uuid"`},
		{"bad timestamp letter", "!{timestamp:yyyy-bb}/", "e/!{firehose:error-output-type}", ValidateOptions{}, "unknown pattern letter: b"},
		{"unclosed quote in pattern", "!{timestamp:'year=yyyy}/", "e/!{firehose:error-output-type}", ValidateOptions{}, "incomplete string literal"},
		{"bad timestamp in error prefix", "", "e/!{firehose:error-output-type}/!{timestamp:dddd}", ValidateOptions{}, "too many pattern letters: d"},
		{"query key without dynamic partitioning", "c=!{partitionKeyFromQuery:c}/", "e/!{firehose:error-output-type}/", ValidateOptions{},
			"Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled."},
		{"lambda key without dynamic partitioning", "c=!{partitionKeyFromLambda:c}/", "e/!{firehose:error-output-type}/", ValidateOptions{},
			"Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled."},
		{"dynamic partitioning without keys", "!{timestamp:yyyy}/", "e/!{firehose:error-output-type}/", dp,
			"S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled."},
		{"dynamic partitioning with empty prefix", "", "e/!{firehose:error-output-type}/", dp,
			"S3 Prefix should contain Dynamic Partitioning namespaces"},
		{"dynamic partitioning without error prefix", "c=!{partitionKeyFromQuery:c}/", "", dp,
			"ErrorOutputPrefix cannot be null or empty when Prefix contains expressions."},
		{"partition key in error prefix", "c=!{partitionKeyFromQuery:c}/", "e/!{firehose:error-output-type}/!{partitionKeyFromQuery:c}/", dp,
			"can only be part of the Prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.prefix, tc.errorPrefix, tc.opts)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				// A valid pair also compiles.
				if _, err := Compile(tc.prefix); err != nil {
					t.Errorf("Compile(prefix): %v", err)
				}
				if _, err := CompileErrorPrefix(tc.prefix, tc.errorPrefix); err != nil {
					t.Errorf("CompileErrorPrefix: %v", err)
				}
				return
			}
			e, ok := awserr.As(err)
			if !ok {
				t.Fatalf("Validate: %v, want *awserr.Error", err)
			}
			if e.Code != "InvalidArgumentException" || e.Status != http.StatusBadRequest {
				t.Errorf("code %s status %d", e.Code, e.Status)
			}
			if !strings.Contains(e.Message, tc.wantMsg) {
				t.Errorf("message %q does not contain %q", e.Message, tc.wantMsg)
			}
		})
	}
}

func TestCompileRejectsWhatValidateRejects(t *testing.T) {
	for _, p := range []string{"!{timestamp:yyyy", "!{nope:x}", "!{timestamp:qq}", "!{firehose:}"} {
		_, err := Compile(p)
		e, ok := awserr.As(err)
		if !ok || e.Code != "InvalidArgumentException" {
			t.Errorf("Compile(%q) = %v, want InvalidArgumentException", p, err)
		}
	}
}
