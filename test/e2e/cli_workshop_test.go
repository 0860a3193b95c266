package e2e

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

const maxHashKey = "340282366920938463463374607431768211455"

// TestWorkshopCLI runs the workshop's Kinesis steps (seed 000) with the real
// aws CLI, from testdata/workshop_cli.sh, against the binary with its
// default state delay, and checks every step's output. Alongside, an SDK
// observer watches the stream's states and reads the record on the server
// side, independently of the CLI.
func TestWorkshopCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	endpoint, _ := startBinary(t) // default --state-delay (500ms)
	const stream = "traffic-message-stream"

	// A traffic message like the workshop's traffic-message-service sends,
	// different on every run so that nothing stale can pass.
	cars := [][2]string{{"BMW", "7 series"}, {"Renault", "Twingo"}, {"Renault", "Talisman"}, {"Volkswagen", "Polo"}, {"Volvo", "V90"}}
	car := cars[rand.IntN(len(cars))]
	message := fmt.Sprintf(`{"color": "%s", "licenseplate": "%02d-%s-%02d", "manufacturer": "%s", "model": "%s", "latitude": 52.0604741, "longitude": 5.100614, "roadNumber": "A12", "speed": %d, "country": "NL", "timestamp": "%s"}`,
		[]string{"black", "green", "white"}[rand.IntN(3)], rand.IntN(100), "RTR", rand.IntN(100), car[0], car[1], 60+rand.IntN(90), time.Now().UTC().Format("2006-01-02T15:04:05.000000"))

	obs := observe(t, sdkClient(endpoint, "test", "test"), stream)
	stdout, stderr, code := runClient(t, 3*time.Minute, clientEnvFor(t, "MESSAGE="+message), "bash", testdata(t, "workshop_cli.sh"), endpoint)
	if code != 0 {
		obs.finish(t, 0)
		t.Fatalf("workshop_cli.sh exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("workshop_cli.sh stdout:\n%s\nstderr:\n%s", stdout, stderr)
		}
	})
	// After delete-stream the stream is DELETING for the state delay, then gone.
	obs.finish(t, 10*time.Second)

	steps := splitSteps(t, stdout)
	want := []string{"create-stream"}
	var statuses []string
	var last cliDescribeStream
	for _, s := range steps {
		if s.name == "describe-stream" {
			last = cliDescribeStream{}
			decodeStep(t, s, &last)
			statuses = append(statuses, last.StreamDescription.StreamStatus)
		}
	}
	for range statuses {
		want = append(want, "describe-stream")
	}
	want = append(want, "wait-stream-exists", "list-streams", "describe-stream-summary", "put-record", "get-shard-iterator", "get-records", "delete-stream", "done")
	if got := stepNames(steps); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("steps:\n got %v\nwant %v", got, want)
	}
	for _, name := range []string{"create-stream", "wait-stream-exists", "delete-stream", "done"} {
		if b := step(steps, name).body; b != "" {
			t.Errorf("%s printed %q, want nothing", name, b)
		}
	}

	// describe-stream until ACTIVE: CREATING any number of times, then ACTIVE once.
	for i, s := range statuses {
		if want := "CREATING"; i == len(statuses)-1 {
			want = "ACTIVE"
			if s != want {
				t.Errorf("describe-stream #%d: %s, want %s", i+1, s, want)
			}
		} else if s != want {
			t.Errorf("describe-stream #%d: %s, want %s", i+1, s, want)
		}
	}
	t.Logf("the CLI's describe-stream saw %v (each aws call takes most of a second to start, so it often misses CREATING)", statuses)
	sd := last.StreamDescription
	if sd.StreamName != stream || sd.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/"+stream || sd.RetentionPeriodHours != 24 || len(sd.Shards) != 1 {
		t.Fatalf("active stream: %+v", sd)
	}
	sh := sd.Shards[0]
	if sh.ShardId != "shardId-000000000000" || sh.HashKeyRange.StartingHashKey != "0" || sh.HashKeyRange.EndingHashKey != maxHashKey || sh.SequenceNumberRange.StartingSequenceNumber == "" {
		t.Fatalf("shard: %+v", sh)
	}

	var list struct{ StreamNames []string }
	decodeStep(t, step(steps, "list-streams"), &list)
	if strings.Join(list.StreamNames, ",") != stream {
		t.Errorf("list-streams: %v, want [%s]", list.StreamNames, stream)
	}
	var summary struct {
		StreamDescriptionSummary struct {
			StreamName, StreamARN, StreamStatus string
			OpenShardCount                      int
			RetentionPeriodHours                int
			StreamModeDetails                   struct{ StreamMode string }
		}
	}
	decodeStep(t, step(steps, "describe-stream-summary"), &summary)
	if s := summary.StreamDescriptionSummary; s.StreamName != stream || s.StreamARN != sd.StreamARN || s.StreamStatus != "ACTIVE" || s.OpenShardCount != 1 || s.RetentionPeriodHours != 24 || s.StreamModeDetails.StreamMode != "PROVISIONED" {
		t.Errorf("describe-stream-summary: %+v", s)
	}

	var put struct{ ShardId, SequenceNumber, EncryptionType string }
	decodeStep(t, step(steps, "put-record"), &put)
	if put.ShardId != "shardId-000000000000" || put.SequenceNumber == "" {
		t.Fatalf("put-record: %+v", put)
	}
	if seqCmp(t, put.SequenceNumber, sh.SequenceNumberRange.StartingSequenceNumber) < 0 {
		t.Errorf("put-record sequence number %s is below the shard's starting sequence number %s", put.SequenceNumber, sh.SequenceNumberRange.StartingSequenceNumber)
	}
	if it := step(steps, "get-shard-iterator").body; it == "" || strings.ContainsAny(it, " \n\"{") {
		t.Errorf("get-shard-iterator --query ShardIterator --output text printed %q, want the bare iterator", it)
	}

	var got struct {
		Records []struct {
			SequenceNumber, Data, PartitionKey string
			ApproximateArrivalTimestamp        float64
		}
		NextShardIterator  string
		MillisBehindLatest *int64
	}
	decodeStep(t, step(steps, "get-records"), &got)
	if len(got.Records) != 1 {
		t.Fatalf("get-records returned %d records, want the 1 put", len(got.Records))
	}
	r := got.Records[0]
	// The CLI shows Data as base64; it must decode to the text given to --data.
	data, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		t.Fatalf("get-records Data %q is not base64: %v", r.Data, err)
	}
	if string(data) != message {
		t.Errorf("get-records Data decodes to\n %q\nwant the put-record --data\n %q", data, message)
	}
	if r.PartitionKey != "123" || r.SequenceNumber != put.SequenceNumber {
		t.Errorf("get-records record: partition key %q sequence number %s, want 123 and %s", r.PartitionKey, r.SequenceNumber, put.SequenceNumber)
	}
	if at := time.UnixMilli(int64(r.ApproximateArrivalTimestamp * 1000)); time.Since(at) > 5*time.Minute || time.Until(at) > time.Minute {
		t.Errorf("ApproximateArrivalTimestamp %v is not about now", at)
	}
	if got.NextShardIterator == "" || got.MillisBehindLatest == nil || *got.MillisBehindLatest != 0 {
		t.Errorf("get-records: NextShardIterator %q MillisBehindLatest %v, want an iterator and 0", got.NextShardIterator, got.MillisBehindLatest)
	}

	// What the server holds, read by the SDK observer: the raw text of --data
	// (not its base64), under the same key and sequence number.
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.records) != 1 {
		t.Fatalf("SDK observer read %d records from the stream before it was deleted, want 1", len(obs.records))
	}
	sr := obs.records[0]
	if string(sr.Data) != message || aws.ToString(sr.PartitionKey) != "123" || aws.ToString(sr.SequenceNumber) != put.SequenceNumber {
		t.Errorf("server-side record: data %q key %q seq %s\nwant data %q key 123 seq %s", sr.Data, aws.ToString(sr.PartitionKey), aws.ToString(sr.SequenceNumber), message, put.SequenceNumber)
	}

	// The states the observer saw: created with the default state delay,
	// the stream is CREATING before ACTIVE, DELETING before it is gone.
	var seen []string
	for _, o := range obs.states {
		seen = append(seen, o.status)
	}
	if strings.Join(seen, ",") != "NOT_FOUND,CREATING,ACTIVE,DELETING,NOT_FOUND" {
		t.Errorf("stream states seen by the SDK observer: %v, want NOT_FOUND,CREATING,ACTIVE,DELETING,NOT_FOUND", seen)
	} else {
		// Between the last "not found" (sent before the create) and the
		// first ACTIVE (received after it) lies at least the state delay.
		if d := obs.states[2].firstRecv.Sub(obs.states[0].lastSent); d < 500*time.Millisecond {
			t.Errorf("ACTIVE %s after the stream did not exist yet; the default state delay is 500ms", d)
		}
		if d := obs.states[4].firstRecv.Sub(obs.states[2].lastSent); d < 500*time.Millisecond {
			t.Errorf("gone %s after it was ACTIVE; DELETING should last 500ms", d)
		}
	}
}

