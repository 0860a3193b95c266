package firehose

import (
	"context"
	"strconv"
	"time"

	"github.com/freshet/freshet/internal/firehose/process"
	"github.com/freshet/freshet/internal/storage"
)

// srcRecord is one record read from a source.
type srcRecord struct {
	// part is the source partition (the spool, or a shard) and pos where
	// it stands once this record is delivered.
	part, pos string
	id        string
	data      []byte
	arrivalMs int64
	kinesis   *process.KinesisMetadata
	// marker records carry no data; they only move a position (a shard
	// that was read to its end).
	marker bool
}

// source is where a pipeline's records come from.
type source interface {
	// read returns the next records, waiting up to wait for some.
	read(ctx context.Context, wait time.Duration) ([]srcRecord, error)
	// committed is told each checkpoint once it is stored.
	committed(ctx context.Context, cp checkpoint)
	close()
}

const (
	spoolPart      = "spool"
	readBatch      = 2000
	readBatchBytes = 4 << 20
)

// spoolSource reads a Direct PUT stream's spool log.
type spoolSource struct {
	logs storage.LogStore
	log  string
	uid  string
	next uint64
	wake chan struct{}
}

func newSpoolSource(logs storage.LogStore, doc *streamDoc, cp checkpoint, wake chan struct{}) *spoolSource {
	src := &spoolSource{logs: logs, log: doc.spoolLog(), uid: doc.UID, wake: wake}
	if p, ok := cp.Positions[spoolPart]; ok {
		src.next, _ = strconv.ParseUint(p, 10, 64)
	}
	return src
}

func (s *spoolSource) read(ctx context.Context, wait time.Duration) ([]srcRecord, error) {
	recs, err := s.logs.Read(ctx, s.log, s.next, readBatch, readBatchBytes)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
		if recs, err = s.logs.Read(ctx, s.log, s.next, readBatch, readBatchBytes); err != nil {
			return nil, err
		}
	}
	out := make([]srcRecord, len(recs))
	for i, r := range recs {
		out[i] = srcRecord{
			part:      spoolPart,
			pos:       strconv.FormatUint(r.Offset+1, 10),
			id:        s.uid + "-" + strconv.FormatUint(r.Offset, 10),
			data:      r.Data,
			arrivalMs: r.ArrivalMs,
		}
	}
	if n := len(recs); n > 0 {
		s.next = recs[n-1].Offset + 1
	}
	return out, nil
}

// committed trims the spool below the checkpoint: those records were
// delivered.
func (s *spoolSource) committed(ctx context.Context, cp checkpoint) {
	if p, ok := cp.Positions[spoolPart]; ok {
		if off, err := strconv.ParseUint(p, 10, 64); err == nil {
			_ = s.logs.Trim(ctx, s.log, off)
		}
	}
}

func (s *spoolSource) close() {}
