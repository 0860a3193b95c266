package pebblestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble"

	"github.com/freshet/freshet/internal/storage"
)

// Store is the pebble-backed storage.Backend. Open returns one; it is safe
// for concurrent use.
type Store struct {
	db    *pebble.DB
	cache *pebble.Cache
	opts  Options
	log   *slog.Logger
	wopts *pebble.WriteOptions // Sync under SyncAlways, NoSync otherwise

	// closed is set first thing by Close. Readers check it while holding
	// closeMu for reading; Close takes closeMu for writing before closing
	// the database, so no read ever touches a closed database.
	closed  atomic.Bool
	closeMu sync.RWMutex

	// logsMu guards the logs map. Only the writer goroutine adds or removes
	// entries, so the writer itself reads the map without the lock.
	logsMu sync.RWMutex
	logs   map[string]*logState

	// metaMu keeps metadata readers out while a commit holding metadata
	// writes is in flight, so a Get never returns a value that is not yet
	// as durable as the sync policy promises.
	metaMu sync.RWMutex

	// The write queue, drained by the writer goroutine.
	qmu     sync.Mutex
	queue   []*request
	spare   []*request
	qclosed bool
	failed  error // set once a commit failed; every later write fails with it
	wake    chan struct{}

	w          writer // owned by the writer goroutine
	writerDone chan struct{}
	syncStop   chan struct{}
	syncDone   chan struct{}
	unsynced   atomic.Bool // SyncInterval: commits since the last fsync
}

// logState is one log's in-memory state.
type logState struct {
	name   string
	prefix []byte // logPrefix(prefixChunk, name)

	// What readers may see. The writer stores visible before first, readers
	// load first before visible, so first <= visible always holds for them.
	visible atomic.Uint64 // offsets below are committed
	first   atomic.Uint64 // trim horizon

	// Owned by the writer goroutine.
	next        uint64 // next offset to assign
	horizon     uint64 // trim horizon including the commit being built
	lastArrival int64
	touched     bool // state must be written in the commit being built
	deleted     bool
}

var (
	_ storage.Backend   = (*Store)(nil)
	_ storage.MetaStore = metaStore{}
	_ storage.LogStore  = logStore{}
)

// Open opens or creates the store in opts.Dir and starts its writer.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("pebblestore: open: no directory")
	}
	switch opts.Sync {
	case SyncAlways, SyncInterval, SyncNever:
	default:
		return nil, fmt.Errorf("pebblestore: open: invalid sync mode %d", int(opts.Sync))
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("pebblestore: open: %w", err)
	}

	cache := pebble.NewCache(cacheSize)
	db, err := pebble.Open(opts.Dir, pebbleOptions(cache, logger))
	if err != nil {
		cache.Unref()
		return nil, fmt.Errorf("pebblestore: open: %w", err)
	}
	s := &Store{
		db:         db,
		cache:      cache,
		opts:       opts,
		log:        logger,
		wopts:      pebble.NoSync,
		logs:       make(map[string]*logState),
		wake:       make(chan struct{}, 1),
		writerDone: make(chan struct{}),
	}
	if opts.Sync == SyncAlways {
		s.wopts = pebble.Sync
	}
	if err := s.recover(); err != nil {
		_ = db.Close()
		cache.Unref()
		return nil, fmt.Errorf("pebblestore: open: %w", err)
	}
	s.w.init(s)
	go s.runWriter()
	if opts.Sync == SyncInterval {
		s.syncStop = make(chan struct{})
		s.syncDone = make(chan struct{})
		go s.runSyncer()
	}
	logger.Debug("pebblestore: opened", "dir", opts.Dir, "sync", opts.Sync.String(), "logs", len(s.logs))
	return s, nil
}

// pebbleOptions returns the tuning Freshet runs pebble with. A small block
// cache, 8 MiB memtables and at most two of them (writes stall rather than
// queue more) keep the server's memory low. Every flush spans every log
// written since the last one, so L0 files overlap most of Lbase by key
// range; letting eight L0 files gather before compacting them into Lbase
// cut BenchmarkAppend's CPU per record by about a fifth against pebble's
// default of four. Small target files (2 MiB in L0, doubling to 16 MiB from
// L3) make flushes and compactions cut their output often, so fewer files
// span several logs and an L0 compaction rewrites less of the older data
// of the logs in between. Appending 1 GB to 4 logs, flushes and
// compactions wrote 1.3 GB instead of 4.6 GB with 8 MiB files, and the
// server's CPU per record under `freshet bench` fell by about a fifth.
// Read sampling is off: consumers scan each record once, so read-triggered
// compactions would only rewrite data for nothing.
func pebbleOptions(cache *pebble.Cache, logger *slog.Logger) *pebble.Options {
	pl := pebbleLogger{logger, logger.Enabled(context.Background(), slog.LevelDebug)}
	events := pebble.EventListener{
		BackgroundError: func(err error) {
			logger.Error("pebblestore: background error", "err", err)
		},
		DiskSlow: func(info pebble.DiskSlowInfo) {
			logger.Warn("pebblestore: disk slow", "path", info.Path, "op", info.OpType.String(), "duration", info.Duration)
		},
	}
	if pl.verbose {
		events = pebble.TeeEventListener(pebble.MakeLoggingEventListener(pl), events)
	}
	o := &pebble.Options{
		Cache:                       cache,
		MemTableSize:                memTableSize,
		MemTableStopWritesThreshold: 2,
		MaxConcurrentCompactions:    func() int { return 1 },
		FormatMajorVersion:          pebble.FormatNewest,
		Logger:                      pl,
		EventListener:               &events,
		L0CompactionThreshold:       8,
		L0StopWritesThreshold:       24,
		LBaseMaxBytes:               256 << 20,
	}
	o.Experimental.ReadSamplingMultiplier = -1
	o.Levels = make([]pebble.LevelOptions, 7)
	for i := range o.Levels {
		o.Levels[i].BlockSize = 32 << 10
		// Record payloads are usually compressed or random already; snappy
		// cost more CPU in compactions than it saved on disk.
		o.Levels[i].Compression = pebble.NoCompression
		o.Levels[i].TargetFileSize = 2 << 20 << min(i, 3)
	}
	o.EnsureDefaults()
	return o
}

