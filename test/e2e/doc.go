// Package e2e drives Freshet end to end with real clients: aws-sdk-go-v2
// in-process against app.Start, and the aws CLI, boto3 scripts and a
// kill -9 crash test against a built freshet binary.
package e2e
