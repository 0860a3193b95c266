package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/freshet/freshet/internal/api/kinesisapi"
	"github.com/freshet/freshet/internal/config"
	"github.com/freshet/freshet/internal/firehose"
	"github.com/freshet/freshet/internal/metrics"
	"github.com/freshet/freshet/internal/protocol/dispatch"
	"github.com/freshet/freshet/internal/protocol/sigv4"
	"github.com/freshet/freshet/internal/s3"
	"github.com/freshet/freshet/internal/storage"
	"github.com/freshet/freshet/internal/storage/memstore"
	"github.com/freshet/freshet/internal/storage/pebblestore"
	"github.com/freshet/freshet/internal/streams"
	"github.com/freshet/freshet/internal/sts"
	"github.com/freshet/freshet/internal/transport"
)

// Version is set at build time with -ldflags "-X .../internal/app.Version=…";
// otherwise it comes from the module's build info.
var Version = ""

// VersionString returns the version Freshet reports.
func VersionString() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Server is a running Freshet.
type Server struct {
	cfg      config.Config
	log      *slog.Logger
	store    storage.Backend
	streams  *streams.Service
	firehose *firehose.Service
	metrics  *metrics.Registry
	s3       *s3.Service
	http     *http.Server
	ln       net.Listener
	ready    atomic.Bool
	served   chan error
}

// Options are hooks for tests; the zero value is what `freshet serve` uses.
type Options struct {
	// Now replaces the clock of every service.
	Now func() time.Time
	// SubscriptionLifetime shortens SubscribeToShard's five minutes.
	SubscriptionLifetime time.Duration
	// FirehoseRetryBase scales Firehose's retry delays (1 s on AWS).
	FirehoseRetryBase time.Duration
}

// Start opens storage, builds the services and starts serving. Close stops it.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Options) (*Server, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s := &Server{cfg: cfg, log: log, served: make(chan error, 1), metrics: metrics.New()}
	store, err := openStore(cfg, log)
	if err != nil {
		return nil, err
	}
	s.store = store

	masterKey, err := loadMasterKey(cfg)
	if err != nil {
		store.Close()
		return nil, err
	}
	s.streams = streams.New(streams.Options{
		MasterKey: masterKey,

		EnforceThroughput:        cfg.EnforceThroughput,
		FaultThrottleProbability: cfg.FaultThrottleProbability,
		Store:                    store,
		Logger:                   log.With("service", "kinesis"),
		Account:                  cfg.AccountID,
		Region:                   cfg.Region,
		StateDelay:               cfg.StateDelay,
		ShardLimit:               cfg.ShardLimit,
		Now:                      o.Now,

		SubscriptionLifetime: cmp.Or(o.SubscriptionLifetime, cfg.SubscriptionLifetime),
	})
	if err := s.streams.Initialize(ctx); err != nil {
		store.Close()
		return nil, err
	}

	verifier, err := newVerifier(cfg)
	if err != nil {
		s.streams.Close()
		store.Close()
		return nil, err
	}
	mux := dispatch.New(dispatch.Options{Logger: log, Account: cfg.AccountID, Region: cfg.Region, Verifier: verifier})
	kinesisapi.Register(mux, s.streams)

	tlsDir := cfg.DataDir
	if cfg.Memory {
		tlsDir = "" // a certificate made for this run only
	}
	tlsConf, err := transport.LoadOrCreate(tlsDir, cfg.TLSCert, cfg.TLSKey, nil, log.With("component", "tls"))
	if err != nil {
		s.streams.Close()
		store.Close()
		return nil, fmt.Errorf("app: tls: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		s.streams.Close()
		store.Close()
		return nil, fmt.Errorf("app: listen on %s: %w", cfg.Listen, err)
	}
	s.ln = ln
	if err := s.startDelivery(ctx, mux, verifier, o); err != nil {
		ln.Close()
		s.streams.Close()
		store.Close()
		return nil, err
	}
	s.http = &http.Server{
		Handler:           s.routes(mux, &sts.Handler{Account: cfg.AccountID, Verifier: verifier}, s.s3),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	// Plain HTTP, HTTPS (TLS sniffed from the first byte) and HTTP/2, with
	// or without TLS, all on the one port.
	transport.Configure(s.http)
	go func() { s.served <- s.http.Serve(transport.Sniff(ln, tlsConf)) }()
	s.ready.Store(true)

	dataDir := cfg.DataDir
	if cfg.Memory {
		dataDir = "(memory)"
	}
	log.Info("freshet started", "version", VersionString(), "listen", ln.Addr().String(), "storage", store.Name(), "data_dir", dataDir, "fsync", cfg.Fsync, "auth", cfg.Auth)
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting requests, waits for those in flight (up to the
// shutdown timeout) and closes the services and storage.
func (s *Server) Close() error {
	s.ready.Store(false)
	s.streams.EndSubscriptions()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if serr := <-s.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	err = errors.Join(err, s.firehose.Close(), s.s3.Close(), s.streams.Close(), s.store.Close())
	s.log.Info("freshet stopped")
	return err
}

// Run starts Freshet and serves until ctx is cancelled, then shuts down.
func Run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	s, err := Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-s.served:
		s.served <- err
		log.Error("server stopped", "err", err)
	}
	return s.Close()
}

func (s *Server) routes(api, stsHandler http.Handler, s3 *s3.Service) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !s.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"unavailable"}`))
			return
		}
		fmt.Fprintf(w, `{"status":"ready","storage":%q}`, s.store.Name())
	})
	mux.Handle("GET /metrics", s.metrics.Handler())
	if s.cfg.AllowReset {
		reset := func(w http.ResponseWriter, r *http.Request) {
			if err := s.streams.Reset(r.Context()); err != nil {
				s.log.Error("reset", "err", err)
				http.Error(w, "reset failed", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status":"reset"}`))
		}
		mux.HandleFunc("POST /_freshet/reset", reset)
		mux.HandleFunc("POST /moto-api/reset", reset)
	}
	if s.cfg.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sts.IsQuery(r) {
			stsHandler.ServeHTTP(w, r)
			return
		}

		api.ServeHTTP(w, r)
	}))
	// S3 keys may hold "//" or "..": S3 requests must reach the S3 service
	// before ServeMux cleans (and redirects) their paths.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ownPath(r.URL.Path) && s3.Match(r) {
			s3.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// ownPath says a path is one of Freshet's own endpoints, never S3's.
