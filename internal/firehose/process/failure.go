package process

import (
	"bytes"
	"encoding/base64"
	"encoding/json"

	"github.com/freshet/freshet/internal/firehose/dest"
)

// Error output types (the !{firehose:error-output-type} values).
const (
	OutputProcessingFailed    = "processing-failed"
	OutputPartitioningFailed  = "partitioning-failed"
	OutputDecompressionFailed = "decompression-failed"
)

// Error codes and messages written to the error output. The Lambda ones
// are from the CloudWatch Logs error table of the Firehose guide; the
// ProcessingFailed one is what AWS writes for a record the function
// marked ProcessingFailed.
const (
	codeFunctionError  = "Lambda.FunctionError"
	msgFunctionError   = "The Lambda function was successfully invoked but it returned an error result."
	codeJSON           = "Lambda.JsonProcessingException"
	msgJSON            = "There was an error parsing returned records from the Lambda function. Ensure that the returned records follow the status model required by Firehose."
	codeMissingID      = "Lambda.MissingRecordId"
	msgMissingID       = "One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids."
	codeDuplicatedID   = "Lambda.DuplicatedRecordId"
	msgDuplicatedID    = "Multiple records were returned with the same record Id. Ensure that the Lambda function returns a unique record Id for each record."
	codeFailedStatus   = "Lambda.ProcessingFailedStatus"
	msgFailedStatus    = "ProcessingFailed status set for record"
	codeNotFound       = "Lambda.ResourceNotFound"
	msgNotFound        = "The specified Lambda function does not exist. Use a different function that does exist."
	codeLimit          = "Lambda.InvokeLimitExceeded"
	msgLimit           = "The Lambda concurrent execution limit is exceeded. Increase the concurrent execution limit."
	codeAccessDenied   = "Lambda.InvokeAccessDenied"
	msgAccessDenied    = "Access was denied. Ensure that the access policy allows access to the Lambda function."
	codeInvokeFailed   = "Lambda.InvokeFailed"
	codeMetadata       = "DynamicPartitioning.MetadataExtractionFailed"
	msgNonJSON         = "Non JSON record provided"
	codeDecompression  = "Decompression.Failed"
	codeCWLogs         = "CloudWatchLogProcessing.Failed"
	partitioningPrefix = `"errorCode":"DynamicPartitioning.`
	decompressionCode  = `"errorCode":"Decompression.`
)

// ErrorOutputType returns the !{firehose:error-output-type} a failure
// from Process goes under: "partitioning-failed" for dynamic partitioning
// (jq) failures, "decompression-failed" for records that did not
// decompress, "processing-failed" for the rest.
func ErrorOutputType(f dest.Failure) string {
	if bytes.Contains(f.Line, []byte(partitioningPrefix)) {
		return OutputPartitioningFailed
	}
	if bytes.Contains(f.Line, []byte(decompressionCode)) {
		return OutputDecompressionFailed
	}
	return OutputProcessingFailed
}

// lambdaLine is the processing-failed record. The member order and the
// lambdaARN spelling are what the service writes (the guide lists the
// same members as attemptsMade, arrivalTimestamp, errorCode,
// errorMessage, attemptEndingTimestamp, rawData, lambdaArn).
type lambdaLine struct {
	RawData                string `json:"rawData"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	LambdaARN              string `json:"lambdaARN"`
}

// plainLine is the error record of the other processors, in the guide's
// common layout.
type plainLine struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	RawData                string `json:"rawData"`
}

func (p *Pipeline) lambdaFailure(r Record, code, msg string, attempts int) dest.Failure {
	line, _ := json.Marshal(lambdaLine{
		RawData:                base64.StdEncoding.EncodeToString(r.Data),
		ErrorCode:              code,
		ErrorMessage:           msg,
		AttemptsMade:           attempts,
		ArrivalTimestamp:       r.ArrivalMs,
		AttemptEndingTimestamp: p.opts.Now().UnixMilli(),
		LambdaARN:              p.cfg.lambda.arn,
	})
	return dest.Failure{Record: r.Record, Line: line}
}

func (p *Pipeline) plainFailure(r Record, code, msg string) dest.Failure {
	line, _ := json.Marshal(plainLine{
		AttemptsMade:           1,
		ArrivalTimestamp:       r.ArrivalMs,
		ErrorCode:              code,
		ErrorMessage:           msg,
		AttemptEndingTimestamp: p.opts.Now().UnixMilli(),
		RawData:                base64.StdEncoding.EncodeToString(r.Data),
	})
	return dest.Failure{Record: r.Record, Line: line}
}
