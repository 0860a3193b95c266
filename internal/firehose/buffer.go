package firehose

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/freshet/freshet/internal/firehose/dest"
	"github.com/freshet/freshet/internal/firehose/process"
	"github.com/freshet/freshet/internal/firehose/s3key"
)

func (g *group) hold(n int) {
	g.mu.Lock()
	g.pending += n
	g.mu.Unlock()
}

// buffer collects the records of one object (one partition).
type buffer struct {
	key        string
	recs       []dest.Record
	queryKeys  map[string]string
	lambdaKeys map[string]string
	refs       map[ref]int
	bytes      int
	started    time.Time
	oldest     int64
	backup     bool
}

func newBuffer(key string, now time.Time) *buffer {
	return &buffer{key: key, refs: map[ref]int{}, started: now}
}

func (b *buffer) add(r process.Record, owner ref) {
	if len(b.recs) == 0 {
		b.queryKeys, b.lambdaKeys = r.QueryKeys, r.LambdaKeys
	}
	if b.oldest == 0 || (r.ArrivalMs != 0 && r.ArrivalMs < b.oldest) {
		b.oldest = r.ArrivalMs
	}
	b.recs = append(b.recs, r.Record)
	b.bytes += len(r.Data)
	b.refs[owner]++
}

// flushBatch is a buffer handed to a sink.
type flushBatch struct {
	dest.Batch
	queryKeys, lambdaKeys map[string]string
	oldest                time.Time
}

// batch turns the buffer into a delivery batch. Its ID is derived from
// the records it holds, so delivering the same records again after a
// crash writes the same object key (an overwrite, not a duplicate).
func (b *buffer) batch(doc *streamDoc, now time.Time) *flushBatch {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%d|%s|%s", doc.UID, doc.Version, len(b.recs), b.recs[0].ID, b.recs[len(b.recs)-1].ID)
	if b.backup {
		h.Write([]byte("|backup"))
	}
	sum := h.Sum(nil)
	sum[6] = sum[6]&0x0f | 0x40
	sum[8] = sum[8]&0x3f | 0x80
	id := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
	oldest := now
	if b.oldest > 0 {
		oldest = time.UnixMilli(b.oldest)
	}
	return &flushBatch{
		Batch:     dest.Batch{ID: id, Stream: doc.Name, StreamARN: doc.arn(), Records: b.recs, Now: now},
		queryKeys: b.queryKeys, lambdaKeys: b.lambdaKeys, oldest: oldest,
	}
}

// procBuffer collects records for one Lambda invocation batch.
type procBuffer struct {
	items   []process.Record
	refs    map[ref]int
	bytes   int
	started time.Time
}

func (b *procBuffer) add(r process.Record, owner ref) {
	b.items = append(b.items, r)
	b.bytes += len(r.Data)
	b.refs[owner]++
}

// partitioner keys records by their dynamic partitioning keys.
type partitioner struct {
	tmpl *s3key.Template
}

// key returns the buffer key of a record, or the failure that sends it to
// the error output (a missing key, or too many active partitions).
func (pt *partitioner) key(r process.Record, active int, now time.Time) (string, *dest.Failure) {
	var sb strings.Builder
	for _, set := range []struct {
		names []string
		vals  map[string]string
		tag   string
	}{{pt.tmpl.QueryKeys(), r.QueryKeys, "q"}, {pt.tmpl.LambdaKeys(), r.LambdaKeys, "l"}} {
		names := append([]string(nil), set.names...)
		sort.Strings(names)
		for _, n := range names {
			v, ok := set.vals[n]
			if !ok {
				f := partitionFailure(r, "DynamicPartitioning.MetadataExtractionFailed", fmt.Sprintf("The partition key %s has no value for this record.", n), now)
				return "", &f
			}
			fmt.Fprintf(&sb, "%s:%s=%q;", set.tag, n, v)
		}
	}
	return sb.String(), nil
}