func ownPath(p string) bool {
	switch p {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(p, "/_freshet/") || strings.HasPrefix(p, "/debug/pprof") || strings.HasPrefix(p, "/moto-api/")
}

func openStore(cfg config.Config, log *slog.Logger) (storage.Backend, error) {
	if cfg.Memory {
		return memstore.New(), nil
	}
	mode, err := pebblestore.ParseSyncMode(cfg.Fsync)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("app: data dir: %w", err)
	}
	store, err := pebblestore.Open(pebblestore.Options{Dir: cfg.DataDir, Sync: mode, Interval: cfg.FsyncInterval, Logger: log.With("component", "pebble")})
	if err != nil {
		return nil, fmt.Errorf("app: open storage: %w", err)
	}
	return store, nil
}

func newVerifier(cfg config.Config) (*sigv4.Verifier, error) {
	if cfg.Auth != config.AuthStrict {
		return nil, nil
	}
	keys := map[string]string{}
	if cfg.Credentials != "" {
		loaded, err := sigv4.LoadCredentials(cfg.Credentials)
		if err != nil {
			return nil, fmt.Errorf("app: credentials: %w", err)
		}
		keys = loaded
	}
	if cfg.AccessKeyID != "" {
		keys[cfg.AccessKeyID] = cfg.SecretAccessKey
	}
	if len(keys) == 0 {
		return nil, errors.New("app: --auth strict needs credentials (--credentials or FRESHET_ACCESS_KEY_ID and FRESHET_SECRET_ACCESS_KEY)")
	}
	return &sigv4.Verifier{Lookup: func(id string) (string, bool) {
		secret, ok := keys[id]
		return secret, ok
	}}, nil
}

// loadMasterKey reads --master-key-file, or the key generated into the data
// directory on first start (0600), or makes one for a --memory run.
func loadMasterKey(cfg config.Config) ([]byte, error) {
	parse := func(b []byte) ([]byte, error) {
		if len(b) == 32 {
			return b, nil
		}
		if k, err := hex.DecodeString(strings.TrimSpace(string(b))); err == nil && len(k) == 32 {
			return k, nil
		}
		return nil, errors.New("app: master key must be 32 bytes, raw or as 64 hex digits")
	}
	if cfg.MasterKeyFile != "" {
		b, err := os.ReadFile(cfg.MasterKeyFile)
		if err != nil {
			return nil, fmt.Errorf("app: master key: %w", err)
		}
		return parse(b)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("app: master key: %w", err)
	}
	if cfg.Memory {
		return key, nil
	}
	path := filepath.Join(cfg.DataDir, "master.key")
	if b, err := os.ReadFile(path); err == nil {
		return parse(b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("app: master key: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("app: master key: %w", err)
	}
	return key, nil
}
