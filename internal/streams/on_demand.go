package streams

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// On-demand scaling: a stream in ON_DEMAND mode gains shards when writes
// stay near a shard's limits. Every PutRecord(s) on such a stream counts
// into its shard's meter; once a second the scaler reads the meters, and a
// shard that ran above 80 % of 1,000 records/s or 1 MiB/s for five seconds
// in a row is split at the middle of its hash range (subject to the
// account's shard limit). DescribeStreamSummary shows the new OpenShardCount.

const (
	scaleThreshold = 0.8
	scaleSustain   = 5 // seconds above the threshold before a split
)

type shardMeter struct {
	records, bytes atomic.Int64
	hot            int // consecutive seconds above the threshold (scaler only)
}

type meters struct {
	m sync.Map // log name -> *shardMeter
}

func (m *meters) add(log string, records, bytes int) {
	v, ok := m.m.Load(log)
	if !ok {
		v, _ = m.m.LoadOrStore(log, &shardMeter{})
	}
	sm := v.(*shardMeter)
	sm.records.Add(int64(records))
	sm.bytes.Add(int64(bytes))
}

// scaleOnDemand runs until Close, once per interval.
func (s *Service) scaleOnDemand(interval time.Duration) {
	defer s.bg.Done()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			s.ScaleOnce(context.Background(), interval)
		}
	}
}

// ScaleOnce reads every on-demand shard's meter over the last interval and
// splits the shards that have been hot long enough.
func (s *Service) ScaleOnce(ctx context.Context, interval time.Duration) {
	s.mu.Lock()
	var onDemand []*stream
	for _, st := range s.streams {
		if st.state.Load().doc.Mode == modeOnDemand {
			onDemand = append(onDemand, st)
		}
	}
	s.mu.Unlock()
	secs := interval.Seconds()
	for _, st := range onDemand {
		state := st.state.Load()
		for _, rt := range state.routes {
			v, ok := s.meters.m.Load(rt.log)
			if !ok {
				continue
			}
			sm := v.(*shardMeter)
			recs := float64(sm.records.Swap(0)) / secs
			bytes := float64(sm.bytes.Swap(0)) / secs
			if recs < scaleThreshold*writeRecordsPerSec && bytes < scaleThreshold*writeBytesPerSec {
				sm.hot = 0
				continue
			}
			sm.hot++
			if sm.hot < scaleSustain || state.doc.status(s.now()) != statusActive {
				continue
			}
			sm.hot = 0
			if err := s.splitHot(ctx, state.doc, rt); err != nil {
				s.log.Warn("on-demand scaling", "stream", state.doc.Name, "shard_id", rt.id, "err", err)
				continue
			}
			s.log.Info("on-demand scaling split a hot shard", "stream", state.doc.Name, "shard_id", rt.id)
			break // one split per stream per round; the next round sees the new shards
		}
	}
}

// splitHot splits a shard at the middle of its hash key range.
func (s *Service) splitHot(ctx context.Context, doc *streamDoc, rt route) error {
	arn := doc.arn()
	_, err := s.reshard(ctx, nil, &arn, func(tx *reshardTx) error {
		sh := tx.shard(rt.shard.Index)
		if sh == nil || !sh.open() {
			return nil
		}
		start, _ := parseUint128(sh.StartHash)
		end, _ := parseUint128(sh.EndHash)
		width := end.sub(start)
		if width.hi == 0 && width.lo < 2 {
			return nil // too narrow to split
		}
		half, _ := width.div64(2)
		if err := tx.checkLimit(1); err != nil {
			return err
		}
		_, _, err := tx.split(sh.Index, start.addWide(half).add64(1))
		return err
	})
	return err
}
