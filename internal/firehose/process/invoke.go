package process

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// invoker calls a function synchronously. functionError is the
// X-Amz-Function-Error value ("" when the function succeeded); err is an
// Invoke API or transport error.
type invoker interface {
	invoke(ctx context.Context, function string, payload []byte) (resp []byte, functionError string, err error)
}

type sdkInvoker struct{ c *lambda.Client }

func newSDKInvoker(o Options) *sdkInvoker {
	creds := o.Credentials
	if creds == nil {
		creds = credentials.NewStaticCredentialsProvider("freshet", "freshet", "")
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	lo := lambda.Options{
		Region:      region,
		Credentials: creds,
		// Retries are the processor's NumberOfRetries, counted here.
		Retryer: aws.NopRetryer{},
	}
	if o.LambdaEndpoint != "" {
		lo.BaseEndpoint = aws.String(o.LambdaEndpoint)
	}
	if o.HTTPClient != nil {
		lo.HTTPClient = o.HTTPClient
	}
	return &sdkInvoker{c: lambda.New(lo)}
}

func (s *sdkInvoker) invoke(ctx context.Context, function string, payload []byte) ([]byte, string, error) {
	out, err := s.c.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(function),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil {
		return nil, "", err
	}
	return out.Payload, aws.ToString(out.FunctionError), nil
}

// invokeError maps an Invoke API error to the error output's code and
// message.
func invokeError(err error) (code, msg string) {
	var nf *types.ResourceNotFoundException
	var tm *types.TooManyRequestsException
	if errors.As(err, &nf) {
		return codeNotFound, msgNotFound
	}
	if errors.As(err, &tm) {
		return codeLimit, msgLimit
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if api.ErrorCode() == "AccessDeniedException" {
			return codeAccessDenied, msgAccessDenied
		}
		return codeInvokeFailed, fmt.Sprintf("The Lambda Invoke API returned %s.", api.ErrorCode())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return codeInvokeFailed, "The Lambda invocation timed out."
	}
	return codeInvokeFailed, "The Lambda function could not be invoked."
}
