package e2e

import (
	"bufio"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// producedRecord is what a producer script reports it put.
type producedRecord struct {
	PartitionKey   string
	Data           string
	ShardId        string
	SequenceNumber string
	source         string // which producer
	order          int    // position in the overall put order
}

// dumpedRecord is one record of consumer_dump_json.py's output file.
type dumpedRecord struct {
	ShardId                     string
	SequenceNumber              string
	PartitionKey                string
	ApproximateArrivalTimestamp string
	Data                        json.RawMessage
}

// TestBoto3ProducersAndConsumer runs the seeds' boto3 producers (put_record
// and put_records with retries of failed entries) and the workshop's
// consumer against the binary, then checks the consumer's JSON dump and,
// independently, the server's content read with aws-sdk-go-v2: every
// produced record exactly once, with its key, payload and sequence number,
// in put order per shard, on the shard its partition key hashes to.
func TestBoto3ProducersAndConsumer(t *testing.T) {
	t.Parallel()
	py := requirePython(t)
	endpoint, _ := startBinary(t, "--state-delay", "0")
	c := sdkClient(endpoint, "test", "test")
	const stream = "traffic-message-stream"
	const shards = 4
	createStreamActive(t, c, stream, shards)
	env := clientEnvFor(t)
	script := func(name string) string { return testdata(t, "py", name) }

	var produced []producedRecord
	add := func(source string, recs []producedRecord) {
		for _, r := range recs {
			r.source, r.order = source, len(produced)
			produced = append(produced, r)
		}
	}

	// 1. put_record loop: 25 iterations of metrics + traffic message.
	const iterations = 25
	out, errOut, code := runClient(t, 2*time.Minute, env, py, script("producer_put_record.py"), endpoint, stream, fmt.Sprint(iterations))
	if code != 0 {
		t.Fatalf("producer_put_record.py exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var single []producedRecord
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r producedRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("producer_put_record.py line %q: %v", sc.Text(), err)
		}
		single = append(single, r)
	}
	if len(single) != 2*iterations {
		t.Fatalf("producer_put_record.py reported %d records, want %d\nstderr:\n%s", len(single), 2*iterations, errOut)
	}
	metricsRE := regexp.MustCompile(`^\d{1,3},\d{1,2},\d,\d$`)
	for i, r := range single {
		var m map[string]any
		if err := json.Unmarshal([]byte(r.Data), &m); err != nil {
			t.Fatalf("record %d data is not JSON: %q", i, r.Data)
		}
		if i%2 == 0 {
			if s, _ := m["requests_newUsers_newOrders_churnUsers"].(string); r.PartitionKey != "partitionkey" || !metricsRE.MatchString(s) || m["timestamp"] == nil {
				t.Fatalf("metrics record %d: key %q data %s", i, r.PartitionKey, r.Data)
			}
		} else if m["licenseplate"] != r.PartitionKey {
			t.Fatalf("traffic record %d: key %q, license plate %v", i, r.PartitionKey, m["licenseplate"])
		}
	}
	add("put_record", single)

	// 2. put_records: 5 batches of 100 traffic messages.
	out, errOut, code = runClient(t, 2*time.Minute, env, py, script("producer_put_records.py"), endpoint, stream, "5", "100")
	if code != 0 {
		t.Fatalf("producer_put_records.py exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var summary struct {
		Batches              int              `json:"batches"`
		RecordsPut           int              `json:"records_put"`
		PutRecordsCalls      int              `json:"put_records_calls"`
		FailedEntriesRetried int              `json:"failed_entries_retried"`
		ErrorCodes           map[string]int   `json:"error_codes"`
		Records              []producedRecord `json:"records"`
	}
	if err := json.Unmarshal([]byte(out), &summary); err != nil {
		t.Fatalf("producer_put_records.py summary: %v\n%s", err, out)
	}
	if summary.Batches != 5 || summary.RecordsPut != 500 || len(summary.Records) != 500 || summary.PutRecordsCalls < 5 {
		t.Fatalf("producer_put_records.py: %d batches, %d records put (%d listed), %d calls", summary.Batches, summary.RecordsPut, len(summary.Records), summary.PutRecordsCalls)
	}
	if summary.FailedEntriesRetried > 0 {
		t.Logf("put_records: %d failed entries were retried (%v)", summary.FailedEntriesRetried, summary.ErrorCodes)
	}
	add("put_records", summary.Records)

	// 3. The error a producer sees for a stream that does not exist.
	missing := fmt.Sprintf("no-such-stream-%d", rand.IntN(1e6))
	out, errOut, code = runClient(t, time.Minute, env, py, script("put_record_missing_stream.py"), endpoint, missing)
	if code != 0 {
		t.Fatalf("put_record_missing_stream.py exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var perr struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Status    int    `json:"http_status"`
		RequestID string `json:"request_id"`
		Modeled   bool   `json:"modeled_exception"`
	}
	if err := json.Unmarshal([]byte(out), &perr); err != nil {
		t.Fatalf("put_record_missing_stream.py: %v\n%s", err, out)
	}
	if perr.Code != "ResourceNotFoundException" || perr.Message != "Stream "+missing+" under account 000000000000 not found." || perr.Status != 400 || !perr.Modeled || perr.RequestID == "" {
		t.Errorf("put_record to a missing stream: %s", out)
	}

	// 4. The consumer dumps the whole stream.
	dump := filepath.Join(t.TempDir(), "traffic-message-stream.json")
	out, errOut, code = runClient(t, 2*time.Minute, env, py, script("consumer_dump_json.py"), endpoint, stream, dump)
	if code != 0 {
		t.Fatalf("consumer_dump_json.py exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var csum struct {
		Stream          string `json:"stream"`
		Status          string `json:"status"`
		Shards          int    `json:"shards"`
		Records         int    `json:"records"`
		GetRecordsCalls int    `json:"get_records_calls"`
	}
	if err := json.Unmarshal([]byte(out), &csum); err != nil {
		t.Fatalf("consumer summary: %v\n%s", err, out)
	}
	if csum.Stream != stream || csum.Status != "ACTIVE" || csum.Shards != shards || csum.Records != len(produced) {
		t.Errorf("consumer summary %+v, want %d shards and %d records", csum, shards, len(produced))
	}
	b, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	var dumped []dumpedRecord
	if err := json.Unmarshal(b, &dumped); err != nil {
		t.Fatalf("dump file: %v", err)
	}

	// Index what was produced by (shard, sequence number): unique.
	type key struct{ shard, seq string }
	want := map[key]*producedRecord{}
	for i := range produced {
		p := &produced[i]
		k := key{p.ShardId, p.SequenceNumber}
		if prev := want[k]; prev != nil {
			t.Fatalf("two records put got %s %s: %+v and %+v", p.ShardId, p.SequenceNumber, prev, p)
		}
		want[k] = p
	}
	routing := shardRanges(t, c, stream)
	for _, p := range produced {
		if s := routing.shardFor(p.PartitionKey); s != p.ShardId {
			t.Errorf("key %q was put on %s, but its MD5 hash key falls in %s", p.PartitionKey, p.ShardId, s)
		}
	}

	// The consumer's dump: every record exactly once, as produced, in order.
	seen := map[key]int{}
	lastSeq := map[string]string{}
	lastOrder := map[string]int{}
	for i, d := range dumped {
		k := key{d.ShardId, d.SequenceNumber}
		seen[k]++
		p := want[k]
		if p == nil {
			t.Errorf("dump record %d (%s %s key %q) was never produced", i, d.ShardId, d.SequenceNumber, d.PartitionKey)
			continue
		}
		if seen[k] > 1 {
			t.Errorf("dump has %s %s %d times", d.ShardId, d.SequenceNumber, seen[k])
		}
		if d.PartitionKey != p.PartitionKey || !jsonEqual(t, d.Data, []byte(p.Data)) {
			t.Errorf("dump record %s %s: key %q data %s\nproduced key %q data %s", d.ShardId, d.SequenceNumber, d.PartitionKey, d.Data, p.PartitionKey, p.Data)
		}
		if _, err := time.Parse(time.RFC3339, d.ApproximateArrivalTimestamp); err != nil {
			t.Errorf("dump record %s %s: arrival timestamp %q: %v", d.ShardId, d.SequenceNumber, d.ApproximateArrivalTimestamp, err)
		}
		if prev, ok := lastSeq[d.ShardId]; ok {
			if seqCmp(t, prev, d.SequenceNumber) >= 0 {
				t.Errorf("%s: sequence number %s after %s", d.ShardId, d.SequenceNumber, prev)
			}
			if lastOrder[d.ShardId] > p.order {
				t.Errorf("%s: record put #%d (%s) read after record put #%d", d.ShardId, p.order, p.source, lastOrder[d.ShardId])
			}
		}
		lastSeq[d.ShardId], lastOrder[d.ShardId] = d.SequenceNumber, p.order
	}
	for k, p := range want {
		if seen[k] == 0 {
			t.Errorf("produced record %s %s (%s, key %q) missing from the dump", k.shard, k.seq, p.source, p.PartitionKey)
		}
	}
	if len(lastSeq) < 2 {
		t.Errorf("records landed on %d shard(s); varying partition keys should spread them", len(lastSeq))
	}

	// Independently, with aws-sdk-go-v2: the stored bytes are exactly the
	// JSON text the producers sent.
	var total int
	for _, shard := range listShardIDs(t, c, stream) {
		for _, r := range readShard(t, c, stream, shard) {
			total++
			p := want[key{shard, aws.ToString(r.SequenceNumber)}]
			if p == nil {
				t.Errorf("SDK read %s %s, which no producer put", shard, aws.ToString(r.SequenceNumber))
				continue
			}
			if string(r.Data) != p.Data || aws.ToString(r.PartitionKey) != p.PartitionKey {
				t.Errorf("SDK read %s %s: key %q data %q\nproduced key %q data %q", shard, aws.ToString(r.SequenceNumber), aws.ToString(r.PartitionKey), r.Data, p.PartitionKey, p.Data)
			}
		}
	}
	if total != len(produced) {
		t.Errorf("SDK read %d records, producers put %d", total, len(produced))
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Errorf("not JSON: %s", a)
		return false
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Errorf("not JSON: %s", b)
		return false
	}
	return reflect.DeepEqual(x, y)
}

// hashRanges maps hash keys to shards, from ListShards.
type hashRanges []struct {
	id         string
	start, end *big.Int
}

func shardRanges(t *testing.T, c *kinesis.Client, stream string) hashRanges {
	t.Helper()
	out, err := c.ListShards(t.Context(), &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	var hr hashRanges
	for _, s := range out.Shards {
		start, ok1 := new(big.Int).SetString(aws.ToString(s.HashKeyRange.StartingHashKey), 10)
		end, ok2 := new(big.Int).SetString(aws.ToString(s.HashKeyRange.EndingHashKey), 10)
		if !ok1 || !ok2 {
			t.Fatalf("shard %s hash key range %+v", aws.ToString(s.ShardId), s.HashKeyRange)
		}
		hr = append(hr, struct {
			id         string
			start, end *big.Int
		}{aws.ToString(s.ShardId), start, end})
	}
	return hr
}

// shardFor is the shard whose range holds the MD5 of the partition key.
func (hr hashRanges) shardFor(partitionKey string) string {
	sum := md5.Sum([]byte(partitionKey))
	h := new(big.Int).SetBytes(sum[:])
	for _, r := range hr {
		if h.Cmp(r.start) >= 0 && h.Cmp(r.end) <= 0 {
			return r.id
		}
	}
	return "(none)"
}
