package streams

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/request"
	"github.com/freshet/freshet/internal/storage"
)

// Options configures a Service.
type Options struct {
	Store  storage.Backend
	Logger *slog.Logger
	// Account and Region are used when a request carries neither (unsigned).
	Account string
	Region  string
	// StateDelay is how long CREATING, UPDATING and DELETING last.
	StateDelay time.Duration
	// ShardLimit is the account's shard limit per region.
	ShardLimit int
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// HousekeepingInterval is how often retention and deleted streams are
	// swept; one minute when zero.
	HousekeepingInterval time.Duration
	// EnforceThroughput applies AWS's per-shard limits.
	EnforceThroughput bool
	// FaultThrottleProbability throttles this share of records and calls.
	FaultThrottleProbability float64
	// ScaleInterval is how often on-demand streams are checked for hot
	// shards; one second when zero.
	ScaleInterval time.Duration
	// MasterKey (32 bytes) is what record keys are derived from when a
	// stream is encrypted; without it StartStreamEncryption fails.
	MasterKey []byte
	// SubscriptionLifetime is how long a SubscribeToShard lasts; five
	// minutes, as on AWS, when zero (tests shorten it).
	SubscriptionLifetime time.Duration
}

// Service is the Data Streams domain.
type Service struct {
	opts   Options
	log    *slog.Logger
	meta   storage.MetaStore
	logs   storage.LogStore
	now    func() time.Time
	secret []byte

	mu      sync.Mutex // guards streams (the map, not the streams)
	streams map[string]*stream

	keys     keyring       // record encryption keys
	throttle throttle      // per-shard token buckets
	meters   meters        // write rates of on-demand shards
	signals  signals       // wakes subscriptions when records arrive
	subs     subscriptions // SubscribeToShard rate per consumer and shard
	drain    chan struct{} // closed by EndSubscriptions
	drained  sync.Once

	stop chan struct{}
	bg   sync.WaitGroup // housekeeping and the on-demand scaler
}

// stream is the in-memory view of one stream. Its state is replaced as a
// whole on every change, so the data plane reads it without locks.
type stream struct {
	key   string
	mu    sync.Mutex // serialises control-plane changes
	state atomic.Pointer[streamState]
	// writes is held shared by every append and exclusively while shards
	// close, so a closing shard's last offset is final: no append that
	// routed to it is still in flight.
	writes sync.RWMutex
}

type streamState struct {
	doc    *streamDoc
	rev    uint64
	routes []route // open shards by starting hash key
}

type route struct {
	start, end uint128
	shard      *shardDoc
	log        string
	id         string
}

// New returns a Service; call Initialize before use and Close after.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.HousekeepingInterval == 0 {
		opts.HousekeepingInterval = time.Minute
	}
	return &Service{
		opts:    opts,
		log:     opts.Logger,
		meta:    opts.Store.Meta(),
		logs:    opts.Store.Logs(),
		now:     opts.Now,
		streams: map[string]*stream{},
		stop:    make(chan struct{}),
		drain:   make(chan struct{}),
		keys:    keyring{master: opts.MasterKey},
	}
}

const secretKey = "kinesis/iterator-key"

// Initialize loads every stream and the iterator key, then starts
// housekeeping (retention, removal of deleted streams).
func (s *Service) Initialize(ctx context.Context) error {
	secret, _, err := s.meta.Get(ctx, secretKey)
	if errors.Is(err, storage.ErrNotFound) {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return fmt.Errorf("streams: iterator key: %w", err)
		}
		if _, err := s.meta.Put(ctx, secretKey, secret, 0); err != nil {
			return fmt.Errorf("streams: store iterator key: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("streams: load iterator key: %w", err)
	}
	s.secret = secret

	entries, err := s.meta.List(ctx, "kinesis/stream/")
	if err != nil {
		return fmt.Errorf("streams: load streams: %w", err)
	}
	for _, e := range entries {
		doc, err := decodeDoc(e.Value)
		if err != nil {
			return err
		}
		st := &stream{key: e.Key}
		st.state.Store(newState(doc, e.Rev))
		s.streams[e.Key] = st
	}
	s.bg.Add(2)
	go s.housekeeping()
	interval := s.opts.ScaleInterval
	if interval == 0 {
		interval = time.Second
	}
	go s.scaleOnDemand(interval)
	return nil
}

// EndSubscriptions ends every SubscribeToShard stream (their next event is
// the end), so a graceful shutdown does not wait out five-minute streams.
func (s *Service) EndSubscriptions() {
	s.drained.Do(func() { close(s.drain) })
}

// Close stops housekeeping.
func (s *Service) Close() error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
		s.bg.Wait()
	}
	return nil
}

func newState(doc *streamDoc, rev uint64) *streamState {
	st := &streamState{doc: doc, rev: rev}
	for i := range doc.Shards {
		sh := &doc.Shards[i]
		if !sh.open() {
			continue
		}
		start, _ := parseUint128(sh.StartHash)
		end, _ := parseUint128(sh.EndHash)
		st.routes = append(st.routes, route{start: start, end: end, shard: sh, log: doc.logName(sh.Index), id: shardID(sh.Index)})
	}
	sort.Slice(st.routes, func(i, j int) bool { return st.routes[i].start.cmp(st.routes[j].start) < 0 })
	return st
}

