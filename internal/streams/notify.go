package streams

import "sync"

// signals wakes readers waiting for new records in a shard log: Wait hands
// out a channel that the next Notify of that log closes. A log nobody waits
// on costs Notify one map lookup.
type signals struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

func (s *signals) Wait(log string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = map[string]chan struct{}{}
	}
	c, ok := s.ch[log]
	if !ok {
		c = make(chan struct{})
		s.ch[log] = c
	}
	return c
}

func (s *signals) Notify(log string) {
	s.mu.Lock()
	if c, ok := s.ch[log]; ok {
		close(c)
		delete(s.ch, log)
	}
	s.mu.Unlock()
}