// pebbleLogger forwards pebble's messages to slog at debug level, or drops
// them. Fatal messages are always logged, then panic as pebble expects
// Fatalf not to return.
type pebbleLogger struct {
	l       *slog.Logger
	verbose bool
}

func (p pebbleLogger) Infof(format string, args ...any) {
	if p.verbose {
		p.l.Debug("pebble: " + fmt.Sprintf(format, args...))
	}
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error("pebble: fatal: " + msg)
	panic("pebble: " + msg)
}

// recover loads the layout version, every log's state and the metadata
// revision counter. It reads no records.
func (s *Store) recover() error {
	v, closer, err := s.db.Get([]byte(keyVersion))
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		if err := s.db.Set([]byte(keyVersion), []byte{layoutVersion}, pebble.Sync); err != nil {
			return fmt.Errorf("write layout version: %w", err)
		}
	case err != nil:
		return fmt.Errorf("read layout version: %w", err)
	default:
		version := -1
		if len(v) == 1 {
			version = int(v[0])
		}
		_ = closer.Close()
		switch version {
		case layoutVersion:
		case 1:
			if err := migrateV1(s.db, s.log); err != nil {
				return fmt.Errorf("migrate layout 1: %w", err)
			}
		default:
			return fmt.Errorf("unsupported layout version %x", v)
		}
	}

	iter, err := s.db.NewIter(&pebble.IterOptions{
		LowerBound: []byte{prefixState},
		UpperBound: []byte{prefixState + 1},
	})
	if err != nil {
		return fmt.Errorf("scan log states: %w", err)
	}
	for valid := iter.First(); valid; valid = iter.Next() {
		name := string(iter.Key()[1:])
		next, first, last, err := decodeState(iter.Value())
		if err != nil {
			_ = iter.Close()
			return fmt.Errorf("log %q: %w", name, err)
		}
		ls := newLogState(name)
		ls.next, ls.horizon, ls.lastArrival = next, first, last
		ls.visible.Store(next)
		ls.first.Store(first)
		s.logs[name] = ls
	}
	if err := iter.Close(); err != nil {
		return fmt.Errorf("scan log states: %w", err)
	}

	v, closer, err = s.db.Get([]byte(keyMetaRev))
	switch {
	case errors.Is(err, pebble.ErrNotFound):
	case err != nil:
		return fmt.Errorf("read metadata revision: %w", err)
	default:
		if len(v) != metaRevLen {
			_ = closer.Close()
			return fmt.Errorf("%w: metadata revision of %d bytes", errCorrupt, len(v))
		}
		s.w.metaRev = binary.BigEndian.Uint64(v)
		_ = closer.Close()
	}
	return nil
}

func newLogState(name string) *logState {
	return &logState{name: name, prefix: logPrefix(prefixChunk, name)}
}

// Meta returns the store's metadata half.
func (s *Store) Meta() storage.MetaStore { return metaStore{s} }

// Logs returns the store's log half.
func (s *Store) Logs() storage.LogStore { return logStore{s} }

// Name returns "pebble".
func (s *Store) Name() string { return "pebble" }

// Close stops the writer, fails writes still queued with storage.ErrClosed,
// syncs and closes the database. Later calls fail with storage.ErrClosed;
// closing again returns nil.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.qmu.Lock()
	s.qclosed = true
	s.qmu.Unlock()
	s.signal()
	<-s.writerDone
	if s.syncStop != nil {
		close(s.syncStop)
		<-s.syncDone
	}

	var errs []error
	if s.opts.Sync != SyncAlways && s.failure() == nil {
		if err := s.db.LogData(nil, pebble.Sync); err != nil {
			errs = append(errs, fmt.Errorf("pebblestore: close: sync: %w", err))
		}
	}
	s.closeMu.Lock()
	if err := s.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("pebblestore: close: %w", err))
	}
	s.closeMu.Unlock()
	s.cache.Unref()
	return errors.Join(errs...)
}

// failure returns the error that stopped the writer, if any.
func (s *Store) failure() error {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return s.failed
}

// readLock holds the database open for a read; the caller calls the
// returned func when done.
func (s *Store) readLock(ctx context.Context) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.closeMu.RLock()
	if s.closed.Load() {
		s.closeMu.RUnlock()
		return nil, storage.ErrClosed
	}
	return s.closeMu.RUnlock, nil
}

// lookup returns log's state, or nil if the log does not exist.
func (s *Store) lookup(log string) *logState {
	s.logsMu.RLock()
	ls := s.logs[log]
	s.logsMu.RUnlock()
	return ls
}

// runSyncer fsyncs the write-ahead log every Interval while there are
// unsynced commits (SyncInterval).
func (s *Store) runSyncer() {
	defer close(s.syncDone)
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-s.syncStop:
			return
		case <-t.C:
			if !s.unsynced.Swap(false) {
				continue
			}
			if err := s.db.LogData(nil, pebble.Sync); err != nil {
				s.log.Error("pebblestore: periodic sync failed", "err", err)
			}
		}
	}
}