// routeFor returns the open shard whose range holds h.
func (st *streamState) routeFor(h uint128) *route {
	r := st.routes
	i := sort.Search(len(r), func(i int) bool { return r[i].end.cmp(h) >= 0 })
	if i == len(r) || r[i].start.cmp(h) > 0 {
		return nil
	}
	return &r[i]
}

func (st *streamState) shard(index uint32) *shardDoc {
	for i := range st.doc.Shards {
		if st.doc.Shards[i].Index == index {
			return &st.doc.Shards[i]
		}
	}
	return nil
}

// caller returns the account and region a request acts in.
func (s *Service) caller(ctx context.Context) (account, region string) {
	info := request.FromContext(ctx)
	account, region = info.Account, info.Region
	if account == "" {
		account = s.opts.Account
	}
	if region == "" {
		region = s.opts.Region
	}
	return account, region
}

// target names the stream a request addresses, from StreamName or
// StreamARN (an ARN names its own account and region).
type target struct {
	account, region, name string
}

func (s *Service) resolve(ctx context.Context, name, arn *string) (target, error) {
	account, region := s.caller(ctx)
	t := target{account: account, region: region}
	if arn != nil && *arn != "" {
		a, r, n, ok := parseStreamARN(*arn)
		if !ok {
			return t, awserr.New("InvalidArgumentException", "Invalid StreamARN "+*arn)
		}
		if name != nil && *name != "" && *name != n {
			return t, awserr.New("InvalidArgumentException", "StreamARN "+*arn+" and StreamName "+*name+" refer to different streams.")
		}
		t.account, t.region, t.name = a, r, n
		return t, nil
	}
	if name == nil || *name == "" {
		return t, awserr.ValidationError("Either StreamName or StreamARN must be provided")
	}
	t.name = *name
	return t, nil
}

// parseStreamARN splits arn:aws:kinesis:REGION:ACCOUNT:stream/NAME.
func parseStreamARN(arn string) (account, region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" || !strings.HasPrefix(parts[5], "stream/") {
		return "", "", "", false
	}
	name = strings.TrimPrefix(parts[5], "stream/")
	if name == "" || strings.Contains(name, "/") {
		return "", "", "", false
	}
	return parts[4], parts[3], name, true
}

func notFound(t target) error {
	return awserr.Newf("ResourceNotFoundException", "Stream %s under account %s not found.", t.name, t.account)
}

// get returns the stream t names unless it does not exist or has finished
// deleting.
func (s *Service) get(t target) (*stream, *streamState, error) {
	key := metaKey(t.account, t.region, t.name)
	s.mu.Lock()
	st := s.streams[key]
	s.mu.Unlock()
	if st == nil {
		return nil, nil, notFound(t)
	}
	state := st.state.Load()
	if state == nil || state.doc.gone(s.now()) {
		return nil, nil, notFound(t)
	}
	return st, state, nil
}

// lookup resolves StreamName or StreamARN and returns the stream.
func (s *Service) lookup(ctx context.Context, name, arn *string) (target, *stream, *streamState, error) {
	t, err := s.resolve(ctx, name, arn)
	if err != nil {
		return t, nil, nil, err
	}
	st, state, err := s.get(t)
	return t, st, state, err
}

// getActive is get for the data plane: a stream that is still CREATING or
// already DELETING cannot be written or read.
func (s *Service) getActive(t target) (*stream, *streamState, error) {
	st, state, err := s.get(t)
	if err != nil {
		return nil, nil, err
	}
	if status := state.doc.status(s.now()); status == statusCreating || status == statusDeleting {
		return nil, nil, notFound(t)
	}
	return st, state, nil
}

// update applies change to the stream's document under its lock and
// stores it with a revision check. change returns an API error to abort.
func (s *Service) update(ctx context.Context, st *stream, change func(doc *streamDoc) error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	cur := st.state.Load()
	doc := cloneDoc(cur.doc)
	if err := change(doc); err != nil {
		return err
	}
	b, err := encodeDoc(doc)
	if err != nil {
		return fmt.Errorf("streams: encode: %w", err)
	}
	rev, err := s.meta.Put(ctx, st.key, b, cur.rev)
	if err != nil {
		return fmt.Errorf("streams: store %s: %w", doc.Name, err)
	}
	st.state.Store(newState(doc, rev))
	return nil
}

func cloneDoc(d *streamDoc) *streamDoc {
	c := *d
	c.Shards = append([]shardDoc(nil), d.Shards...)
	c.Metrics = append([]string(nil), d.Metrics...)
	c.Consumers = append([]consumerDoc(nil), d.Consumers...)
	if d.Tags != nil {
		c.Tags = make(map[string]string, len(d.Tags))
		for k, v := range d.Tags {
			c.Tags[k] = v
		}
	}
	return &c
}

// requireActive fails with ResourceInUseException unless the stream is ACTIVE.
func (s *Service) requireActive(doc *streamDoc) error {
	if status := doc.status(s.now()); status != statusActive {
		return awserr.Newf("ResourceInUseException", "Stream %s under account %s not ACTIVE, instead in state %s", doc.Name, doc.Account, status)
	}
	return nil
}

// streamsIn returns the live streams of an account and region, by name.
func (s *Service) streamsIn(account, region string) []*streamState {
	prefix := metaPrefix(account, region)
	now := s.now()
	s.mu.Lock()
	var out []*streamState
	for key, st := range s.streams {
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		if state := st.state.Load(); state != nil && !state.doc.gone(now) {
			out = append(out, state)
		}
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].doc.Name < out[j].doc.Name })
	return out
}
