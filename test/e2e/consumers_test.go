package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestStreamConsumers(t *testing.T) {
	c, _, _ := startServer(t, serverOpts{stateDelay: 200 * time.Millisecond})
	createActive(t, c, "efo", 1)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/efo")

	reg := must(c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app-1")}))
	cons := reg.Consumer
	if cons.ConsumerStatus != types.ConsumerStatusCreating || !strings.HasPrefix(*cons.ConsumerARN, *arn+"/consumer/app-1:") {
		t.Fatalf("registered: %+v", cons)
	}
	_, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app-1")})
	apiErr(t, err, "ResourceInUseException", "")
	time.Sleep(250 * time.Millisecond) // the state delay
	d := must(c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app-1")}))
	if d.ConsumerDescription.ConsumerStatus != types.ConsumerStatusActive || *d.ConsumerDescription.StreamARN != *arn || *d.ConsumerDescription.ConsumerARN != *cons.ConsumerARN {
		t.Fatalf("describe: %+v", d.ConsumerDescription)
	}
	for i := 2; i <= 5; i++ {
		must(c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String(fmt.Sprintf("app-%d", i))}))
	}
	var names []string
	in := &kinesis.ListStreamConsumersInput{StreamARN: arn, MaxResults: aws.Int32(2)}
	for {
		page := must(c.ListStreamConsumers(ctx, in))
		for _, c := range page.Consumers {
			names = append(names, *c.ConsumerName)
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if fmt.Sprint(names) != "[app-1 app-2 app-3 app-4 app-5]" {
		t.Fatalf("listed %v", names)
	}
	s := must(c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn}))
	if *s.StreamDescriptionSummary.ConsumerCount != 5 {
		t.Fatalf("ConsumerCount %d", *s.StreamDescriptionSummary.ConsumerCount)
	}

	must(c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: cons.ConsumerARN}))
	d = must(c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: cons.ConsumerARN}))
	if d.ConsumerDescription.ConsumerStatus != types.ConsumerStatusDeleting {
		t.Fatalf("after deregister: %s", d.ConsumerDescription.ConsumerStatus)
	}
	time.Sleep(250 * time.Millisecond)
	_, err = c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: cons.ConsumerARN})
	apiErr(t, err, "ResourceNotFoundException", "Consumer app-1 under stream efo under account 000000000000 not found.")

	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("efo")})
	apiErr(t, err, "ResourceInUseException", "")
	must(c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("efo"), EnforceConsumerDeletion: aws.Bool(true)}))
}
