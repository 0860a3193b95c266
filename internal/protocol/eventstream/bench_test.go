package eventstream

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"testing"
)

// subscribeToShardPayload returns a SubscribeToShardEvent JSON payload of
// 100 small records (4-byte data blobs, 56-digit sequence numbers), about
// 16 KiB.
func subscribeToShardPayload() []byte {
	var b bytes.Buffer
	b.WriteString(`{"ContinuationSequenceNumber":"49590338271490256608559692538361571095921575989136588898","MillisBehindLatest":0,"Records":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		data := base64.StdEncoding.EncodeToString([]byte{0, 1, 2, byte(i)})
		fmt.Fprintf(&b, `{"ApproximateArrivalTimestamp":1.7000%07dE9,"Data":"%s","PartitionKey":"pk-%03d","SequenceNumber":"495903382714902566085596925383615710959215759891365%05d"}`,
			i*13, data, i, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func BenchmarkEncode(b *testing.B) {
	payload := subscribeToShardPayload()
	m := Event("SubscribeToShardEvent", "application/json", payload)
	e := NewEncoder(io.Discard)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Encode(m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(payload)), "payload-bytes")
}

// BenchmarkEncodeEvent includes building the message with Event, as a
// SubscribeToShard handler would for every event.
func BenchmarkEncodeEvent(b *testing.B) {
	payload := subscribeToShardPayload()
	e := NewEncoder(io.Discard)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Encode(Event("SubscribeToShardEvent", "application/json", payload)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	payload := subscribeToShardPayload()
	wire, err := AppendMessage(nil, Event("SubscribeToShardEvent", "application/json", payload))
	if err != nil {
		b.Fatal(err)
	}
	r := bytes.NewReader(wire)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(wire)
		if _, err := NewDecoder(r).Decode(); err != nil {
			b.Fatal(err)
		}
	}
}
