package glue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/freshet/freshet/internal/api/glueapi"
	"github.com/freshet/freshet/internal/storage"
)

// putVersion stores version v of a table; the key must be new.
func (s *Service) putVersion(ctx context.Context, c catalog, db string, t *glueapi.Table, v int64) error {
	_, err := s.store(ctx, c.versionKey(db, t.Name, v), t, 0)
	return err
}

// dropVersion removes version v of a table, if it is there. Failures are
// logged: a stray version only shows in GetTableVersions.
func (s *Service) dropVersion(ctx context.Context, c catalog, db, name string, v int64) {
	key := c.versionKey(db, name, v)
	_, rev, err := s.meta.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return
	}
	if err == nil {
		err = s.remove(ctx, key, rev)
	}
	if err != nil {
		s.log.Warn("glue table version not removed", "database", db, "table", name, "version", v, "err", err)
	}
}

// parseVersion reads a VersionId: the string form of a non-negative integer.
func parseVersion(id string) (int64, error) {
	v, err := strconv.ParseInt(id, 10, 64)
	if err != nil || v < 0 {
		return 0, invalidInput("Version ID " + id + " is not a valid version.")
	}
	return v, nil
}

// GetTableVersion returns one version of a table, the current one when
// VersionId is absent.
func (s *Service) GetTableVersion(ctx context.Context, in *glueapi.GetTableVersionRequest) (*glueapi.GetTableVersionResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	db, name := fold(in.DatabaseName), fold(in.TableName)
	doc, _, err := s.table(ctx, c, db, name)
	if err != nil {
		return nil, err
	}
	v := doc.Version
	if in.VersionId != nil {
		if v, err = parseVersion(*in.VersionId); err != nil {
			return nil, err
		}
	}
	var t glueapi.Table
	_, found, err := s.load(ctx, c.versionKey(db, name, v), &t)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, versionNotFound()
	}
	t = view(t, c, v)
	return &glueapi.GetTableVersionResponse{TableVersion: &glueapi.TableVersion{Table: &t, VersionId: t.VersionId}}, nil
}

// GetTableVersions lists a table's versions, newest first, a page at a time.
func (s *Service) GetTableVersions(ctx context.Context, in *glueapi.GetTableVersionsRequest) (*glueapi.GetTableVersionsResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	db, name := fold(in.DatabaseName), fold(in.TableName)
	after, err := pageAfter(in.NextToken)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.table(ctx, c, db, name); err != nil {
		return nil, err
	}
	prefix := c.versionPrefix(db, name)
	entries, err := s.list(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := &glueapi.GetTableVersionsResponse{TableVersions: []glueapi.TableVersion{}}
	limit := pageSize(in.MaxResults)
	last := ""
	for i := len(entries) - 1; i >= 0; i-- {
		seg := strings.TrimPrefix(entries[i].Key, prefix)
		if after != "" && seg >= after {
			continue
		}
		if len(out.TableVersions) == limit {
			out.NextToken = tokenAfter(last)
			break
		}
		v, err := strconv.ParseInt(seg, 10, 64)
		if err != nil {
			continue
		}
		var t glueapi.Table
		if err := decode(entries[i], &t); err != nil {
			return nil, err
		}
		t = view(t, c, v)
		out.TableVersions = append(out.TableVersions, glueapi.TableVersion{Table: &t, VersionId: t.VersionId})
		last = seg
	}
	return out, nil
}

// DeleteTableVersion deletes an archived version of a table. The current
// version cannot be deleted (delete the table instead).
func (s *Service) DeleteTableVersion(ctx context.Context, in *glueapi.DeleteTableVersionRequest) (*glueapi.DeleteTableVersionResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	db, name := fold(in.DatabaseName), fold(in.TableName)
	v, err := parseVersion(in.VersionId)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, _, err := s.table(ctx, c, db, name)
	if err != nil {
		return nil, err
	}
	if v == doc.Version {
		return nil, invalidInput("Cannot delete the current version of table " + name + ".")
	}
	key := c.versionKey(db, name, v)
	_, rev, err := s.meta.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, versionNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("glue: read %s: %w", key, err)
	}
	if err := s.remove(ctx, key, rev); err != nil {
		return nil, err
	}
	return &glueapi.DeleteTableVersionResponse{}, nil
}
