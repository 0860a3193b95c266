package streams

import (
	"encoding/json"
	"fmt"
	"time"
)

// Stream statuses, as the API names them.
const (
	statusCreating = "CREATING"
	statusActive   = "ACTIVE"
	statusDeleting = "DELETING"
	statusUpdating = "UPDATING"
)

const (
	modeProvisioned = "PROVISIONED"
	modeOnDemand    = "ON_DEMAND"
)

// streamDoc is a stream's metadata document, as stored in the MetaStore.
type streamDoc struct {
	UID            string            `json:"uid"` // unique per incarnation; names the shard logs
	Name           string            `json:"name"`
	Account        string            `json:"account"`
	Region         string            `json:"region"`
	Mode           string            `json:"mode"`
	CreatedMs      int64             `json:"createdMs"`
	ReadyMs        int64             `json:"readyMs"`              // CREATING until then
	DeletingMs     int64             `json:"deletingMs,omitempty"` // set by DeleteStream
	UpdatingMs     int64             `json:"updatingMs,omitempty"` // UPDATING until then (resharding, mode changes)
	GoneMs         int64             `json:"goneMs,omitempty"`     // DELETING until then
	RetentionHours int64             `json:"retentionHours"`
	MaxRecordKiB   int64             `json:"maxRecordKiB"`
	Shards         []shardDoc        `json:"shards"`
	Tags           map[string]string `json:"tags,omitempty"`
	Metrics        []string          `json:"metrics,omitempty"` // enhanced (shard-level) monitoring
	Policy         string            `json:"policy,omitempty"`  // resource policy document
	WarmMiBps      int64             `json:"warmMiBps,omitempty"`
	Consumers      []consumerDoc     `json:"consumers,omitempty"`
	EncKeyID       string            `json:"encKeyId,omitempty"` // KMS KeyId while encryption is on
}

// consumerDoc is an enhanced fan-out consumer registered on a stream. Its
// states are derived from timestamps, like the stream's.
type consumerDoc struct {
	Name      string            `json:"name"`
	CreatedMs int64             `json:"createdMs"`
	ReadyMs   int64             `json:"readyMs"`
	GoneMs    int64             `json:"goneMs,omitempty"` // DELETING until then
	Tags      map[string]string `json:"tags,omitempty"`
}

func (c *consumerDoc) status(now time.Time) string {
	ms := now.UnixMilli()
	switch {
	case c.GoneMs != 0:
		return statusDeleting
	case ms < c.ReadyMs:
		return statusCreating
	}
	return statusActive
}

func (c *consumerDoc) gone(now time.Time) bool { return c.GoneMs != 0 && now.UnixMilli() >= c.GoneMs }

// consumerARN is AWS's form: the stream ARN, /consumer/NAME:CREATION_SECONDS.
func (d *streamDoc) consumerARN(c *consumerDoc) string {
	return fmt.Sprintf("%s/consumer/%s:%d", d.arn(), c.Name, c.CreatedMs/1000)
}

type shardDoc struct {
	Index     uint32     `json:"index"`
	StartHash string     `json:"startHash"`
	EndHash   string     `json:"endHash"`
	CreatedMs int64      `json:"createdMs"`
	ParentID  string     `json:"parent,omitempty"`
	AdjParent string     `json:"adjParent,omitempty"`
	EndOffset *uint64    `json:"endOffset,omitempty"` // a closed shard's next offset: it holds [0, EndOffset)
	ClosedMs  int64      `json:"closedMs,omitempty"`
	Enc       []encRange `json:"enc,omitempty"` // offsets written encrypted
}

func (d *streamDoc) status(now time.Time) string {
	ms := now.UnixMilli()
	switch {
	case d.DeletingMs != 0:
		return statusDeleting
	case ms < d.ReadyMs:
		return statusCreating
	case ms < d.UpdatingMs:
		return statusUpdating
	}
	return statusActive
}

// gone reports whether a deleted stream has finished DELETING.
func (d *streamDoc) gone(now time.Time) bool {
	return d.DeletingMs != 0 && now.UnixMilli() >= d.GoneMs
}

func (d *streamDoc) arn() string {
	return fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", d.Region, d.Account, d.Name)
}

func shardID(index uint32) string { return fmt.Sprintf("shardId-%012d", index) }

func (d *streamDoc) logName(index uint32) string { return fmt.Sprintf("k/%s/%d", d.UID, index) }

func (s *shardDoc) startSeq() seqNum {
	sec := uint64(s.CreatedMs / 1000)
	return seqNum{shardCreateSec: sec, shardIndex: s.Index, timeSec: sec}
}

func (s *shardDoc) open() bool { return s.EndOffset == nil }

func encodeDoc(d *streamDoc) ([]byte, error) { return json.Marshal(d) }

func decodeDoc(b []byte) (*streamDoc, error) {
	d := new(streamDoc)
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("streams: decode stream document: %w", err)
	}
	return d, nil
}

func metaKey(account, region, name string) string {
	return "kinesis/stream/" + account + "/" + region + "/" + name
}

func metaPrefix(account, region string) string {
	return "kinesis/stream/" + account + "/" + region + "/"
}
