package streams

import (
	"context"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
)

const (
	minRetentionHours = 24
	maxRetentionHours = 8760
)

// IncreaseStreamRetentionPeriod lengthens how long records are kept.
func (s *Service) IncreaseStreamRetentionPeriod(ctx context.Context, in *kinesisapi.IncreaseStreamRetentionPeriodInput) (*struct{}, error) {
	return s.setRetention(ctx, in.StreamName, in.StreamARN, in.RetentionPeriodHours, true)
}

// DecreaseStreamRetentionPeriod shortens how long records are kept.
func (s *Service) DecreaseStreamRetentionPeriod(ctx context.Context, in *kinesisapi.DecreaseStreamRetentionPeriodInput) (*struct{}, error) {
	return s.setRetention(ctx, in.StreamName, in.StreamARN, in.RetentionPeriodHours, false)
}

func (s *Service) setRetention(ctx context.Context, name, arn *string, hours int64, increase bool) (*struct{}, error) {
	t, err := s.resolve(ctx, name, arn)
	if err != nil {
		return nil, err
	}
	st, _, err := s.get(t)
	if err != nil {
		return nil, err
	}
	if hours < minRetentionHours {
		return nil, awserr.Newf("InvalidArgumentException", "Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetentionHours, hours)
	}
	if hours > maxRetentionHours {
		return nil, awserr.Newf("InvalidArgumentException", "Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", maxRetentionHours, hours)
	}
	err = s.update(ctx, st, func(doc *streamDoc) error {
		if err := s.requireActive(doc); err != nil {
			return err
		}
		if increase && hours < doc.RetentionHours {
			return awserr.Newf("InvalidArgumentException", "Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, doc.Name, doc.RetentionHours)
		}
		if !increase && hours > doc.RetentionHours {
			return awserr.Newf("InvalidArgumentException", "Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, doc.Name, doc.RetentionHours)
		}
		doc.RetentionHours = hours
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// housekeeping runs until Close: it removes streams that finished
// DELETING and trims records older than each stream's retention.
func (s *Service) housekeeping() {
	defer s.bg.Done()
	tick := time.NewTicker(s.opts.HousekeepingInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			s.Sweep(context.Background())
		}
	}
}

// Sweep does one round of housekeeping now.
func (s *Service) Sweep(ctx context.Context) {
	now := s.now()
	s.mu.Lock()
	for key, st := range s.streams {
		if st.state.Load().doc.gone(now) {
			if err := s.sweepLocked(ctx, key, st); err != nil {
				s.log.Error("remove deleted stream", "key", key, "err", err)
			}
		}
	}
	live := make([]*streamState, 0, len(s.streams))
	for _, st := range s.streams {
		live = append(live, st.state.Load())
	}
	s.mu.Unlock()

	for _, state := range live {
		cutoff := now.UnixMilli() - state.doc.RetentionHours*int64(time.Hour/time.Millisecond)
		for _, sh := range state.doc.Shards {
			if err := s.trim(ctx, state.doc.logName(sh.Index), cutoff); err != nil {
				s.log.Error("retention", "stream", state.doc.Name, "shard_id", shardID(sh.Index), "err", err)
			}
		}
	}
}

// trim drops a log's records that arrived before cutoff. SeekTime is a
// binary search, so this never scans the log.
func (s *Service) trim(ctx context.Context, log string, cutoff int64) error {
	first, _, err := s.logs.Bounds(ctx, log)
	if err != nil {
		return err
	}
	keep, err := s.logs.SeekTime(ctx, log, cutoff)
	if err != nil {
		return err
	}
	if keep <= first {
		return nil
	}
	return s.logs.Trim(ctx, log, keep)
}
