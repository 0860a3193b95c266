package awsjson_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
	"github.com/freshet/freshet/internal/protocol/shape"
)

func input(t testing.TB, op string) *shape.Shape {
	t.Helper()
	o, ok := kinesisapi.Operations[op]
	if !ok {
		t.Fatalf("no operation %s", op)
	}
	return o.Input
}

// check parses and validates body against op's input and returns the AWS
// error (nil when valid).
func check(t testing.TB, op, body string) *awserr.Error {
	t.Helper()
	v, err := awsjson.Parse([]byte(body))
	if err != nil {
		e, ok := awserr.As(err)
		if !ok {
			t.Fatalf("parse %s: %v is not an awserr.Error", body, err)
		}
		return e
	}
	err = awsjson.Validate(v, input(t, op))
	if err == nil {
		return nil
	}
	e, ok := err.(*awserr.Error)
	if !ok {
		t.Fatalf("validate %s: %v (%T) is not an *awserr.Error", body, err, err)
	}
	return e
}

// Texts of AWS's SerializationExceptions for a value of the wrong JSON type,
// per target type, as kinesalite's test/helpers.js records them from Kinesis.
var typeCases = map[string][][2]string{
	"String": {
		{`true`, "class java.lang.Boolean can not be converted to an String"},
		{`23`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{`-2147483648`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{`2147483648`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{`34.56`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
	},
	"Integer": {
		{`"23"`, "class java.lang.String can not be converted to an Integer"},
		{`true`, "class java.lang.Boolean can not be converted to an Integer"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
	},
	"Boolean": {
		{`"23"`, "'23' can not be converted to an Boolean"},
		{`"maybe"`, "'MAYBE' can not be converted to an Boolean"},
		{`23`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"},
		{`2147483648`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
	},
	"Blob": {
		{`true`, "class java.lang.Boolean can not be converted to a Blob"},
		{`23`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob"},
		{`34.56`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
		{`"23456"`, "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{`"=+/="`, "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"},
		{`"+/+="`, "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
		{`"ab!d"`, "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"},
		{`"QQ=A"`, "'QQ=A' can not be converted to a Blob: Invalid Base64 character: '='"},
		{`"Q==="`, "'Q===' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
		{`"QR=="`, "'QR==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
		{`"é"`, "'é' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 1"},
		{`"abcé"`, "'abcé' can not be converted to a Blob: Invalid Base64 character: 'é'"},
	},
	"Timestamp": {
		{`true`, "class java.lang.Boolean can not be converted to milliseconds since epoch"},
		{`"2024-01-01T00:00:00Z"`, "class java.lang.String can not be converted to milliseconds since epoch"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
	},
	"List": {
		{`"23"`, "Expected list or null"},
		{`true`, "Expected list or null"},
		{`23`, "Expected list or null"},
		{`34.56`, "Expected list or null"},
		{`{}`, "Start of structure or map found where not expected."},
	},
	"Map": {
		{`"23"`, "Expected map or null"},
		{`true`, "Expected map or null"},
		{`-2147483648`, "Expected map or null"},
		{`[]`, "Start of list found where not expected"},
	},
	"Structure": {
		{`"23"`, "Expected null"},
		{`true`, "Expected null"},
		{`2147483648`, "Expected null"},
		{`[]`, "Start of list found where not expected"},
	},
}

func TestSerializationTexts(t *testing.T) {
	// Where each type sits in a request: %s is the value under test.
	sites := []struct{ op, body, typ string }{
		{"CreateStream", `{"StreamName":%s,"ShardCount":1}`, "String"},
		{"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":%s,"Data":""}]}`, "String"},
		{"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"a","Data":"","ExplicitHashKey":%s}]}`, "String"},
		{"CreateStream", `{"StreamName":"s","ShardCount":%s}`, "Integer"},
		{"GetRecords", `{"ShardIterator":"i","Limit":%s}`, "Integer"},
		{"DeleteStream", `{"StreamName":"s","EnforceConsumerDeletion":%s}`, "Boolean"},
		{"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"a","Data":%s}]}`, "Blob"},
		{"PutRecord", `{"StreamName":"s","PartitionKey":"a","Data":%s}`, "Blob"},
		{"GetShardIterator", `{"StreamName":"s","ShardId":"a","ShardIteratorType":"AT_TIMESTAMP","Timestamp":%s}`, "Timestamp"},
		{"PutRecords", `{"StreamName":"s","Records":%s}`, "List"},
		{"RemoveTagsFromStream", `{"StreamName":"s","TagKeys":%s}`, "List"},
		{"AddTagsToStream", `{"StreamName":"s","Tags":%s}`, "Map"},
		{"PutRecords", `{"StreamName":"s","Records":[%s]}`, "Structure"},
		{"CreateStream", `{"StreamName":"s","StreamModeDetails":%s}`, "Structure"},
		{"RemoveTagsFromStream", `{"StreamName":"s","TagKeys":[%s]}`, "String"},
		{"AddTagsToStream", `{"StreamName":"s","Tags":{"a":%s}}`, "String"},
	}
	for _, site := range sites {
		for _, c := range typeCases[site.typ] {
			body := fmt.Sprintf(site.body, c[0])
			t.Run(site.op+"/"+body, func(t *testing.T) {
				e := check(t, site.op, body)
				if e == nil {
					t.Fatal("accepted")
				}
				if e.Code != "SerializationException" || e.Message != c[1] || e.MessageKey != "Message" || e.Status != http.StatusBadRequest {
					t.Fatalf("got %s %q (key %q, %d)\nwant SerializationException %q", e.Code, e.Message, e.MessageKey, e.Status, c[1])
				}
			})
		}
	}
}

func TestSerializationAccepts(t *testing.T) {
	for _, c := range []struct{ op, body string }{
		{"DeleteStream", `{"StreamName":"s","EnforceConsumerDeletion":"yes"}`},
		{"DeleteStream", `{"StreamName":"s","EnforceConsumerDeletion":"FALSE"}`},
		{"DeleteStream", `{"StreamName":"s","EnforceConsumerDeletion":null}`},
		{"CreateStream", `{"StreamName":"s","ShardCount":1.9}`},
		{"CreateStream", `{"StreamName":"s","ShardCount":1e1}`},
		{"CreateStream", `{"StreamName":"s","ShardCount":100000000000}`}, // saturates at 2147483647
		{"CreateStream", `{"StreamName":"s","ShardCount":null,"Unknown":[{"deep":true}]}`},
		{"CreateStream", `{"StreamName":"s","StreamModeDetails":null}`},
		{"GetShardIterator", `{"ShardId":"a","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1700000000.123}`},
		{"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"a","Data":""},{"PartitionKey":"b","Data":"QQ=="},{"PartitionKey":"c","Data":"QUI="}]}`},
		{"DescribeLimits", `{}`},
		{"DescribeLimits", `{"Anything":1}`},
	} {
		if e := check(t, c.op, c.body); e != nil {
			t.Errorf("%s %s: %v", c.op, c.body, e)
		}
	}
}

// The first type error in model order wins, whatever the document order.
func TestSerializationModelOrder(t *testing.T) {
	for _, body := range []string{
		`{"ShardCount":"1","StreamName":1}`,
		`{"StreamName":1,"ShardCount":"1"}`,
	} {
		e := check(t, "CreateStream", body)
		want := "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"
		if e == nil || e.Message != want {
			t.Errorf("%s: got %v, want %q", body, e, want)
		}
	}
}

func TestMalformedBody(t *testing.T) {
	for _, body := range []string{`{`, `{"a":}`, `{"a":1,}`, `{} {}`, `nul`, `{"a":"\x"}`, "", " "} {
		e := check(t, "CreateStream", body)
		if e == nil || e.Code != "SerializationException" || e.Message != "" {
			t.Errorf("%q: got %#v, want a message-less SerializationException", body, e)
			continue
		}
		if got := string(awsjson.ErrorBody(e)); got != `{"__type":"SerializationException"}` {
			t.Errorf("%q: body %s", body, got)
		}
	}
	// JSON that is not an object answers the same.
	for _, body := range []string{`[]`, `[{"StreamName":"s"}]`, `"s"`, `1`, `null`, `true`} {
		e := check(t, "CreateStream", body)
		if e == nil || e.Code != "SerializationException" || e.Message != "" {
			t.Errorf("%q: got %#v, want a message-less SerializationException", body, e)
		}
	}
}

func b64(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }

func TestValidationMessages(t *testing.T) {
	name129 := strings.Repeat("a", 129)
	name257 := strings.Repeat("a", 257)
	cases := []struct {
		name, op, body string
		want           []string // violations, in AWS's order
	}{
		{"PutRecords no records", "PutRecords", `{}`, []string{
			"Value null at 'records' failed to satisfy constraint: Member must not be null",
		}},
		{"PutRecords empty", "PutRecords", `{"StreamName":"","Records":[]}`, []string{
			"Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"PutRecords empty partition key", "PutRecords", `{"StreamName":"","Records":[{"PartitionKey":"","Data":"","ExplicitHashKey":""}]}`, []string{
			"Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
			"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"PutRecords long", "PutRecords", `{"StreamName":"` + name129 + `","Records":[{"PartitionKey":"` + name257 + `","Data":"` + b64(10485761) + `","ExplicitHashKey":""}]}`, []string{
			"Value '" + name257 + "' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256",
			"Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
			"Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 10485760",
			"Value '" + name129 + "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128",
		}},
		{"PutRecords missing members", "PutRecords", `{"Records":[{},null,{"Data":"QQ==","PartitionKey":"k"}]}`, []string{
			"Value null at 'records.1.member.partitionKey' failed to satisfy constraint: Member must not be null",
			"Value null at 'records.1.member.data' failed to satisfy constraint: Member must not be null",
			"Value null at 'records.2.member' failed to satisfy constraint: Member must not be null",
		}},
		{"PutRecord", "PutRecord", `{"StreamName":"","PartitionKey":"","Data":"","ExplicitHashKey":"","SequenceNumberForOrdering":""}`, []string{
			"Value '' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})",
			"Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
			"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"PutRecord nothing", "PutRecord", `{}`, []string{
			"Value null at 'partitionKey' failed to satisfy constraint: Member must not be null",
			"Value null at 'data' failed to satisfy constraint: Member must not be null",
		}},
		{"CreateStream nothing", "CreateStream", `{}`, []string{
			"Value null at 'streamName' failed to satisfy constraint: Member must not be null",
		}},
		{"CreateStream empty", "CreateStream", `{"StreamName":"","ShardCount":0}`, []string{
			"Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
			"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"CreateStream negative fraction floors", "CreateStream", `{"StreamName":"s","ShardCount":0.5}`, []string{
			"Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
		}},
		{"CreateStream long", "CreateStream", `{"StreamName":"` + name129 + `","ShardCount":100000000000}`, []string{
			"Value '" + name129 + "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128",
		}},
		{"CreateStream nested", "CreateStream", `{"StreamName":"s","StreamModeDetails":{},"MaxRecordSizeInKiB":20000}`, []string{
			"Value '20000' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240",
			"Value null at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must not be null",
		}},
		{"CreateStream enum", "CreateStream", `{"StreamName":"s","StreamModeDetails":{"StreamMode":"FAST"}}`, []string{
			"Value 'FAST' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
		}},
		{"GetShardIterator nothing", "GetShardIterator", `{}`, []string{
			"Value null at 'shardId' failed to satisfy constraint: Member must not be null",
			"Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null",
		}},
		{"GetShardIterator empty", "GetShardIterator", `{"StreamName":"","ShardIteratorType":"","ShardId":"","StartingSequenceNumber":""}`, []string{
			"Value '' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]",
			"Value '' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})",
			"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"GetShardIterator long", "GetShardIterator", `{"StreamName":"` + name129 + `","ShardId":"` + name129 + `","ShardIteratorType":"LATEST"}`, []string{
			"Value '" + name129 + "' at 'shardId' failed to satisfy constraint: Member must have length less than or equal to 128",
			"Value '" + name129 + "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128",
		}},
		{"GetRecords empty", "GetRecords", `{"ShardIterator":"","Limit":0}`, []string{
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
			"Value '' at 'shardIterator' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"GetRecords long", "GetRecords", `{"ShardIterator":"` + strings.Repeat("a", 513) + `","Limit":100000}`, []string{
			"Value '100000' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
			"Value '" + strings.Repeat("a", 513) + "' at 'shardIterator' failed to satisfy constraint: Member must have length less than or equal to 512",
		}},
		{"GetRecords huge limit saturates", "GetRecords", `{"ShardIterator":"i","Limit":1e300}`, []string{
			"Value '2147483647' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
		}},
		{"DescribeStream empty", "DescribeStream", `{"StreamName":"","Limit":0,"ExclusiveStartShardId":""}`, []string{
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
			"Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"ListStreams", "ListStreams", `{"ExclusiveStartStreamName":"","Limit":0}`, []string{
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
			"Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"AddTagsToStream nothing", "AddTagsToStream", `{}`, []string{
			"Value null at 'tags' failed to satisfy constraint: Member must not be null",
		}},
		{"AddTagsToStream empty", "AddTagsToStream", `{"StreamName":"","Tags":{}}`, []string{
			"Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"AddTagsToStream long key", "AddTagsToStream", `{"StreamName":"s","Tags":{"a":"1","b":"2","` + name129 + `":"3"}}`, []string{
			"Value '{" + name129 + "=3, b=2, a=1}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
		}},
		{"AddTagsToStream long value", "AddTagsToStream", `{"StreamName":"s","Tags":{"a":"1","b":"2","c":"` + name257 + `"}}`, []string{
			"Value '{b=2, c=" + name257 + ", a=1}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]",
		}},
		{"AddTagsToStream null value", "AddTagsToStream", `{"StreamName":"s","Tags":{"a":null}}`, []string{
			"Value null at 'tags.a.member' failed to satisfy constraint: Member must not be null",
		}},
		{"RemoveTagsFromStream empty", "RemoveTagsFromStream", `{"StreamName":"","TagKeys":[]}`, []string{
			"Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
			"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"RemoveTagsFromStream long key", "RemoveTagsFromStream", `{"StreamName":"s","TagKeys":["a","` + name129 + `","b"]}`, []string{
			"Value '[a, " + name129 + ", b]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
		}},
		{"RemoveTagsFromStream too many", "RemoveTagsFromStream", `{"StreamName":"s","TagKeys":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20","21","22","23","24","25","26","27","28","29","30","31","32","33","34","35","36","37","38","39","40","41","42","43","44","45","46","47","48","49","50","51"]}`, []string{
			"Value '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51]' at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50",
		}},
		{"EnableEnhancedMonitoring", "EnableEnhancedMonitoring", `{"StreamName":"s","ShardLevelMetrics":["ALL","Bytes"]}`, []string{
			"Value '[ALL, Bytes]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]",
		}},
		{"PartitionKey counts UTF-16 units", "PutRecord", `{"StreamName":"s","Data":"","PartitionKey":"` + strings.Repeat("😀", 129) + `"}`, []string{
			"Value '" + strings.Repeat("😀", 129) + "' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256",
		}},
		{"ListShards", "ListShards", `{"StreamName":"s","MaxResults":0,"NextToken":"","ShardFilter":{"Type":"NOPE"}}`, []string{
			"Value 'NOPE' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]",
			"Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := check(t, c.op, c.body)
			if e == nil {
				t.Fatal("accepted")
			}
			noun := "errors"
			if len(c.want) == 1 {
				noun = "error"
			}
			want := fmt.Sprintf("%d validation %s detected: %s", len(c.want), noun, strings.Join(c.want, "; "))
			if e.Code != "ValidationException" || e.Message != want || e.Status != http.StatusBadRequest {
				t.Fatalf("got  %s %d %s\nwant ValidationException 400 %s", e.Code, e.Status, e.Message, want)
			}
			if got := string(awsjson.ErrorBody(e)); !strings.HasPrefix(got, `{"__type":"ValidationException","message":"`) {
				t.Fatalf("error body %s", got)
			}
		})
	}
}

// AWS lists at most ten violations; kinesalite records this answer to 501
// records with empty partition keys.
func TestValidationCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"StreamName":"","Records":[`)
	for i := 0; i < 501; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"PartitionKey":"","Data":""}`)
	}
	b.WriteString(`]}`)
	e := check(t, "PutRecords", b.String())
	if e == nil {
		t.Fatal("accepted")
	}
	entry := `com\.amazonaws\.kinesis\.v20131202\.PutRecordsRequestEntry@[0-9a-f]+`
	pattern := `^10 validation errors detected: Value '\[` + entry + `(, ` + entry + `){500}\]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500`
	for i := 1; i <= 9; i++ {
		pattern += fmt.Sprintf(`; Value '' at 'records\.%d\.member\.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1`, i)
	}
	if !regexp.MustCompile(pattern + `$`).MatchString(e.Message) {
		t.Fatalf("got %.600s...", e.Message)
	}
}

func TestValidateNilShape(t *testing.T) {
	v, err := awsjson.Parse([]byte(`{"a":[1,2,{"b":null}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := awsjson.Validate(v, nil); err != nil {
		t.Fatal(err)
	}
}

// Every input shape of the model validates an empty and a full-of-nulls body
// without panicking, and its patterns compile.
func TestValidateAllOperations(t *testing.T) {
	for name, op := range kinesisapi.Operations {
		if op.Input == nil {
			continue
		}
		var b strings.Builder
		b.WriteString("{")
		for i, m := range op.Input.Members {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:null", m.Name)
		}
		b.WriteString("}")
		for _, body := range []string{`{}`, b.String()} {
			if e := check(t, name, body); e != nil && e.Code != "ValidationException" {
				t.Errorf("%s %s: %v", name, body, e)
			}
		}
	}
	// ARN patterns run through regexp.
	if e := check(t, "ListTagsForResource", `{"ResourceARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s"}`); e != nil {
		t.Errorf("valid ARN: %v", e)
	}
	e := check(t, "ListTagsForResource", `{"ResourceARN":"nope"}`)
	want := `1 validation error detected: Value 'nope' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`
	if e == nil || e.Message != want {
		t.Errorf("got %v\nwant %s", e, want)
	}
}
