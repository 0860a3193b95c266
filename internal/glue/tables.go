package glue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/freshet/freshet/internal/api/glueapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/request"
	"github.com/freshet/freshet/internal/storage"
)

// tableDoc is a table's document: its current definition and version.
// Every version, the current one included, is also kept under its own key
// (see versions.go) until it is deleted or skipped by SkipArchive.
type tableDoc struct {
	Table   glueapi.Table `json:"table"`
	Version int64         `json:"version"`
}

// tableFrom copies the settable fields of a TableInput.
func tableFrom(in *glueapi.TableInput, db string) glueapi.Table {
	t := glueapi.Table{
		Name:              fold(in.Name),
		DatabaseName:      &db,
		Description:       in.Description,
		Owner:             in.Owner,
		LastAccessTime:    in.LastAccessTime,
		LastAnalyzedTime:  in.LastAnalyzedTime,
		Retention:         in.Retention,
		StorageDescriptor: in.StorageDescriptor,
		PartitionKeys:     in.PartitionKeys,
		ViewOriginalText:  in.ViewOriginalText,
		ViewExpandedText:  in.ViewExpandedText,
		TableType:         in.TableType,
		Parameters:        in.Parameters,
		TargetTable:       in.TargetTable,
	}
	if t.Retention == nil {
		t.Retention = ptr(int64(0))
	}
	if t.PartitionKeys == nil {
		t.PartitionKeys = []glueapi.Column{}
	}
	return t
}

// view is a stored table as the API returns it.
func view(t glueapi.Table, c catalog, version int64) glueapi.Table {
	t.CatalogId = &c.id
	t.VersionId = ptr(strconv.FormatInt(version, 10))
	t.IsRegisteredWithLakeFormation = ptr(false)
	return t
}

// CreateTable creates a table, version 0, in an existing database.
func (s *Service) CreateTable(ctx context.Context, in *glueapi.CreateTableRequest) (*glueapi.CreateTableResponse, error) {
	if in.TableInput == nil {
		return nil, invalidInput("TableInput is required.")
	}
	c := s.catalogOf(ctx, in.CatalogId)
	db := fold(in.DatabaseName)
	now := s.now().UTC()
	t := tableFrom(in.TableInput, db)
	t.CreateTime, t.UpdateTime = &now, &now
	t.CreatedBy = ptr("arn:aws:iam::" + callerAccount(ctx, c) + ":root")

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, err := s.database(ctx, c, db); err != nil {
		return nil, err
	}
	_, err := s.store(ctx, c.tableKey(db, t.Name), &tableDoc{Table: t}, 0)
	if errors.Is(err, storage.ErrConflict) {
		return nil, alreadyExists("Table")
	}
	if err != nil {
		return nil, err
	}
	if err := s.putVersion(ctx, c, db, &t, 0); err != nil {
		return nil, err
	}
	s.log.Info("glue table created", "catalog", c.id, "region", c.region, "database", db, "table", t.Name)
	return &glueapi.CreateTableResponse{}, nil
}

// callerAccount is the signing account, else the catalog's.
func callerAccount(ctx context.Context, c catalog) string {
	if a := request.FromContext(ctx).Account; a != "" {
		return a
	}
	return c.id
}

// table loads a table of an existing database, or answers
// EntityNotFoundException for the database or the table.
func (s *Service) table(ctx context.Context, c catalog, db, name string) (*tableDoc, uint64, error) {
	if _, _, err := s.database(ctx, c, db); err != nil {
		return nil, 0, err
	}
	var doc tableDoc
	rev, found, err := s.load(ctx, c.tableKey(db, name), &doc)
	if err != nil {
		return nil, 0, err
	}
	if !found {
		return nil, 0, tableNotFound(name)
	}
	return &doc, rev, nil
}

// GetTable returns a table's current definition.
func (s *Service) GetTable(ctx context.Context, in *glueapi.GetTableRequest) (*glueapi.GetTableResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	doc, _, err := s.table(ctx, c, fold(in.DatabaseName), fold(in.Name))
	if err != nil {
		return nil, err
	}
	t := view(doc.Table, c, doc.Version)
	return &glueapi.GetTableResponse{Table: &t}, nil
}

// GetTables lists a database's tables by name, filtered by Expression, a
// page at a time.
func (s *Service) GetTables(ctx context.Context, in *glueapi.GetTablesRequest) (*glueapi.GetTablesResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	db := fold(in.DatabaseName)
	after, err := pageAfter(in.NextToken)
	if err != nil {
		return nil, err
	}
	match := func(string) bool { return true }
	if in.Expression != nil && *in.Expression != "" {
		re, err := namePattern(*in.Expression)
		if err != nil {
			return nil, err
		}
		match = re.MatchString
	}
	if _, _, err := s.database(ctx, c, db); err != nil {
		return nil, err
	}
	entries, err := s.list(ctx, c.tablePrefix(db))
	if err != nil {
		return nil, err
	}
	out := &glueapi.GetTablesResponse{TableList: []glueapi.Table{}}
	limit := pageSize(in.MaxResults)
	last := ""
	for _, e := range entries {
		seg := strings.TrimPrefix(e.Key, c.tablePrefix(db))
		name, err := url.PathUnescape(seg)
		if err != nil || seg <= after || !match(name) {
			continue
		}
		if len(out.TableList) == limit {
			out.NextToken = tokenAfter(last)
			break
		}
		var doc tableDoc
		if err := decode(e, &doc); err != nil {
			return nil, err
		}
		out.TableList = append(out.TableList, attributes(view(doc.Table, c, doc.Version), in.AttributesToGet))
		last = seg
	}
	return out, nil
}

