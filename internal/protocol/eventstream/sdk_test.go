package eventstream

// Cross-checks against the AWS SDK for Go v2's own event stream codec,
// the code a Kinesis client reading our SubscribeToShard responses runs.
// The SDK is a test-only dependency; the package itself imports only the
// standard library.

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// toSDK converts a message to the SDK's representation.
func toSDK(t *testing.T, m *Message) sdk.Message {
	t.Helper()
	out := sdk.Message{Payload: m.Payload}
	for _, h := range m.Headers {
		var v sdk.Value
		switch x := h.Value; x.Type() {
		case TypeBool:
			v = sdk.BoolValue(x.Bool())
		case TypeByte:
			v = sdk.Int8Value(x.Int())
		case TypeInt16:
			v = sdk.Int16Value(x.Int())
		case TypeInt32:
			v = sdk.Int32Value(x.Int())
		case TypeInt64:
			v = sdk.Int64Value(x.Int())
		case TypeBytes:
			v = sdk.BytesValue(x.Bytes())
		case TypeString:
			v = sdk.StringValue(x.String())
		case TypeTimestamp:
			v = sdk.TimestampValue(x.Time())
		case TypeUUID:
			v = sdk.UUIDValue(x.UUID())
		default:
			t.Fatalf("no SDK type for %s", x.Type())
		}
		out.Headers = append(out.Headers, sdk.Header{Name: h.Name, Value: v})
	}
	return out
}

// fromSDK converts an SDK message to ours.
func fromSDK(t *testing.T, m sdk.Message) *Message {
	t.Helper()
	out := &Message{Payload: m.Payload}
	for _, h := range m.Headers {
		var v HeaderValue
		switch x := h.Value.(type) {
		case sdk.BoolValue:
			v = BoolValue(bool(x))
		case sdk.Int8Value:
			v = ByteValue(int8(x))
		case sdk.Int16Value:
			v = Int16Value(int16(x))
		case sdk.Int32Value:
			v = Int32Value(int32(x))
		case sdk.Int64Value:
			v = Int64Value(int64(x))
		case sdk.BytesValue:
			v = BytesValue(x)
		case sdk.StringValue:
			v = StringValue(string(x))
		case sdk.TimestampValue:
			v = TimestampValue(time.Time(x))
		case sdk.UUIDValue:
			v = UUIDValue(x)
		default:
			t.Fatalf("unknown SDK value %T", x)
		}
		out.Headers = append(out.Headers, Header{Name: h.Name, Value: v})
	}
	return out
}

func sdkCases() map[string]*Message {
	records := []byte(`{"ContinuationSequenceNumber":"49590338271490256608559692538361571095921575989136588898",` +
		`"MillisBehindLatest":0,"Records":[{"Data":"aGVsbG8=","PartitionKey":"pk","SequenceNumber":"1"}]}`)
	return map[string]*Message{
		"empty":            {},
		"payload only":     {Payload: []byte(`{"foo":"bar"}`)},
		"initial-response": Event("initial-response", "application/json", []byte(`{}`)),
		"event":            Event("SubscribeToShardEvent", "application/json", records),
		"big event":        Event("SubscribeToShardEvent", "application/json", bytes.Repeat(records, 1000)),
		"exception":        Exception("ResourceInUseException", "application/json", []byte(`{"message":"in use"}`)),
		"error":            Error("InternalFailure", "something broke"),
		"every type": {
			Headers: []Header{
				{"true", BoolValue(true)},
				{"false", BoolValue(false)},
				{"byte", ByteValue(math.MinInt8)},
				{"int16", Int16Value(math.MinInt16)},
				{"int32", Int32Value(math.MaxInt32)},
				{"int64", Int64Value(math.MinInt64)},
				{"bytes", BytesValue([]byte{0, 1, 2, 0xff})},
				{"string", StringValue("héllo")},
				{"timestamp", TimestampValue(time.UnixMilli(1700000000123))},
				{"uuid", UUIDValue(uuid0to15())},
				{strings.Repeat("n", MaxHeaderNameLen), StringValue(strings.Repeat("v", MaxHeaderValueLen))},
			},
			Payload: []byte("payload"),
		},
	}
}

func TestSDKDecodesOurMessages(t *testing.T) {
	for name, m := range sdkCases() {
		t.Run(name, func(t *testing.T) {
			var stream bytes.Buffer
			enc := NewEncoder(&stream)
			for range 2 {
				if err := enc.Encode(m); err != nil {
					t.Fatalf("Encode: %v", err)
				}
			}
			dec := sdk.NewDecoder()
			for i := range 2 {
				got, err := dec.Decode(&stream, nil)
				if err != nil {
					t.Fatalf("SDK Decode message %d: %v", i, err)
				}
				if back := fromSDK(t, got); !equalMessages(back, m) {
					t.Fatalf("SDK decoded %s\nwant %s", describe(back), describe(m))
				}
			}
			if stream.Len() != 0 {
				t.Fatalf("%d bytes left over", stream.Len())
			}
		})
	}
}

func TestWeDecodeSDKMessages(t *testing.T) {
	for name, m := range sdkCases() {
		t.Run(name, func(t *testing.T) {
			var sdkWire bytes.Buffer
			if err := sdk.NewEncoder().Encode(&sdkWire, toSDK(t, m)); err != nil {
				t.Fatalf("SDK Encode: %v", err)
			}
			ours := encode(t, m)
			if !bytes.Equal(ours, sdkWire.Bytes()) {
				t.Fatalf("encodings differ\n ours %x\n  sdk %x", ours, sdkWire.Bytes())
			}
			ms := decodeAll(t, sdkWire.Bytes())
			if len(ms) != 1 || !equalMessages(ms[0], m) {
				t.Fatalf("decoded %d messages, want %s", len(ms), describe(m))
			}
		})
	}
}

// Both decoders reject the same corruptions.
func TestSDKAgreesOnCorruption(t *testing.T) {
	msg := encode(t, sdkCases()["every type"])
	for i := 0; i < len(msg); i += 7 {
		bad := bytes.Clone(msg)
		bad[i] ^= 0x10
		_, sdkErr := sdk.NewDecoder().Decode(bytes.NewReader(bad), nil)
		_, ourErr := NewDecoder(bytes.NewReader(bad)).Decode()
		if sdkErr == nil || ourErr == nil {
			t.Errorf("byte %d: SDK err %v, our err %v", i, sdkErr, ourErr)
		}
	}
}
