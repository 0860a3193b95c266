package firehose

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/freshet/freshet/internal/firehose/process"
)

// KinesisSource is how a delivery stream reads the Kinesis data stream
// that feeds it. internal/app implements it over the streams service.
type KinesisSource interface {
	// Shards lists every shard of the stream, open and closed.
	Shards(ctx context.Context, streamARN string) ([]KinesisShard, error)
	// Read returns up to limit records of a shard after sequence number
	// after ("" reads from TRIM_HORIZON). End is true once a closed shard
	// has been read to its end.
	Read(ctx context.Context, streamARN, shardID, after string, limit int) (KinesisBatch, error)
}

// KinesisShard is one shard and the shards it came from.
type KinesisShard struct {
	ID      string
	Parents []string
}

// KinesisBatch is what one Read returns.
type KinesisBatch struct {
	Records []KinesisRecord
	End     bool
}

// KinesisRecord is one record of a shard, as stored (KPL aggregates are
// de-aggregated by the processing stage).
type KinesisRecord struct {
	SequenceNumber string
	PartitionKey   string
	Data           []byte
	ArrivalMs      int64
}

const (
	shardEnd          = "END"
	kinesisPoll       = 200 * time.Millisecond
	kinesisDiscovery  = time.Second
	kinesisQueueDepth = 4
)

// kinesisSource reads every shard of a stream from TRIM_HORIZON (or the
// checkpoint), starting a child shard only once its parents were read to
// their end, so records of one partition key stay in order.
type kinesisSource struct {
	k      KinesisSource
	arn    string
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	out    chan []srcRecord
	wg     sync.WaitGroup

	mu       sync.Mutex
	started  map[string]bool
	finished map[string]bool // read to the end (or already checkpointed so)
	from     map[string]string
}

func newKinesisSource(k KinesisSource, arn string, cp checkpoint, log *slog.Logger) *kinesisSource {
	ctx, cancel := context.WithCancel(context.Background())
	src := &kinesisSource{
		k: k, arn: arn, log: log, ctx: ctx, cancel: cancel,
		out:      make(chan []srcRecord, kinesisQueueDepth),
		started:  map[string]bool{},
		finished: map[string]bool{},
		from:     map[string]string{},
	}
	for shard, pos := range cp.Positions {
		if pos == shardEnd {
			src.finished[shard] = true
		} else {
			src.from[shard] = pos
		}
	}
	src.wg.Add(1)
	go src.discover()
	return src
}

// discover starts a reader for every shard whose parents are finished.
func (k *kinesisSource) discover() {
	defer k.wg.Done()
	for {
		shards, err := k.k.Shards(k.ctx, k.arn)
		if err != nil && k.ctx.Err() == nil {
			k.log.Warn("list source shards", "stream", k.arn, "err", err)
		}
		k.mu.Lock()
		known := map[string]bool{}
		for _, sh := range shards {
			known[sh.ID] = true
		}
		for _, sh := range shards {
			if k.started[sh.ID] || k.finished[sh.ID] {
				continue
			}
			ready := true
			for _, p := range sh.Parents {
				// A parent trimmed away by retention no longer blocks.
				if known[p] && !k.finished[p] {
					ready = false
				}
			}
			if ready {
				k.started[sh.ID] = true
				k.wg.Add(1)
				go k.readShard(sh.ID, k.from[sh.ID])
			}
		}
		k.mu.Unlock()
		select {
		case <-k.ctx.Done():
			return
		case <-time.After(kinesisDiscovery):
		}
	}
}

func (k *kinesisSource) readShard(shard, after string) {
	defer k.wg.Done()
	for {
		b, err := k.k.Read(k.ctx, k.arn, shard, after, readBatch)
		if k.ctx.Err() != nil {
			return
		}
		if err != nil {
			k.log.Warn("read source shard", "stream", k.arn, "shard", shard, "err", err)
			if !k.pause(time.Second) {
				return
			}
			continue
		}
		recs := make([]srcRecord, 0, len(b.Records)+1)
		for _, r := range b.Records {
			recs = append(recs, srcRecord{
				part:      shard,
				pos:       r.SequenceNumber,
				id:        shard + "-" + r.SequenceNumber,
				data:      r.Data,
				arrivalMs: r.ArrivalMs,
				kinesis: &process.KinesisMetadata{
					ShardID: shard, PartitionKey: r.PartitionKey, SequenceNumber: r.SequenceNumber,
					ApproximateArrivalTimestamp: r.ArrivalMs,
				},
			})
			after = r.SequenceNumber
		}
		if b.End {
			recs = append(recs, srcRecord{part: shard, pos: shardEnd, marker: true})
		}
		if len(recs) > 0 {
			select {
			case k.out <- recs:
			case <-k.ctx.Done():
				return
			}
		}
		if b.End {
			k.mu.Lock()
			k.finished[shard] = true
			k.mu.Unlock()
			return
		}
		if len(b.Records) == 0 && !k.pause(kinesisPoll) {
			return
		}
	}
}

func (k *kinesisSource) pause(d time.Duration) bool {
	select {
	case <-k.ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

func (k *kinesisSource) read(ctx context.Context, wait time.Duration) ([]srcRecord, error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case recs := <-k.out:
		return recs, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, nil
	}
}

func (k *kinesisSource) committed(context.Context, checkpoint) {}

func (k *kinesisSource) close() {
	k.cancel()
	k.wg.Wait()
}