type cliDescribeStream struct {
	StreamDescription struct {
		StreamName, StreamARN, StreamStatus string
		RetentionPeriodHours                int
		Shards                              []struct {
			ShardId      string
			HashKeyRange struct {
				StartingHashKey, EndingHashKey string
			}
			SequenceNumberRange struct {
				StartingSequenceNumber string
			}
		}
	}
}

// scriptStep is one "### name" section of a script's output.
type scriptStep struct {
	name, body string
}

func splitSteps(t *testing.T, out string) []scriptStep {
	t.Helper()
	var steps []scriptStep
	for _, line := range strings.SplitAfter(out, "\n") {
		if name, ok := strings.CutPrefix(line, "### "); ok {
			steps = append(steps, scriptStep{name: strings.TrimSpace(name)})
			continue
		}
		if len(steps) == 0 {
			if strings.TrimSpace(line) != "" {
				t.Fatalf("output before the first step: %q", line)
			}
			continue
		}
		steps[len(steps)-1].body += line
	}
	for i := range steps {
		steps[i].body = strings.TrimSpace(steps[i].body)
	}
	return steps
}

func stepNames(steps []scriptStep) []string {
	var names []string
	for _, s := range steps {
		names = append(names, s.name)
	}
	return names
}

func step(steps []scriptStep, name string) scriptStep {
	for _, s := range steps {
		if s.name == name {
			return s
		}
	}
	return scriptStep{name: name}
}

