package firehose

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/request"
	"github.com/freshet/freshet/internal/storage"
)

// Options configures a Service.
type Options struct {
	Store  storage.Backend
	Logger *slog.Logger
	// Account and Region are used when a request carries neither.
	Account string
	Region  string
	// StateDelay is how long CREATING and DELETING last.
	StateDelay time.Duration
	// StreamLimit is the number of delivery streams per account and
	// region (50 on AWS).
	StreamLimit int
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	// S3 is where S3 objects go: Freshet itself by default.
	S3 S3Endpoint
	// GlueEndpoint serves GetTable for record format conversion.
	GlueEndpoint string
	// LambdaEndpoint serves the Lambda Invoke API for transforms.
	LambdaEndpoint string
	// Kinesis reads the Kinesis streams that feed KinesisStreamAsSource
	// delivery streams; nil refuses such streams.
	Kinesis KinesisSource
	// HTTPClient is used for every outbound call; a default when nil.
	HTTPClient *http.Client
	// RetryBase scales every retry delay (tests shorten it); 1 s when 0.
	RetryBase time.Duration
	// Metrics records CloudWatch-named metrics; nil records nothing.
	Metrics Recorder
}

// Recorder takes metrics under their CloudWatch names (namespace
// AWS/Firehose, dimension DeliveryStreamName).
type Recorder interface {
	Count(stream, metric string, v float64)
	Gauge(stream, metric string, v float64)
}

type noMetrics struct{}

func (noMetrics) Count(string, string, float64) {}
func (noMetrics) Gauge(string, string, float64) {}

// S3Endpoint is an S3-compatible server and its credentials.
type S3Endpoint struct {
	URL       string
	AccessKey string
	SecretKey string
	Region    string
}

// Service is the Data Firehose domain.
type Service struct {
	opts Options
	log  *slog.Logger
	meta storage.MetaStore
	logs storage.LogStore
	now  func() time.Time
	out  *outbound

	mu      sync.Mutex // guards streams
	streams map[string]*deliveryStream

	stop chan struct{}
	bg   sync.WaitGroup
}

// deliveryStream is one delivery stream: its document and its running
// pipeline. mu serialises control-plane changes to it.
type deliveryStream struct {
	key  string
	mu   sync.Mutex
	doc  *streamDoc
	rev  uint64
	pipe *pipeline
	// wake is signalled when records are spooled.
	wake chan struct{}
}

// New returns a Service; call Initialize before use and Close after.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.StreamLimit == 0 {
		opts.StreamLimit = 50
	}
	if opts.RetryBase == 0 {
		opts.RetryBase = time.Second
	}
	if opts.Metrics == nil {
		opts.Metrics = noMetrics{}
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 5 * time.Minute}
	}
	return &Service{
		opts:    opts,
		log:     opts.Logger,
		meta:    opts.Store.Meta(),
		logs:    opts.Store.Logs(),
		now:     opts.Now,
		streams: map[string]*deliveryStream{},
		stop:    make(chan struct{}),
	}
}

// Initialize loads every delivery stream and starts its pipeline.
func (s *Service) Initialize(ctx context.Context) error {
	out, err := newOutbound(s.opts)
	if err != nil {
		return err
	}
	s.out = out
	entries, err := s.meta.List(ctx, "firehose/stream/")
	if err != nil {
		return fmt.Errorf("firehose: load streams: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		doc, err := decodeDoc(e.Value)
		if err != nil {
			return err
		}
		ds := &deliveryStream{key: e.Key, doc: doc, rev: e.Rev, wake: make(chan struct{}, 1)}
		s.streams[e.Key] = ds
		if doc.DeletingMs == 0 {
			s.startPipeline(ds)
		}
	}
	s.bg.Add(1)
	go s.housekeeping()
	return nil
}

// Close stops every pipeline. Records still buffered stay in the spool (or
// the source stream) and are delivered after the next start.
func (s *Service) Close() error {
	select {
	case <-s.stop:
		return nil
	default:
		close(s.stop)
	}
	s.bg.Wait()
	s.mu.Lock()
	streams := make([]*deliveryStream, 0, len(s.streams))
	for _, ds := range s.streams {
		streams = append(streams, ds)
	}
	s.mu.Unlock()
	for _, ds := range streams {
		ds.mu.Lock()
		if ds.pipe != nil {
			ds.pipe.stop(false)
			ds.pipe = nil
		}
		ds.mu.Unlock()
	}
	return nil
}

// housekeeping removes streams that finished deleting.
func (s *Service) housekeeping() {
	defer s.bg.Done()
	tick := time.NewTicker(max(s.opts.StateDelay/2, 100*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		s.sweep(context.Background())
	}
}

func (s *Service) sweep(ctx context.Context) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, ds := range s.streams {
		if ds.doc.gone(now, s.opts.StateDelay) {
			if err := s.sweepLocked(ctx, key, ds); err != nil {
				s.log.Warn("sweep deleted delivery stream", "stream", ds.doc.Name, "err", err)
			}
		}
	}
}

// sweepLocked drops a deleted stream's document, spool and checkpoint.
func (s *Service) sweepLocked(ctx context.Context, key string, ds *deliveryStream) error {
	if err := s.logs.DeleteLog(ctx, ds.doc.spoolLog()); err != nil {
		return err
	}
	if _, rev, err := s.meta.Get(ctx, checkpointKey(ds.doc)); err == nil {
		_ = s.meta.Delete(ctx, checkpointKey(ds.doc), rev)
	}
	if err := s.meta.Delete(ctx, key, ds.rev); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	delete(s.streams, key)
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

// lookup returns the named stream, unless it does not exist or finished
// deleting.
func (s *Service) lookup(ctx context.Context, name string) (*deliveryStream, error) {
	account, region := s.caller(ctx)
	s.mu.Lock()
	ds := s.streams[metaKey(account, region, name)]
	s.mu.Unlock()
	if ds == nil || ds.snapshot().gone(s.now(), s.opts.StateDelay) {
		return nil, notFound(name, account)
	}
	return ds, nil
}

func (ds *deliveryStream) snapshot() *streamDoc {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return ds.doc
}

// save stores doc as the stream's new document; ds.mu is held.
func (s *Service) save(ctx context.Context, ds *deliveryStream, doc *streamDoc) error {
	b, err := jsonMarshal(doc)
	if err != nil {
		return err
	}
	rev, err := s.meta.Put(ctx, ds.key, b, ds.rev)
	if err != nil {
		return fmt.Errorf("firehose: store stream: %w", err)
	}
	ds.doc, ds.rev = doc, rev
	return nil
}

// list returns the streams of one account and region, by name.
func (s *Service) list(account, region string) []*deliveryStream {
	prefix := metaKey(account, region, "")
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*deliveryStream
	for key, ds := range s.streams {
		if len(key) > len(prefix) && key[:len(prefix)] == prefix && !ds.doc.gone(now, s.opts.StateDelay) {
			out = append(out, ds)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func notFound(name, account string) *awserr.Error {
	return awserr.Newf("ResourceNotFoundException", "Firehose %s under account %s not found.", name, account)
}

func invalidArgument(format string, args ...any) *awserr.Error {
	return awserr.Newf("InvalidArgumentException", format, args...)
}
