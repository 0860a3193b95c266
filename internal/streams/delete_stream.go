package streams

import (
	"context"
	"errors"
	"fmt"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/storage"
)

// DeleteStream puts a stream in DELETING state; it disappears after the
// state delay and its records are removed by housekeeping.
func (s *Service) DeleteStream(ctx context.Context, in *kinesisapi.DeleteStreamInput) (*struct{}, error) {
	t, st, _, err := s.lookup(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, st, func(doc *streamDoc) error {
		switch doc.status(s.now()) {
		case statusCreating:
			return awserr.New("ResourceInUseException", "Attempt to change a resource which is still in use: Stream is being created: "+doc.Name)
		case statusDeleting:
			return nil // deleting twice is harmless
		}
		if n := liveConsumers(doc, s.now()); n > 0 && (in.EnforceConsumerDeletion == nil || !*in.EnforceConsumerDeletion) {
			return awserr.Newf("ResourceInUseException", "Stream %s under account %s has %d registered consumers; deregister them or set EnforceConsumerDeletion.", doc.Name, doc.Account, n)
		}
		now := s.now().UnixMilli()
		doc.DeletingMs = now
		doc.GoneMs = now + s.opts.StateDelay.Milliseconds()
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("stream deleted", "stream", t.name, "account", t.account, "region", t.region)
	if s.opts.StateDelay == 0 {
		s.mu.Lock()
		err := s.sweepLocked(ctx, st.key, st)
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	return &struct{}{}, nil
}

// sweepLocked removes a stream that finished DELETING: its shard logs, then
// its document. s.mu is held.
func (s *Service) sweepLocked(ctx context.Context, key string, st *stream) error {
	state := st.state.Load()
	for _, sh := range state.doc.Shards {
		if err := s.logs.DeleteLog(ctx, state.doc.logName(sh.Index)); err != nil {
			return fmt.Errorf("streams: delete shard log: %w", err)
		}
	}
	if err := s.meta.Delete(ctx, key, state.rev); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("streams: delete stream document: %w", err)
	}
	delete(s.streams, key)
	return nil
}
