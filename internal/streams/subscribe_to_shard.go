package streams

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/storage"
)

const (
	subscriptionLifetime = 5 * time.Minute
	// An event goes out at least this often, records or not, so the
	// consumer sees MillisBehindLatest and knows the subscription lives.
	subscriptionHeartbeat = 5 * time.Second
	// AWS allows one SubscribeToShard per consumer and shard every 5 s.
	resubscribeInterval = 5 * time.Second
	eventMaxRecords     = 10000
	eventMaxBytes       = 2 << 20
)

// Subscription is one SubscribeToShard: Next returns its events in order,
// pushing records as they are appended, and io.EOF when it ends (after its
// lifetime, or after the event that reports a closed shard's children).
type Subscription struct {
	s        *Service
	t        target
	shard    uint32
	log      string
	offset   uint64
	deadline time.Time
	done     bool
	first    bool
	budget   bucket // 2 MiB/s per consumer and shard, with --enforce-throughput
}

// SubscribeToShard starts a subscription for an ACTIVE consumer.
func (s *Service) SubscribeToShard(ctx context.Context, in *kinesisapi.SubscribeToShardInput) (kinesisapi.EventSource, error) {
	arn := in.ConsumerARN
	_, state, name, err := s.findConsumer(ctx, nil, nil, &arn)
	if err != nil {
		return nil, err
	}
	now := s.now()
	doc := state.doc
	t := target{account: doc.Account, region: doc.Region, name: doc.Name}
	if c := state.consumer(name, now); c.status(now) != statusActive {
		return nil, awserr.Newf("ResourceInUseException", "Consumer %s under stream %s under account %s is not ACTIVE.", name, doc.Name, doc.Account)
	}
	index, ok := parseShardID(in.ShardId)
	sh := state.shard(index)
	if !ok || sh == nil {
		return nil, shardNotFound(in.ShardId, t)
	}
	key := in.ConsumerARN + "|" + shardID(index)
	if !s.subs.claim(key, now) {
		return nil, awserr.Newf("ResourceInUseException", "Another active subscription exists for consumer %s and shard %s, or one started less than 5 seconds ago.", in.ConsumerARN, shardID(index))
	}
	log := doc.logName(index)
	p := in.StartingPosition
	offset, err := s.startOffset(ctx, t, sh, log, p.Type, p.SequenceNumber, p.Timestamp)
	if err != nil {
		s.subs.release(key)
		return nil, err
	}
	lifetime := s.opts.SubscriptionLifetime
	if lifetime == 0 {
		lifetime = subscriptionLifetime
	}
	return &Subscription{s: s, t: t, shard: index, log: log, offset: offset, deadline: now.Add(lifetime), first: true}, nil
}

// Next waits for the next event. The caller must call Close when done.
func (sub *Subscription) Next(ctx context.Context) (*kinesisapi.SubscribeToShardEvent, error) {
	s := sub.s
	if sub.done {
		return nil, io.EOF
	}
	heartbeat := time.NewTimer(subscriptionHeartbeat)
	defer heartbeat.Stop()
	for {
		now := s.now()
		if !now.Before(sub.deadline) {
			sub.done = true
			return nil, io.EOF
		}
		if s.opts.EnforceThroughput {
			// Each consumer gets 2 MiB/s per shard: past its budget the
			// next event waits (fan-out throttles by pacing, not errors).
			sub.budget.refill(now, readBytesPerSec, readBytesPerSec)
			if sub.budget.tokens <= 0 {
				wait := time.Duration(-sub.budget.tokens / readBytesPerSec * float64(time.Second))
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-time.After(max(wait, time.Millisecond)):
				}
				continue
			}
		}
		_, state, err := s.getActive(sub.t)
		if err != nil {
			return nil, err
		}
		sh := state.shard(sub.shard)
		wake := s.signals.Wait(sub.log) // before reading: no append slips between
		recs, err := s.logs.Read(ctx, sub.log, sub.offset, eventMaxRecords, eventMaxBytes)
		if err != nil {
			return nil, fmt.Errorf("streams: subscription read: %w", err)
		}
		ended := !sh.open() && sub.offset+uint64(len(recs)) >= *sh.EndOffset
		if len(recs) > 0 || ended || sub.first {
			sub.first = false
			return sub.event(ctx, state, sh, recs, ended, now)
		}
		select {
		case <-s.drain:
			sub.done = true
			return nil, io.EOF
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		case <-heartbeat.C:
			return sub.event(ctx, state, sh, nil, false, s.now())
		case <-time.After(time.Until(sub.deadline)):
		}
	}
}

func (sub *Subscription) event(ctx context.Context, state *streamState, sh *shardDoc, recs []storage.StoredRecord, ended bool, now time.Time) (*kinesisapi.SubscribeToShardEvent, error) {
	s := sub.s
	encrypted, err := s.openRecords(state.doc, sh, recs)
	if err != nil {
		return nil, err
	}
	ev := &kinesisapi.SubscribeToShardEvent{Records: recordsView(sh, recs, encrypted)}
	if n := len(recs); n > 0 {
		sub.offset = recs[n-1].Offset + 1
	}
	if s.opts.EnforceThroughput {
		for i := range recs {
			sub.budget.tokens -= float64(len(recs[i].Data))
		}
	}
	_, tip, err := s.logs.Bounds(ctx, sub.log)
	if err != nil {
		return nil, fmt.Errorf("streams: subscription bounds: %w", err)
	}
	if sub.offset < tip && len(recs) > 0 {
		ev.MillisBehindLatest = max(0, now.UnixMilli()-recs[len(recs)-1].ArrivalMs)
	}
	// Continue after the last record delivered; before any, at the start.
	cont := sh.startSeq()
	if sub.offset > 0 {
		cont = seqNum{shardCreateSec: uint64(sh.CreatedMs / 1000), shardIndex: sh.Index, offset: sub.offset - 1, timeSec: uint64(now.Unix())}
		if n := len(recs); n > 0 {
			cont.timeSec = uint64(recs[n-1].ArrivalMs / 1000)
		}
	}
	ev.ContinuationSequenceNumber = cont.String()
	if ended {
		ev.ChildShards = childShards(state.doc, sh)
		sub.done = true
	}
	return ev, nil
}

// subscriptions allows one SubscribeToShard per consumer and shard every
// 5 seconds, as AWS does.
type subscriptions struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (r *subscriptions) claim(key string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]time.Time{}
	}
	if t, ok := r.last[key]; ok && now.Sub(t) < resubscribeInterval {
		return false
	}
	for k, t := range r.last { // forget old claims
		if now.Sub(t) >= resubscribeInterval {
			delete(r.last, k)
		}
	}
	r.last[key] = now
	return true
}

func (r *subscriptions) release(key string) {
	r.mu.Lock()
	delete(r.last, key)
	r.mu.Unlock()
}
