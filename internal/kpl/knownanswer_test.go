package kpl

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// handBuilt is an aggregated record encoded by hand from messages.proto.
// A field key byte is field_number<<3 | wire_type, wire type 0 being a
// varint and 2 a length-delimited value (length varint, then the bytes).
var handBuilt = []byte{
	0xF3, 0x89, 0x9A, 0xC2, // magic

	// AggregatedRecord, 48 bytes
	0x0A, 0x02, 'p', 'k', // 1<<3|2: partition_key_table[0] = "pk" (2 bytes)
	0x0A, 0x01, 'q', // 1<<3|2: partition_key_table[1] = "q" (1 byte)
	0x12, 0x02, '4', '2', // 2<<3|2: explicit_hash_key_table[0] = "42" (2 bytes)

	0x1A, 0x06, // 3<<3|2: records[0], a 6-byte Record
	0x08, 0x00, //   1<<3|0: partition_key_index = 0 ("pk")
	0x1A, 0x02, 'h', 'i', //   3<<3|2: data = "hi" (2 bytes)

	0x1A, 0x10, // 3<<3|2: records[1], a 16-byte Record
	0x08, 0x00, //   1<<3|0: partition_key_index = 0 ("pk")
	0x10, 0x00, //   2<<3|0: explicit_hash_key_index = 0 ("42")
	0x1A, 0x02, 0x00, 0xFF, //   3<<3|2: data = 00 FF (2 bytes)
	0x22, 0x06, //   4<<3|2: tags[0], a 6-byte Tag
	0x0A, 0x01, 'k', //     1<<3|2: key = "k" (1 byte)
	0x12, 0x01, 'v', //     2<<3|2: value = "v" (1 byte)

	0x1A, 0x09, // 3<<3|2: records[2], a 9-byte Record
	0x08, 0x01, //   1<<3|0: partition_key_index = 1 ("q"); no explicit hash key
	0x1A, 0x00, //   3<<3|2: data = "" (required, so written even when empty)
	0x22, 0x03, //   4<<3|2: tags[0], a 3-byte Tag
	0x0A, 0x01, 't', //     1<<3|2: key = "t"; no value

	// MD5 of the 48 message bytes (md5sum of the hex above, decoded)
	0x62, 0x0A, 0x73, 0x75, 0xF0, 0xE7, 0xCC, 0xBE,
	0xA9, 0x97, 0x46, 0xD4, 0x4C, 0x8B, 0x3E, 0xEA,
}

var handBuiltRecords = []Record{
	{PartitionKey: "pk", Data: []byte("hi")},
	{PartitionKey: "pk", ExplicitHashKey: "42", Data: []byte{0x00, 0xFF}, Tags: []Tag{{Key: "k", Value: "v", HasValue: true}}},
	{PartitionKey: "q", Data: []byte{}, Tags: []Tag{{Key: "t"}}},
}

func TestKnownAnswerHandBuilt(t *testing.T) {
	if !bytes.Equal(Magic, handBuilt[:4]) || string(Magic) != magic {
		t.Fatalf("Magic = % X", Magic)
	}
	got, err := Aggregate(handBuiltRecords)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, handBuilt) {
		t.Fatalf("Aggregate:\n got %s\nwant %s", hex.EncodeToString(got), hex.EncodeToString(handBuilt))
	}
	recs, err := Deaggregate(handBuilt)
	if err != nil {
		t.Fatal(err)
	}
	if !recordsEqual(recs, handBuiltRecords) {
		t.Fatalf("Deaggregate:\n got %+v\nwant %+v", recs, handBuiltRecords)
	}
}

