package glue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/freshet/freshet/internal/api/glueapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/request"
	"github.com/freshet/freshet/internal/storage"
)

// Options configures a Service.
type Options struct {
	Store  storage.MetaStore
	Logger *slog.Logger
	// Account and Region are used when a request carries neither (unsigned).
	Account string
	Region  string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Service is the Glue Data Catalog subset. Writes are serialised by one
// mutex (the catalog is small and rarely written); every document write is
// also a compare-and-set on its revision.
type Service struct {
	opts Options
	log  *slog.Logger
	meta storage.MetaStore
	now  func() time.Time
	mu   sync.Mutex
}

var _ glueapi.API = (*Service)(nil)

// New returns a Service over opts.Store.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts, log: opts.Logger, meta: opts.Store, now: opts.Now}
}

// catalog is the namespace a request addresses: a catalog ID (an account)
// in a region.
type catalog struct {
	id, region string
}

// catalogOf returns the request's catalog: CatalogId when given, else the
// caller's account; the region from the signature, else the server's.
func (s *Service) catalogOf(ctx context.Context, catalogID *string) catalog {
	info := request.FromContext(ctx)
	c := catalog{id: info.Account, region: info.Region}
	if c.id == "" {
		c.id = s.opts.Account
	}
	if c.region == "" {
		c.region = s.opts.Region
	}
	if catalogID != nil && *catalogID != "" {
		c.id = *catalogID
	}
	return c
}

// Keys. Every name is path-escaped so that one segment never spans two.
func (c catalog) prefix() string {
	return "glue/" + url.PathEscape(c.id) + "/" + url.PathEscape(c.region) + "/"
}
func (c catalog) dbKey(db string) string { return c.prefix() + "db/" + url.PathEscape(db) }
func (c catalog) dbPrefix() string       { return c.prefix() + "db/" }
func (c catalog) tablePrefix(db string) string {
	return c.prefix() + "t/" + url.PathEscape(db) + "/"
}
func (c catalog) tableKey(db, table string) string {
	return c.tablePrefix(db) + url.PathEscape(table)
}
func (c catalog) versionPrefix(db, table string) string {
	return c.prefix() + "v/" + url.PathEscape(db) + "/" + url.PathEscape(table) + "/"
}
func (c catalog) versionKey(db, table string, v int64) string {
	return c.versionPrefix(db, table) + fmt.Sprintf("%020d", v)
}

// fold is Glue's name normalisation: names are stored lower case.
func fold(name string) string { return strings.ToLower(name) }

// AWS's errors.
func dbNotFound(db string) error {
	return glueErr("EntityNotFoundException", "Database "+db+" not found.")
}
func tableNotFound(table string) error {
	return glueErr("EntityNotFoundException", "Table "+table+" not found.")
}
func versionNotFound() error { return glueErr("EntityNotFoundException", "Version not found.") }
func alreadyExists(what string) error {
	return glueErr("AlreadyExistsException", what+" already exists.")
}
func invalidInput(msg string) error { return glueErr("InvalidInputException", msg) }
func concurrentModification(msg string) error {
	return glueErr("ConcurrentModificationException", msg)
}

// glueErr is a Glue client error; Glue's error shapes name the message
// "Message".
func glueErr(code, msg string) error {
	e := awserr.New(code, msg)
	e.MessageKey = "Message"
	return e
}

// load reads the JSON document at key into v and returns its revision;
// found is false when the key does not exist.
func (s *Service) load(ctx context.Context, key string, v any) (rev uint64, found bool, err error) {
	b, rev, err := s.meta.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("glue: read %s: %w", key, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return 0, false, fmt.Errorf("glue: decode %s: %w", key, err)
	}
	return rev, true, nil
}

// store writes v at key if the key's revision is expect (0: must not
// exist). A conflict is returned as storage.ErrConflict, wrapped.
func (s *Service) store(ctx context.Context, key string, v any, expect uint64) (uint64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("glue: encode %s: %w", key, err)
	}
	rev, err := s.meta.Put(ctx, key, b, expect)
	if err != nil {
		return 0, fmt.Errorf("glue: write %s: %w", key, err)
	}
	return rev, nil
}

// remove deletes key at revision rev; a key already gone is not an error.
func (s *Service) remove(ctx context.Context, key string, rev uint64) error {
	err := s.meta.Delete(ctx, key, rev)
	if err == nil || errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return fmt.Errorf("glue: delete %s: %w", key, err)
}

// list returns the documents under prefix, sorted by key.
func (s *Service) list(ctx context.Context, prefix string) ([]storage.Entry, error) {
	entries, err := s.meta.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("glue: list %s: %w", prefix, err)
	}
	return entries, nil
}

// removePrefix deletes every document under prefix.
func (s *Service) removePrefix(ctx context.Context, prefix string) error {
	entries, err := s.list(ctx, prefix)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := s.remove(ctx, e.Key, e.Rev); err != nil {
			return err
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
