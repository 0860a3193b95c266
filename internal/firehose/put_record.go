package firehose

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/storage"
)

const maxBatchBytes = 4 << 20

// PutRecord spools one record; it is acknowledged once durable.
func (s *Service) PutRecord(ctx context.Context, in *firehoseapi.PutRecordInput) (*firehoseapi.PutRecordOutput, error) {
	ids, encrypted, err := s.spool(ctx, in.DeliveryStreamName, [][]byte{in.Record.Data})
	if err != nil {
		return nil, err
	}
	m := s.opts.Metrics
	m.Count(in.DeliveryStreamName, "PutRecord.Requests", 1)
	m.Count(in.DeliveryStreamName, "PutRecord.Bytes", float64(len(in.Record.Data)))
	return &firehoseapi.PutRecordOutput{RecordId: ids[0], Encrypted: &encrypted}, nil
}

// PutRecordBatch spools up to 500 records (4 MiB) in one durable append.
func (s *Service) PutRecordBatch(ctx context.Context, in *firehoseapi.PutRecordBatchInput) (*firehoseapi.PutRecordBatchOutput, error) {
	data := make([][]byte, len(in.Records))
	total := 0
	for i, r := range in.Records {
		data[i] = r.Data
		total += len(r.Data)
	}
	if total > maxBatchBytes {
		return nil, invalidArgument("Records size exceeds 4 MB limit: the records of this PutRecordBatch request hold %d bytes.", total)
	}
	ids, encrypted, err := s.spool(ctx, in.DeliveryStreamName, data)
	if err != nil {
		return nil, err
	}
	m := s.opts.Metrics
	m.Count(in.DeliveryStreamName, "PutRecordBatch.Requests", 1)
	m.Count(in.DeliveryStreamName, "PutRecordBatch.Records", float64(len(data)))
	m.Count(in.DeliveryStreamName, "PutRecordBatch.Bytes", float64(total))
	out := &firehoseapi.PutRecordBatchOutput{Encrypted: &encrypted, RequestResponses: make([]firehoseapi.PutRecordBatchResponseEntry, len(ids))}
	for i := range ids {
		out.RequestResponses[i].RecordId = &ids[i]
	}
	return out, nil
}

// spool appends records to the stream's spool log in one commit and
// returns their record IDs.
func (s *Service) spool(ctx context.Context, name string, data [][]byte) ([]string, bool, error) {
	ds, err := s.lookup(ctx, name)
	if err != nil {
		return nil, false, err
	}
	doc := ds.snapshot()
	if doc.Type != typeDirectPut {
		return nil, false, invalidArgument("This operation is not permitted on KinesisStreamAsSource delivery stream type.")
	}
	if st := doc.status(s.now(), s.opts.StateDelay); st != statusActive {
		return nil, false, notFound(doc.Name, doc.Account)
	}
	recs := make([]storage.Record, len(data))
	for i, d := range data {
		recs[i].Data = d
	}
	b := &storage.Batch{Log: doc.spoolLog(), Records: recs}
	if err := s.logs.Append(ctx, []*storage.Batch{b}); err != nil {
		s.log.Error("spool records", "stream", doc.Name, "err", err)
		return nil, false, awserr.New("ServiceUnavailableException", "Slow down.").WithStatus(503)
	}
	select {
	case ds.wake <- struct{}{}:
	default:
	}
	bytes := 0
	for _, d := range data {
		bytes += len(d)
	}
	s.opts.Metrics.Count(doc.Name, "IncomingPutRequests", 1)
	s.opts.Metrics.Count(doc.Name, "IncomingRecords", float64(len(data)))
	s.opts.Metrics.Count(doc.Name, "IncomingBytes", float64(bytes))
	ids := make([]string, len(data))
	uid, _ := hex.DecodeString(doc.UID)
	for i := range ids {
		ids[i] = recordID(uid, b.FirstOffset+uint64(i))
	}
	return ids, doc.encrypted(), nil
}

// recordID is an opaque ID like AWS's: the stream's UID, the record's spool
// offset and random bytes, base64.
func recordID(uid []byte, off uint64) string {
	var b [8 + 8 + 40]byte
	copy(b[:8], uid)
	binary.BigEndian.PutUint64(b[8:16], off)
	_, _ = rand.Read(b[16:])
	return base64.StdEncoding.EncodeToString(b[:])
}