// Records produced by the real KPL, from the tests of the KPL's companion
// deaggregation libraries: github.com/awslabs/kinesis-aggregation,
// python/test/test_deagg.py (kpl_generated_rec_with_ehks,
// kpl_generated_rec_no_ehks, kpl_generated_ka_rec and
// kpl_generated_ka_non_agg_rec), where they are Lambda and Kinesis Analytics
// event payloads, base64 as Kinesis delivers them. The KPL put the first
// three with partition key "a", as it does for every aggregate.
var kplVectors = []struct {
	name   string
	base64 string
	want   []Record
}{
	{
		name: "kpl with explicit hash keys",
		base64: "84mawgokZmMwM2RkODgtM2U3OS00NDhhLWIwMWEtN2NmMWJkNDdiNzg0CiRjYWU0MWIxYy1lYTYxLTQzZjItOTBiZS1iODc1NWViZj" +
			"g4ZTIKJGQ0OTA2OTBjLWU3NGQtNGRiMi1hM2M4LWQ4ZjJmMTg0ZmQyMwokYzkyNGJjMDktYjg1ZS00N2YxLWIzMmUtMzM2NTIyZWU1" +
			"M2M4EiYzODQ4NjQ5NTg2NzUwODM5OTA3ODE1OTcyMzg0NjA1MTgwNzAyMBInMTkzNzg3NjAwMDM3NjgxNzA2OTUyMTQzMzU3MDcxOT" +
			"E2MzUyNjA0EicyNjY4ODA0MzY5NjQ5MzI0MjQyNjU0NjY5MTY3MzQwNjg2ODQ0MzkSJzMzOTYwNjYwMDk0Mjk2NzM5MTg1NDYwMzU1" +
			"MjQwMjAyMTg0NzI5MhomCAAQABogUkVDT1JEIDIyIHBlZW9iaGN6YnpkbXNrYm91cGd5cQoaJggBEAEaIFJFQ09SRCAyMyB1c3dreG" +
			"Z0eHJvZXVzc2N4c2pobm8KGiYIAhACGiBSRUNPUkQgMjQgY2FzZWhkZ2l2ZmF4ZXVzdGx5c3p5ChomCAMQAxogUkVDT1JEIDI1IG52" +
			"ZmZ2cG11b2dkb3BqaGFtZXZyawpRwVPQ3go0yp4Y6kvM0q3V",
		want: []Record{
			{PartitionKey: "fc03dd88-3e79-448a-b01a-7cf1bd47b784", ExplicitHashKey: "38486495867508399078159723846051807020", Data: []byte("RECORD 22 peeobhczbzdmskboupgyq\n")},
			{PartitionKey: "cae41b1c-ea61-43f2-90be-b8755ebf88e2", ExplicitHashKey: "193787600037681706952143357071916352604", Data: []byte("RECORD 23 uswkxftxroeusscxsjhno\n")},
			{PartitionKey: "d490690c-e74d-4db2-a3c8-d8f2f184fd23", ExplicitHashKey: "266880436964932424265466916734068684439", Data: []byte("RECORD 24 casehdgivfaxeustlyszy\n")},
			{PartitionKey: "c924bc09-b85e-47f1-b32e-336522ee53c8", ExplicitHashKey: "339606600942967391854603552402021847292", Data: []byte("RECORD 25 nvffvpmuogdopjhamevrk\n")},
		},
	},
	{
		name: "kpl without explicit hash keys",
		base64: "84mawgokNzhmZWIxMmEtZGJhMC00NWNhLWE5MWUtYmIxZjJmMTgxOWI0CiRjMmE3NTc4Ny00NjliLTQzMTAtODQwZC1kNDg2ZGNhN2" +
			"ViNWUKJDY1MGU5MzYyLTU3MmItNDQyNy1iM2ZjLTEzNTQ5ZDdlNWFlNQokMWQ4ZDk2MDAtMDBiNy00NmYzLWE5ODMtZGU4MzQ3NzU0" +
			"MGMwCiRmMmU3MThhMC0zODliLTQ5NGEtYjc5Ni0zMzU1YjA3NTY5Y2MKJDk2NWI4ZGE0LWE2YmQtNDc1NS04MWM5LWU3MTgxYWI3ZG" +
			"M5YQokZDY5M2M1ZjAtNTc3Mi00NmM5LThkODYtMDhjNzA1NWJkYjc1CiQ4ZDkyNDc2Yi1lYjg5LTRlODEtOTlmYi1jMmJhNjNhZDZk" +
			"OTAaJAgAGiBSRUNPUkQgMTggaWtscnBzdnloeG5lcm9kZmVoZXJ1ChokCAEaIFJFQ09SRCAxOSBsbm1udWR5aHZwdmNncm9rZm16ZG" +
			"gKGiQIAhogUkVDT1JEIDIwIHBqcXJjZmJ4YWZ6ZG5kem1iZ2FuZQoaJAgDGiBSRUNPUkQgMjEgYWFmcmV5cm50d3V3eGxpeWdrYmhr" +
			"ChokCAQaIFJFQ09SRCAyMiBxc2FhZGhic2dtdnFnZGlmZ3V5b3UKGiQIBRogUkVDT1JEIDIzIHdqb2tvaXd2enpobGZ0bHpocWZqaw" +
			"oaJAgGGiBSRUNPUkQgMjQgem9wY2FzY3J0aGJicG5qaXd1aGpiChokCAcaIFJFQ09SRCAyNSB0eGJidm5venJ3c2JveHVvbXFib3EK" +
			"vV1rrLdU+Sy2v8xkgZ5YaA==",
		want: []Record{
			{PartitionKey: "78feb12a-dba0-45ca-a91e-bb1f2f1819b4", Data: []byte("RECORD 18 iklrpsvyhxnerodfeheru\n")},
			{PartitionKey: "c2a75787-469b-4310-840d-d486dca7eb5e", Data: []byte("RECORD 19 lnmnudyhvpvcgrokfmzdh\n")},
			{PartitionKey: "650e9362-572b-4427-b3fc-13549d7e5ae5", Data: []byte("RECORD 20 pjqrcfbxafzdndzmbgane\n")},
			{PartitionKey: "1d8d9600-00b7-46f3-a983-de83477540c0", Data: []byte("RECORD 21 aafreyrntwuwxliygkbhk\n")},
			{PartitionKey: "f2e718a0-389b-494a-b796-3355b07569cc", Data: []byte("RECORD 22 qsaadhbsgmvqgdifguyou\n")},
			{PartitionKey: "965b8da4-a6bd-4755-81c9-e7181ab7dc9a", Data: []byte("RECORD 23 wjokoiwvzzhlftlzhqfjk\n")},
			{PartitionKey: "d693c5f0-5772-46c9-8d86-08c7055bdb75", Data: []byte("RECORD 24 zopcascrthbbpnjiwuhjb\n")},
			{PartitionKey: "8d92476b-eb89-4e81-99fb-c2ba63ad6d90", Data: []byte("RECORD 25 txbbvnozrwsboxuomqboq\n")},
		},
	},
	{
		name: "kpl with shared keys via kinesis analytics",
		base64: "84mawgoNMTU2MjYwMjA3NDg5NhInMzM5NjA2NjAwOTQyOTY3MzkxODU0NjAzNTUyNDAyMDIxODQ3MjkyGicIABAAGiFSRUNPUkQgMjAwNSB" +
			"wanFyY2ZieGFmemRuZHptYmdhbmUaJwgAEAAaIVJFQ09SRCAyMDA2IHBqcXJjZmJ4YWZ6ZG5kem1iZ2FuZRonCAAQABohUkVDT1JEIDIwMD" +
			"cgcGpxcmNmYnhhZnpkbmR6bWJnYW5lGicIABAAGiFSRUNPUkQgMjAwOCBwanFyY2ZieGFmemRuZHptYmdhbmUHrLqXAgpJOT8v1lp81gM/",
		want: []Record{
			{PartitionKey: "1562602074896", ExplicitHashKey: "339606600942967391854603552402021847292", Data: []byte("RECORD 2005 pjqrcfbxafzdndzmbgane")},
			{PartitionKey: "1562602074896", ExplicitHashKey: "339606600942967391854603552402021847292", Data: []byte("RECORD 2006 pjqrcfbxafzdndzmbgane")},
			{PartitionKey: "1562602074896", ExplicitHashKey: "339606600942967391854603552402021847292", Data: []byte("RECORD 2007 pjqrcfbxafzdndzmbgane")},
			{PartitionKey: "1562602074896", ExplicitHashKey: "339606600942967391854603552402021847292", Data: []byte("RECORD 2008 pjqrcfbxafzdndzmbgane")},
		},
	},
	{
		// A record the KPL sent on its own, not aggregated.
		name:   "kpl single record",
		base64: "UkVDT1JEIDc0OSBwanFyY2ZieGFmemRuZHptYmdhbmU=",
	},
}

