package e2e

// AWS CBOR (application/x-amz-cbor-1.1) end to end, spoken by an
// independent CBOR implementation (fxamacker/cbor) the way the Java SDK
// speaks it: blobs as byte strings, timestamps as tag 1 holding integer
// epoch milliseconds. The aws-sdk-go-v2 client (JSON) is the reference the
// CBOR answers are checked against.

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/fxamacker/cbor/v2"

	"github.com/freshet/freshet/internal/protocol/eventstream"
)

const cborContentType = "application/x-amz-cbor-1.1"

// cborPost sends one CBOR request and returns the status and body; the
// answer must be CBOR (or empty) whatever the status.
func cborPost(t *testing.T, endpoint, op string, req any) (int, []byte) {
	t.Helper()
	body, err := cbor.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	r.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	r.Header.Set("Content-Type", cborContentType)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != cborContentType {
		t.Fatalf("%s: Content-Type %q", op, ct)
	}
	if len(out) > 0 {
		if err := cbor.Wellformed(out); err != nil {
			t.Fatalf("%s: answer is not CBOR: %v (%x)", op, err, out)
		}
	}
	return resp.StatusCode, out
}

// cborCall is cborPost for a call that must succeed; it decodes the answer
// into out (when not nil).
func cborCall(t *testing.T, endpoint, op string, req, out any) {
	t.Helper()
	status, body := cborPost(t, endpoint, op, req)
	if status != http.StatusOK {
		t.Fatalf("%s: status %d: %x", op, status, body)
	}
	if out == nil {
		return
	}
	if err := cbor.Unmarshal(body, out); err != nil {
		t.Fatalf("%s: %v", op, err)
	}
}

// epochMillis is how AWS CBOR sends a timestamp.
func epochMillis(ms int64) cbor.Tag { return cbor.Tag{Number: 1, Content: ms} }

// cborRecord is a record as the wire has it, its typed members left raw
// so their CBOR types can be checked.
type cborRecord struct {
	Data                        cbor.RawMessage
	ApproximateArrivalTimestamp cbor.RawTag
	PartitionKey                string
	SequenceNumber              string
}

// check returns the record's data and arrival time in epoch milliseconds,
// failing unless Data is a byte string and the time tag 1 with an
// unsigned integer.
func (r *cborRecord) check(t *testing.T) ([]byte, int64) {
	t.Helper()
	if len(r.Data) == 0 || r.Data[0]>>5 != 2 {
		t.Fatalf("record %s: Data is not a byte string: %x", r.SequenceNumber, r.Data)
	}
	var data []byte
	if err := cbor.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	ts := r.ApproximateArrivalTimestamp
	if ts.Number != 1 || len(ts.Content) == 0 || ts.Content[0]>>5 != 0 {
		t.Fatalf("record %s: arrival time is not tag 1 with an unsigned integer: %d(%x)", r.SequenceNumber, ts.Number, ts.Content)
	}
	var ms int64
	if err := cbor.Unmarshal(ts.Content, &ms); err != nil {
		t.Fatal(err)
	}
	return data, ms
}

type cborGetRecordsOut struct {
	Records            []cborRecord
	NextShardIterator  string
	MillisBehindLatest int64
}