// attributes trims t to the attributes asked for (NAME, TABLE_TYPE); none
// asked for is all of them.
func attributes(t glueapi.Table, attrs []string) glueapi.Table {
	if len(attrs) == 0 {
		return t
	}
	out := glueapi.Table{Name: t.Name}
	for _, a := range attrs {
		if a == "TABLE_TYPE" {
			out.TableType = t.TableType
		}
	}
	return out
}

// UpdateTable replaces a table's definition with TableInput as a new
// version. The previous version stays readable through GetTableVersion
// unless SkipArchive is set. A VersionId other than the current one fails
// with ConcurrentModificationException.
func (s *Service) UpdateTable(ctx context.Context, in *glueapi.UpdateTableRequest) (*glueapi.UpdateTableResponse, error) {
	if in.TableInput == nil {
		return nil, invalidInput("TableInput is required.")
	}
	c := s.catalogOf(ctx, in.CatalogId)
	db := fold(in.DatabaseName)
	name := fold(in.TableInput.Name)

	s.mu.Lock()
	defer s.mu.Unlock()
	doc, rev, err := s.table(ctx, c, db, name)
	if err != nil {
		return nil, err
	}
	if in.VersionId != nil && *in.VersionId != strconv.FormatInt(doc.Version, 10) {
		return nil, concurrentModification("Update table failed due to concurrent modifications.")
	}
	now := s.now().UTC()
	t := tableFrom(in.TableInput, db)
	t.CreateTime, t.UpdateTime, t.CreatedBy = doc.Table.CreateTime, &now, doc.Table.CreatedBy
	prev := doc.Version
	next := &tableDoc{Table: t, Version: prev + 1}
	if err := s.putVersion(ctx, c, db, &t, next.Version); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil, concurrentModification("Update table failed due to concurrent modifications.")
		}
		return nil, err
	}
	if _, err := s.store(ctx, c.tableKey(db, name), next, rev); err != nil {
		s.dropVersion(ctx, c, db, name, next.Version)
		if errors.Is(err, storage.ErrConflict) {
			return nil, concurrentModification("Update table failed due to concurrent modifications.")
		}
		return nil, err
	}
	if in.SkipArchive != nil && *in.SkipArchive {
		s.dropVersion(ctx, c, db, name, prev)
	}
	return &glueapi.UpdateTableResponse{}, nil
}

// DeleteTable deletes a table and all its versions.
func (s *Service) DeleteTable(ctx context.Context, in *glueapi.DeleteTableRequest) (*glueapi.DeleteTableResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	db, name := fold(in.DatabaseName), fold(in.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, rev, err := s.table(ctx, c, db, name)
	if err != nil {
		return nil, err
	}
	if err := s.dropTable(ctx, c, db, name, rev); err != nil {
		return nil, err
	}
	s.log.Info("glue table deleted", "catalog", c.id, "region", c.region, "database", db, "table", name)
	return &glueapi.DeleteTableResponse{}, nil
}

// BatchDeleteTable deletes several tables of one database; a table that
// does not exist is reported in Errors, not as a failure of the call.
func (s *Service) BatchDeleteTable(ctx context.Context, in *glueapi.BatchDeleteTableRequest) (*glueapi.BatchDeleteTableResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	db := fold(in.DatabaseName)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, err := s.database(ctx, c, db); err != nil {
		return nil, err
	}
	out := &glueapi.BatchDeleteTableResponse{Errors: []glueapi.TableError{}}
	for _, raw := range in.TablesToDelete {
		name := fold(raw)
		_, rev, err := s.table(ctx, c, db, name)
		if err == nil {
			err = s.dropTable(ctx, c, db, name, rev)
		}
		if err == nil {
			continue
		}
		out.Errors = append(out.Errors, tableError(raw, err))
	}
	return out, nil
}

// tableError reports one table's failure in a batch answer.
func tableError(name string, err error) glueapi.TableError {
	code, msg := "InternalServiceException", "Internal service error."
	if e, ok := awserr.As(err); ok {
		code, msg = e.Code, e.Message
	}
	return glueapi.TableError{TableName: &name, ErrorDetail: &glueapi.ErrorDetail{ErrorCode: &code, ErrorMessage: &msg}}
}

// dropTable removes a table's versions, then the table. s.mu is held.
func (s *Service) dropTable(ctx context.Context, c catalog, db, name string, rev uint64) error {
	if err := s.removePrefix(ctx, c.versionPrefix(db, name)); err != nil {
		return err
	}
	return s.remove(ctx, c.tableKey(db, name), rev)
}

// decode reads one listed document.
func decode(e storage.Entry, v any) error {
	if err := json.Unmarshal(e.Value, v); err != nil {
		return fmt.Errorf("glue: decode %s: %w", e.Key, err)
	}
	return nil
}