func decodeStep(t *testing.T, s scriptStep, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s.body), v); err != nil {
		t.Fatalf("%s output is not the JSON expected: %v\n%s", s.name, err, s.body)
	}
}

// streamState is a run of identical observations of a stream's status.
type streamState struct {
	status    string    // CREATING, ACTIVE, ..., or NOT_FOUND
	firstRecv time.Time // when the first answer with this status arrived
	lastSent  time.Time // when the last request answered with it was sent
}

// streamObserver polls a stream's status every 20ms through the SDK and,
// once it is ACTIVE, reads its first shard from TRIM_HORIZON.
type streamObserver struct {
	mu      sync.Mutex
	states  []streamState
	records []types.Record
	errs    []string
	stop    chan struct{}
	done    chan struct{}
}

func observe(t *testing.T, c *kinesis.Client, stream string) *streamObserver {
	o := &streamObserver{stop: make(chan struct{}), done: make(chan struct{})}
	ctx := t.Context()
	go func() {
		defer close(o.done)
		var iter *string
		for {
			select {
			case <-o.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			sent := time.Now()
			out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
			recv := time.Now()
			status := ""
			var ae smithy.APIError
			switch {
			case err == nil:
				status = string(out.StreamDescriptionSummary.StreamStatus)
			case errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException":
				status = "NOT_FOUND"
			default:
				o.note("DescribeStreamSummary: %v", err)
				continue
			}
			o.mu.Lock()
			if n := len(o.states); n > 0 && o.states[n-1].status == status {
				o.states[n-1].lastSent = sent
			} else {
				o.states = append(o.states, streamState{status: status, firstRecv: recv, lastSent: sent})
			}
			have := len(o.records)
			o.mu.Unlock()
			if status != "ACTIVE" || have > 0 {
				continue
			}
			if iter == nil {
				it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
				if err != nil {
					o.note("GetShardIterator: %v", err)
					continue
				}
				iter = it.ShardIterator
			}
			got, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				o.note("GetRecords: %v", err)
				continue
			}
			iter = got.NextShardIterator
			o.mu.Lock()
			o.records = append(o.records, got.Records...)
			o.mu.Unlock()
		}
	}()
	return o
}

func (o *streamObserver) note(format string, args ...any) {
	o.mu.Lock()
	o.errs = append(o.errs, fmt.Sprintf(format, args...))
	o.mu.Unlock()
}

// finish waits up to wait for the stream to be gone again, then stops the
// observer and reports the errors it met.
func (o *streamObserver) finish(t *testing.T, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		o.mu.Lock()
		n := len(o.states)
		gone := n > 1 && o.states[n-1].status == "NOT_FOUND"
		o.mu.Unlock()
		if gone {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(o.stop)
	<-o.done
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, e := range o.errs {
		t.Errorf("SDK observer: %s", e)
	}
}