func TestKnownAnswerKPL(t *testing.T) {
	for _, v := range kplVectors {
		t.Run(v.name, func(t *testing.T) {
			data, err := base64.StdEncoding.DecodeString(v.base64)
			if err != nil {
				t.Fatal(err)
			}
			if v.want == nil {
				if IsAggregated(data) {
					t.Fatal("IsAggregated = true")
				}
				if _, err := Deaggregate(data); !errors.Is(err, ErrNotAggregated) {
					t.Fatalf("Deaggregate error = %v, want ErrNotAggregated", err)
				}
				return
			}
			if !IsAggregated(data) {
				t.Fatal("IsAggregated = false")
			}
			recs, err := Deaggregate(data)
			if err != nil {
				t.Fatal(err)
			}
			if !recordsEqual(recs, v.want) {
				t.Fatalf("Deaggregate:\n got %+v\nwant %+v", recs, v.want)
			}
			// Aggregate writes what the KPL wrote, byte for byte.
			again, err := Aggregate(recs)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, data) {
				t.Fatalf("Aggregate:\n got %s\nwant %s", hex.EncodeToString(again), hex.EncodeToString(data))
			}
		})
	}
}

// The hand-built record decodes field by field as the comments say.
func TestKnownAnswerLayout(t *testing.T) {
	msg := handBuilt[len(magic) : len(handBuilt)-16]
	if len(msg) != 48 {
		t.Fatalf("message is %d bytes, want 48", len(msg))
	}
	p := parseMessage(t, handBuilt)
	if got := strings.Join(p.pks, ","); got != "pk,q" {
		t.Errorf("partition key table = %q", got)
	}
	if got := strings.Join(p.ehks, ","); got != "42" {
		t.Errorf("explicit hash key table = %q", got)
	}
}
