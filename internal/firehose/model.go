package firehose

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
)

// Delivery stream types and statuses.
const (
	typeDirectPut = "DirectPut"
	typeKinesis   = "KinesisStreamAsSource"

	statusCreating = "CREATING"
	statusActive   = "ACTIVE"
	statusDeleting = "DELETING"
)

// streamDoc is a delivery stream as stored in the metadata store.
type streamDoc struct {
	UID       string `json:"uid"`
	Name      string `json:"name"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	Type      string `json:"type"`
	CreatedMs int64  `json:"created"`
	UpdatedMs int64  `json:"updated"`
	// DeletingMs is when DeleteDeliveryStream was called (0: not deleting).
	DeletingMs int64 `json:"deleting,omitempty"`
	Version    int   `json:"version"`

	Kinesis         *firehoseapi.KinesisStreamSourceConfiguration `json:"kinesis,omitempty"`
	DeliveryStartMs int64                                         `json:"deliveryStart,omitempty"`
	DirectPut       *firehoseapi.DirectPutSourceConfiguration     `json:"directPut,omitempty"`

	Dest destConfig `json:"dest"`
	// LegacyS3 marks a stream created with S3DestinationConfiguration.
	LegacyS3 bool `json:"legacyS3,omitempty"`

	Tags       []firehoseapi.Tag `json:"tags,omitempty"`
	Encryption *encryptionDoc    `json:"encryption,omitempty"`
}

// destConfig holds exactly one destination's configuration.
type destConfig struct {
	ExtendedS3    *firehoseapi.ExtendedS3DestinationConfiguration              `json:"extendedS3,omitempty"`
	Redshift      *firehoseapi.RedshiftDestinationConfiguration                `json:"redshift,omitempty"`
	Elasticsearch *firehoseapi.ElasticsearchDestinationConfiguration           `json:"elasticsearch,omitempty"`
	OpenSearch    *firehoseapi.AmazonopensearchserviceDestinationConfiguration `json:"opensearch,omitempty"`
	Splunk        *firehoseapi.SplunkDestinationConfiguration                  `json:"splunk,omitempty"`
	HTTPEndpoint  *firehoseapi.HttpEndpointDestinationConfiguration            `json:"httpEndpoint,omitempty"`
}

// kind names the configured destination.
func (d *destConfig) kind() string {
	switch {
	case d.ExtendedS3 != nil:
		return "ExtendedS3"
	case d.Redshift != nil:
		return "Redshift"
	case d.Elasticsearch != nil:
		return "Elasticsearch"
	case d.OpenSearch != nil:
		return "AmazonOpenSearchService"
	case d.Splunk != nil:
		return "Splunk"
	case d.HTTPEndpoint != nil:
		return "HttpEndpoint"
	}
	return ""
}

type encryptionDoc struct {
	KeyType   string `json:"keyType"`
	KeyARN    string `json:"keyARN,omitempty"`
	Status    string `json:"status"`
	ChangedMs int64  `json:"changed"`
}

func (d *streamDoc) arn() string {
	return fmt.Sprintf("arn:aws:firehose:%s:%s:deliverystream/%s", d.Region, d.Account, d.Name)
}

// spoolLog is the log Direct PUT records are spooled to; the UID keeps a
// re-created stream from reading its predecessor's records.
func (d *streamDoc) spoolLog() string {
	return "firehose/" + d.Account + "/" + d.Region + "/" + d.Name + "/" + d.UID
}

// status is the stream's status at now: CREATING and DELETING last the
// state delay.
func (d *streamDoc) status(now time.Time, delay time.Duration) string {
	switch {
	case d.DeletingMs != 0:
		return statusDeleting
	case now.Sub(time.UnixMilli(d.CreatedMs)) < delay:
		return statusCreating
	}
	return statusActive
}

// gone says the stream finished deleting.
func (d *streamDoc) gone(now time.Time, delay time.Duration) bool {
	return d.DeletingMs != 0 && now.Sub(time.UnixMilli(d.DeletingMs)) >= delay
}

func decodeDoc(b []byte) (*streamDoc, error) {
	var d streamDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("firehose: decode stream: %w", err)
	}
	return &d, nil
}

func metaKey(account, region, name string) string {
	return "firehose/stream/" + account + "/" + region + "/" + name
}

func checkpointKey(d *streamDoc) string {
	return "firehose/checkpoint/" + d.Account + "/" + d.Region + "/" + d.Name + "/" + d.UID
}

// convertJSON copies the fields of src into a new T by name, through JSON:
// the model's configuration, update and description shapes share member
// names.
func convertJSON[T any](src any) (*T, error) {
	b, err := json.Marshal(src)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		return nil, err
	}
	return out, nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
