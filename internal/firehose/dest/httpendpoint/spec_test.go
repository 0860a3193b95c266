package httpendpoint

import (
	"testing"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

func TestValidate(t *testing.T) {
	ok := func() *firehoseapi.HttpEndpointDestinationConfiguration { return config("http://127.0.0.1:8080/in") }
	if err := Validate(ok()); err != nil {
		t.Fatalf("http:// URL on a custom port refused: %v", err)
	}
	bad := map[string]func(c *firehoseapi.HttpEndpointDestinationConfiguration){
		"relative url": func(c *firehoseapi.HttpEndpointDestinationConfiguration) { c.EndpointConfiguration.Url = "/in" },
		"ftp url":      func(c *firehoseapi.HttpEndpointDestinationConfiguration) { c.EndpointConfiguration.Url = "ftp://h/x" },
		"size 65": func(c *firehoseapi.HttpEndpointDestinationConfiguration) {
			c.BufferingHints = &firehoseapi.HttpEndpointBufferingHints{SizeInMBs: ptr(int64(65))}
		},
		"interval 901": func(c *firehoseapi.HttpEndpointDestinationConfiguration) {
			c.BufferingHints = &firehoseapi.HttpEndpointBufferingHints{IntervalInSeconds: ptr(int64(901))}
		},
		"retry 7201": func(c *firehoseapi.HttpEndpointDestinationConfiguration) {
			c.RetryOptions = &retryOpts{DurationInSeconds: ptr(int64(7201))}
		},
		"backup mode": func(c *firehoseapi.HttpEndpointDestinationConfiguration) { c.S3BackupMode = ptr("FailedDocumentsOnly") },
		"encoding": func(c *firehoseapi.HttpEndpointDestinationConfiguration) {
			c.RequestConfiguration = &reqConfig{ContentEncoding: ptr("ZSTD")}
		},
		"duplicate attrs": func(c *firehoseapi.HttpEndpointDestinationConfiguration) {
			c.RequestConfiguration = &reqConfig{CommonAttributes: []attr{{AttributeName: "a"}, {AttributeName: "a"}}}
		},
	}
	for name, mutate := range bad {
		c := ok()
		mutate(c)
		e, isAWS := awserr.As(Validate(c))
		if !isAWS || e.Code != "InvalidArgumentException" {
			t.Errorf("%s: Validate = %v, want InvalidArgumentException", name, Validate(c))
		}
	}
}

func TestApplyUpdateMerges(t *testing.T) {
	c := config("https://a.example/in")
	c.EndpointConfiguration.AccessKey = ptr("k1")
	c.BufferingHints = &firehoseapi.HttpEndpointBufferingHints{SizeInMBs: ptr(int64(3)), IntervalInSeconds: ptr(int64(60))}
	c.S3BackupMode = ptr("AllData")
	ApplyUpdate(c, &firehoseapi.HttpEndpointDestinationUpdate{
		EndpointConfiguration: &firehoseapi.HttpEndpointConfiguration{Url: "https://b.example/in"},
		BufferingHints:        &firehoseapi.HttpEndpointBufferingHints{IntervalInSeconds: ptr(int64(120))},
	})
	switch {
	case c.EndpointConfiguration.Url != "https://b.example/in":
		t.Errorf("url = %q", c.EndpointConfiguration.Url)
	case c.EndpointConfiguration.AccessKey == nil || *c.EndpointConfiguration.AccessKey != "k1":
		t.Error("access key lost although not in the update")
	case *c.BufferingHints.SizeInMBs != 3 || *c.BufferingHints.IntervalInSeconds != 120:
		t.Errorf("hints = %d/%d, want 3/120", *c.BufferingHints.SizeInMBs, *c.BufferingHints.IntervalInSeconds)
	case *c.S3BackupMode != "AllData":
		t.Error("backup mode changed")
	}
}
