package streams

import (
	"context"
	"fmt"
)

// Reset deletes every stream, its records and the account settings, as if
// the server had just been installed (the iterator key stays, so old
// iterators still fail as "not found" rather than "invalid"). For test
// suites; the app serves it only with --allow-reset.
func (s *Service) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, st := range s.streams {
		if err := s.sweepLocked(ctx, key, st); err != nil {
			return err
		}
	}
	entries, err := s.meta.List(ctx, "kinesis/account/")
	if err != nil {
		return fmt.Errorf("streams: reset: %w", err)
	}
	for _, e := range entries {
		if err := s.meta.Delete(ctx, e.Key, e.Rev); err != nil {
			return fmt.Errorf("streams: reset: %w", err)
		}
	}
	s.throttle.mu.Lock()
	s.throttle.shards = nil
	s.throttle.mu.Unlock()
	s.log.Info("all state reset")
	return nil
}