func TestCBORRoundTrip(t *testing.T) {
	c, _, endpoint := startServer(t, serverOpts{})
	const stream = "cbor"

	cborCall(t, endpoint, "CreateStream", map[string]any{"StreamName": stream, "ShardCount": 1}, nil)

	// Binary data of every byte value and several sizes, empty included;
	// one record sends its blob as base64 text, as some clients do.
	rng := rand.New(rand.NewPCG(1, 2))
	var sent [][]byte
	var entries []map[string]any
	for i := 0; i < 40; i++ {
		data := make([]byte, i*37%300)
		for j := range data {
			data[j] = byte(rng.UintN(256))
		}
		if i == 1 {
			data = make([]byte, 256)
			for j := range data {
				data[j] = byte(j)
			}
		}
		sent = append(sent, data)
		entries = append(entries, map[string]any{"Data": data, "PartitionKey": "pk-" + strconv.Itoa(i)})
	}
	entries[2]["Data"] = "AAEC/f7/" // base64 text of 00 01 02 fd fe ff
	sent[2] = []byte{0, 1, 2, 0xfd, 0xfe, 0xff}
	var put struct {
		FailedRecordCount int
		Records           []struct{ SequenceNumber, ShardId string }
	}
	cborCall(t, endpoint, "PutRecords", map[string]any{"StreamName": stream, "Records": entries}, &put)
	if put.FailedRecordCount != 0 || len(put.Records) != len(sent) {
		t.Fatalf("PutRecords: %+v", put)
	}

	var it struct{ ShardIterator string }
	cborCall(t, endpoint, "GetShardIterator", map[string]any{"StreamName": stream, "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"}, &it)
	var got cborGetRecordsOut
	cborCall(t, endpoint, "GetRecords", map[string]any{"ShardIterator": it.ShardIterator}, &got)
	if len(got.Records) != len(sent) {
		t.Fatalf("GetRecords: %d records, want %d", len(got.Records), len(sent))
	}

	// The JSON path is the reference: same records, same bytes, same
	// arrival times (JSON has them in seconds, to the millisecond).
	jit := must(c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon}))
	ref := must(c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: jit.ShardIterator}))
	var firstMs int64
	for i := range got.Records {
		r := &got.Records[i]
		data, ms := r.check(t)
		if !bytes.Equal(data, sent[i]) {
			t.Errorf("record %d: got %x, put %x", i, data, sent[i])
		}
		if r.SequenceNumber != put.Records[i].SequenceNumber || r.PartitionKey != "pk-"+strconv.Itoa(i) {
			t.Errorf("record %d: %s %s, put %s", i, r.SequenceNumber, r.PartitionKey, put.Records[i].SequenceNumber)
		}
		j := ref.Records[i]
		if *j.SequenceNumber != r.SequenceNumber || !bytes.Equal(j.Data, data) || j.ApproximateArrivalTimestamp.UnixMilli() != ms {
			t.Errorf("record %d: CBOR %s %d ms, JSON %s %d ms", i, r.SequenceNumber, ms, *j.SequenceNumber, j.ApproximateArrivalTimestamp.UnixMilli())
		}
		if i == 0 {
			firstMs = ms
		}
	}
	if d := time.Since(time.UnixMilli(firstMs)); d < 0 || d > time.Minute {
		t.Fatalf("arrival time %d is not epoch milliseconds of now", firstMs)
	}

	// Timestamps sent in milliseconds, tagged or not, integer or float.
	for _, ts := range []any{epochMillis(firstMs), firstMs, float64(firstMs), epochMillis(firstMs - 60_000)} {
		var at struct{ ShardIterator string }
		cborCall(t, endpoint, "GetShardIterator", map[string]any{"StreamName": stream, "ShardId": "shardId-000000000000",
			"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": ts}, &at)
		var page cborGetRecordsOut
		cborCall(t, endpoint, "GetRecords", map[string]any{"ShardIterator": at.ShardIterator, "Limit": 1}, &page)
		if len(page.Records) != 1 || page.Records[0].SequenceNumber != put.Records[0].SequenceNumber {
			t.Errorf("AT_TIMESTAMP %v: %d records", ts, len(page.Records))
		}
	}
	// A time after the last record reads nothing: had milliseconds been
	// taken for seconds, both times would be far in the future.
	var late struct{ ShardIterator string }
	cborCall(t, endpoint, "GetShardIterator", map[string]any{"StreamName": stream, "ShardId": "shardId-000000000000",
		"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": epochMillis(time.Now().Add(time.Hour).UnixMilli())}, &late)
	var none cborGetRecordsOut
	cborCall(t, endpoint, "GetRecords", map[string]any{"ShardIterator": late.ShardIterator}, &none)
	if len(none.Records) != 0 {
		t.Errorf("AT_TIMESTAMP an hour ahead read %d records", len(none.Records))
	}

	// Control-plane answers carry their timestamps the same way.
	var desc struct {
		StreamDescription struct {
			StreamName              string
			StreamCreationTimestamp cbor.RawTag
		}
	}
	cborCall(t, endpoint, "DescribeStream", map[string]any{"StreamName": stream}, &desc)
	ref2 := must(c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(stream)}))
	var created int64
	if desc.StreamDescription.StreamCreationTimestamp.Number != 1 || cbor.Unmarshal(desc.StreamDescription.StreamCreationTimestamp.Content, &created) != nil ||
		created != ref2.StreamDescription.StreamCreationTimestamp.UnixMilli() {
		t.Errorf("StreamCreationTimestamp %+v, JSON %v", desc.StreamDescription.StreamCreationTimestamp, ref2.StreamDescription.StreamCreationTimestamp)
	}
}

