package s3key

import (
	"github.com/freshet/freshet/internal/protocol/awserr"
)

// ValidateOptions carries the parts of the destination configuration the
// prefix rules depend on.
type ValidateOptions struct {
	// DynamicPartitioning is DynamicPartitioningConfiguration.Enabled.
	DynamicPartitioning bool
}

// Messages. Those marked "AWS" are the wording real Firehose answers with
// (seen in user reports); the others follow the documentation's rule text
// ("Semantic rules" of "Custom Prefixes for Amazon S3 Objects").
const (
	// AWS.
	msgErrorPrefixRequired = "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions."
	// AWS.
	msgPartitionNotEnabled = "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled."
	// AWS.
	msgPartitionMissing = "S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled."

	msgErrorTypeInPrefix   = "Prefix can't contain !{firehose:error-output-type}; it can only be used in ErrorOutputPrefix."
	msgErrorTypeRequired   = "ErrorOutputPrefix must include at least one instance of !{firehose:error-output-type} when it contains expressions."
	msgPartitionInErrorOut = "Dynamic Partitioning Namespaces can only be part of the Prefix, not of the ErrorOutputPrefix."
)

func invalidArgument(msg string) *awserr.Error {
	return awserr.New("InvalidArgumentException", msg)
}

// Validate applies Firehose's create-time rules to a destination's Prefix
// and ErrorOutputPrefix ("" means not set) and returns an
// InvalidArgumentException (*awserr.Error) for the first rule broken:
//
//   - !{ only inside !{namespace:value}; the namespace is timestamp,
//     firehose (random-string, error-output-type), partitionKeyFromQuery or
//     partitionKeyFromLambda; timestamp patterns must be valid;
//   - Prefix may not contain !{firehose:error-output-type};
//   - a Prefix with expressions needs an ErrorOutputPrefix;
//   - an ErrorOutputPrefix with expressions must contain
//     !{firehose:error-output-type};
//   - partition-key namespaces only in Prefix and only with dynamic
//     partitioning, which in turn needs at least one of them in Prefix.
//
// The 512-character limit applies to evaluated prefixes (Template.Eval);
// the model's 1024-character limit on the raw fields is the API layer's.
func Validate(prefix, errorPrefix string, opts ValidateOptions) error {
	p, err := parsePrefix(prefix, "Prefix")
	if err != nil {
		return invalidArgument(err.Error())
	}
	e, err := parsePrefix(errorPrefix, "ErrorOutputPrefix")
	if err != nil {
		return invalidArgument(err.Error())
	}
	if p.errorTypes > 0 {
		return invalidArgument(msgErrorTypeInPrefix)
	}
	if p.partitionKey > 0 && !opts.DynamicPartitioning {
		return invalidArgument(msgPartitionNotEnabled)
	}
	if e.partitionKey > 0 {
		if !opts.DynamicPartitioning {
			return invalidArgument(msgPartitionNotEnabled)
		}
		return invalidArgument(msgPartitionInErrorOut)
	}
	if opts.DynamicPartitioning && p.partitionKey == 0 {
		return invalidArgument(msgPartitionMissing)
	}
	if p.expressions > 0 && errorPrefix == "" {
		return invalidArgument(msgErrorPrefixRequired)
	}
	if e.expressions > 0 && e.errorTypes == 0 {
		return invalidArgument(msgErrorTypeRequired)
	}
	return nil
}
