package streams

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/storage"
)

const (
	onDemandShards      = 4
	defaultRetention    = 24
	defaultMaxRecordKiB = 1024
	maxShardsPerCreate  = 100000
	limitsPageURL       = "http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html"
	onDemandStreamLimit = 50
)

// CreateStream creates a stream in CREATING state; it turns ACTIVE after
// the state delay.
func (s *Service) CreateStream(ctx context.Context, in *kinesisapi.CreateStreamInput) (*struct{}, error) {
	account, region := s.caller(ctx)
	mode := modeProvisioned
	if in.StreamModeDetails != nil {
		mode = in.StreamModeDetails.StreamMode
	}
	var shards int64
	switch {
	case mode == modeOnDemand:
		shards = onDemandShards
	case in.ShardCount == nil:
		return nil, awserr.New("InvalidArgumentException", "ShardCount is required for a stream in PROVISIONED mode.")
	default:
		shards = *in.ShardCount
	}
	if shards > maxShardsPerCreate {
		return nil, awserr.ValidationError(awserr.Constraint(fmt.Sprint(shards), "shardCount", fmt.Sprintf("Member must have value less than or equal to %d", maxShardsPerCreate)))
	}
	maxKiB := int64(defaultMaxRecordKiB)
	if in.MaxRecordSizeInKiB != nil {
		maxKiB = *in.MaxRecordSizeInKiB
	}

	key := metaKey(account, region, in.StreamName)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if st := s.streams[key]; st != nil {
		state := st.state.Load()
		if !state.doc.gone(now) {
			return nil, awserr.Newf("ResourceInUseException", "Stream %s under account %s already exists.", in.StreamName, account)
		}
		// A stream that finished DELETING but was not swept yet: sweep it now.
		if err := s.sweepLocked(ctx, key, st); err != nil {
			return nil, err
		}
	}
	open := s.openShardsLocked(account, region, now)
	if open+int(shards) > s.opts.ShardLimit {
		return nil, awserr.Newf("LimitExceededException",
			"This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (%s) for current limits and how to request higher limits.",
			account, region, open, s.opts.ShardLimit, shards, limitsPageURL)
	}

	uid := make([]byte, 8)
	if _, err := rand.Read(uid); err != nil {
		return nil, fmt.Errorf("streams: uid: %w", err)
	}
	createdMs := now.UnixMilli()
	doc := &streamDoc{
		UID:            hex.EncodeToString(uid),
		Name:           in.StreamName,
		Account:        account,
		Region:         region,
		Mode:           mode,
		CreatedMs:      createdMs,
		ReadyMs:        createdMs + s.opts.StateDelay.Milliseconds(),
		RetentionHours: defaultRetention,
		MaxRecordKiB:   maxKiB,
		Tags:           in.Tags,
	}
	for i, r := range splitHashSpace(int(shards)) {
		doc.Shards = append(doc.Shards, shardDoc{Index: uint32(i), StartHash: r[0].String(), EndHash: r[1].String(), CreatedMs: createdMs})
	}
	b, err := encodeDoc(doc)
	if err != nil {
		return nil, fmt.Errorf("streams: encode: %w", err)
	}
	rev, err := s.meta.Put(ctx, key, b, 0)
	if errors.Is(err, storage.ErrConflict) {
		return nil, awserr.Newf("ResourceInUseException", "Stream %s under account %s already exists.", in.StreamName, account)
	}
	if err != nil {
		return nil, fmt.Errorf("streams: create %s: %w", in.StreamName, err)
	}
	st := &stream{key: key}
	st.state.Store(newState(doc, rev))
	s.streams[key] = st
	s.log.Info("stream created", "stream", in.StreamName, "account", account, "region", region, "shards", shards, "mode", mode)
	return &struct{}{}, nil
}

// openShardsLocked counts the open shards of an account in a region. s.mu is held.
func (s *Service) openShardsLocked(account, region string, now time.Time) int {
	prefix := metaPrefix(account, region)
	n := 0
	for key, st := range s.streams {
		if len(key) < len(prefix) || key[:len(prefix)] != prefix {
			continue
		}
		state := st.state.Load()
		if state.doc.gone(now) {
			continue
		}
		n += len(state.routes)
	}
	return n
}