func TestCBORErrors(t *testing.T) {
	c, _, endpoint := startServer(t, serverOpts{})
	type apiError struct {
		Type     string `cbor:"__type"`
		Message  string `cbor:"message"`
		Message2 string `cbor:"Message"`
	}
	check := func(op string, req any, status int, code, msg string) {
		t.Helper()
		st, body := cborPost(t, endpoint, op, req)
		var e apiError
		if err := cbor.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		if st != status || e.Type != code || e.Message+e.Message2 != msg {
			t.Errorf("%s: %d %+v, want %d %s %q", op, st, e, status, code, msg)
		}
	}
	// The same error as the JSON client gets, text for text.
	_, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("missing")})
	apiErr(t, err, "ResourceNotFoundException", "Stream missing under account 000000000000 not found.")
	check("DescribeStream", map[string]any{"StreamName": "missing"}, 400, "ResourceNotFoundException", "Stream missing under account 000000000000 not found.")
	check("PutRecords", map[string]any{"StreamName": "missing", "Records": []any{map[string]any{"Data": []byte{1}, "PartitionKey": "k"}}},
		400, "ResourceNotFoundException", "Stream missing under account 000000000000 not found.")
	check("PutRecords", map[string]any{"StreamName": "s", "Records": []any{}}, 400, "ValidationException",
		"1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1")
	check("GetShardIterator", map[string]any{"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": "soon"},
		400, "SerializationException", "class java.lang.String can not be converted to milliseconds since epoch")
	check("Nope", map[string]any{}, 400, "UnknownOperationException", "")

	// Malformed CBOR.
	r, _ := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader([]byte{0xa1, 0x01, 0x02}))
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	r.Header.Set("Content-Type", cborContentType)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e apiError
	if resp.StatusCode != 400 || cbor.Unmarshal(body, &e) != nil || e.Type != "SerializationException" {
		t.Errorf("malformed CBOR: %d %x", resp.StatusCode, body)
	}
}

// TestCBORSubscribeToShard reads an enhanced fan-out subscription in CBOR:
// every event's payload is CBOR, and says so in :content-type.
func TestCBORSubscribeToShard(t *testing.T) {
	c, _, endpoint := startServer(t, serverOpts{})
	createActive(t, c, "efo", 1)
	consumer := registerActive(t, c, "arn:aws:kinesis:us-east-1:000000000000:stream/efo", "cbor-consumer")
	var put []string
	for i := 0; i < 3; i++ {
		out := must(c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("efo"), PartitionKey: aws.String("k"), Data: []byte{byte(i), 0xff, 0}}))
		put = append(put, *out.SequenceNumber)
	}

	body, err := cbor.Marshal(map[string]any{"ConsumerARN": consumer, "ShardId": "shardId-000000000000",
		"StartingPosition": map[string]any{"Type": "AT_TIMESTAMP", "Timestamp": epochMillis(time.Now().Add(-time.Minute).UnixMilli())}})
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	r, _ := http.NewRequestWithContext(cctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
	r.Header.Set("Content-Type", cborContentType)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.amazon.eventstream" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	dec := eventstream.NewDecoder(resp.Body)
	header := func(m *eventstream.Message, name string) string {
		v, _ := m.Get(name)
		return v.String()
	}
	first, err := dec.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if header(first, ":event-type") != "initial-response" || header(first, ":content-type") != cborContentType || !bytes.Equal(first.Payload, []byte{0xa0}) {
		t.Fatalf("first event: %v %x", first.Headers, first.Payload)
	}
	var got []cborRecord
	for len(got) < len(put) {
		m, err := dec.Decode()
		if err != nil {
			t.Fatalf("after %d records: %v", len(got), err)
		}
		if header(m, ":event-type") != "SubscribeToShardEvent" || header(m, ":content-type") != cborContentType {
			t.Fatalf("event headers %v", m.Headers)
		}
		var ev struct {
			Records                    []cborRecord
			ContinuationSequenceNumber string
			MillisBehindLatest         int64
		}
		if err := cbor.Unmarshal(m.Payload, &ev); err != nil {
			t.Fatalf("event payload %x: %v", m.Payload, err)
		}
		got = append(got, ev.Records...)
	}
	for i := range got {
		data, ms := got[i].check(t)
		if !bytes.Equal(data, []byte{byte(i), 0xff, 0}) || got[i].SequenceNumber != put[i] {
			t.Errorf("record %d: %x %s", i, data, got[i].SequenceNumber)
		}
		if d := time.Since(time.UnixMilli(ms)); d < 0 || d > time.Minute {
			t.Errorf("record %d: arrival %d ms is not now", i, ms)
		}
	}
}
