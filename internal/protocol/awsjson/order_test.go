package awsjson

import (
	"fmt"
	"slices"
	"testing"
)

func ordered(keys []string) []string {
	var out []string
	for _, i := range hashMapOrder(keys) {
		out = append(out, keys[i])
	}
	return out
}

// subsequence keeps the elements of order that are in want.
func subsequence(order, want []string) []string {
	var out []string
	for _, k := range order {
		if slices.Contains(want, k) {
			out = append(out, k)
		}
	}
	return out
}

// TestHashMapOrderObserved checks the order rule against the orders of
// violations kinesalite (Kinesis) and dynalite (DynamoDB) recorded from AWS;
// members are listed in botocore's model order.
func TestHashMapOrderObserved(t *testing.T) {
	cases := []struct {
		name     string
		model    []string // lowerCamel, model order
		observed []string
	}{
		{"PutRecords", []string{"records", "streamName"}, []string{"records", "streamName"}},
		{"PutRecordsRequestEntry", []string{"data", "explicitHashKey", "partitionKey"}, []string{"partitionKey", "explicitHashKey", "data"}},
		{"CreateStream", []string{"streamName", "shardCount"}, []string{"shardCount", "streamName"}},
		{"GetShardIterator", []string{"streamName", "shardId", "shardIteratorType", "startingSequenceNumber", "timestamp"},
			[]string{"shardId", "shardIteratorType", "startingSequenceNumber", "streamName"}},
		{"AddTagsToStream", []string{"streamName", "tags"}, []string{"tags", "streamName"}},
		{"RemoveTagsFromStream", []string{"streamName", "tagKeys"}, []string{"tagKeys", "streamName"}},
		{"PutRecord", []string{"streamName", "data", "partitionKey", "explicitHashKey", "sequenceNumberForOrdering"},
			[]string{"sequenceNumberForOrdering", "partitionKey", "explicitHashKey", "streamName"}},
		{"GetRecords", []string{"shardIterator", "limit"}, []string{"limit", "shardIterator"}},
		{"DescribeStream", []string{"streamName", "limit", "exclusiveStartShardId"}, []string{"limit", "exclusiveStartShardId", "streamName"}},
		{"ListStreams", []string{"limit", "exclusiveStartStreamName"}, []string{"limit", "exclusiveStartStreamName"}},
		// DynamoDB, with the members its model had then.
		{"Scan", []string{"tableName", "indexName", "attributesToGet", "limit", "select", "scanFilter", "conditionalOperator",
			"exclusiveStartKey", "returnConsumedCapacity", "totalSegments", "segment"},
			[]string{"limit", "totalSegments", "returnConsumedCapacity", "attributesToGet", "select", "tableName"}},
		{"Query", []string{"tableName", "indexName", "select", "attributesToGet", "limit", "consistentRead", "keyConditions",
			"queryFilter", "conditionalOperator", "scanIndexForward", "exclusiveStartKey", "returnConsumedCapacity"},
			[]string{"limit", "returnConsumedCapacity", "attributesToGet", "queryFilter", "select", "tableName"}},
		// Map entries: dynalite records queryFilter.b before queryFilter.a.
		{"map entries", []string{"a", "b"}, []string{"b", "a"}},
	}
	for _, c := range cases {
		got := subsequence(ordered(c.model), c.observed)
		if !slices.Equal(got, c.observed) {
			t.Errorf("%s: got %v, AWS %v", c.name, got, c.observed)
		}
	}
}

// Resizes reverse chains; these orders come from a line-by-line port of
// Java 7's HashMap written separately.
func TestHashMapOrderResize(t *testing.T) {
	query := []string{"tableName", "indexName", "select", "attributesToGet", "limit", "consistentRead", "keyConditions",
		"queryFilter", "conditionalOperator", "scanIndexForward", "exclusiveStartKey", "returnConsumedCapacity",
		"projectionExpression", "filterExpression", "keyConditionExpression", "expressionAttributeNames", "expressionAttributeValues"}
	want := []string{"limit", "expressionAttributeValues", "returnConsumedCapacity", "attributesToGet", "select", "queryFilter",
		"scanIndexForward", "conditionalOperator", "keyConditionExpression", "exclusiveStartKey", "keyConditions",
		"projectionExpression", "tableName", "expressionAttributeNames", "filterExpression", "consistentRead", "indexName"}
	if got := ordered(query); !slices.Equal(got, want) {
		t.Errorf("query: got %v\nwant %v", got, want)
	}
	var keys []string
	for i := 0; i < 40; i++ {
		keys = append(keys, fmt.Sprintf("key%d", i))
	}
	want = []string{"key38", "key39", "key34", "key21", "key35", "key22", "key36", "key37", "key20", "key15", "key14",
		"key13", "key12", "key19", "key18", "key17", "key16", "key4", "key3", "key6", "key5", "key0", "key2", "key1",
		"key10", "key11", "key30", "key8", "key31", "key7", "key32", "key33", "key9", "key24", "key23", "key26",
		"key25", "key28", "key27", "key29"}
	if got := ordered(keys); !slices.Equal(got, want) {
		t.Errorf("40 keys: got %v\nwant %v", got, want)
	}
	// A repeated key keeps its first place and appears once.
	if got := hashMapOrder([]string{"a", "b", "a"}); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("repeated key: got %v", got)
	}
}

func TestJavaHash(t *testing.T) {
	for _, c := range []struct {
		s    string
		want uint32
	}{
		{"", 0},
		{"a", 97},
		{"streamName", 0xb8c67e2b},
		{"é", 0xe9},
		{"😀", 31*0xd83d + 0xde00}, // UTF-16 surrogates, as Java sees it
		{"a😀b", (31*(31*97+0xd83d)+0xde00)*31 + 98},
	} {
		if got := javaHash(c.s); got != c.want {
			t.Errorf("javaHash(%q) = %#x, want %#x", c.s, got, c.want)
		}
	}
}
