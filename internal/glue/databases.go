package glue

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/freshet/freshet/internal/api/glueapi"
	"github.com/freshet/freshet/internal/storage"
)

// dbDoc is a database's document.
type dbDoc struct {
	Database glueapi.Database  `json:"database"`
	Tags     map[string]string `json:"tags,omitempty"`
}

// CreateDatabase creates a database; its name is folded to lower case.
func (s *Service) CreateDatabase(ctx context.Context, in *glueapi.CreateDatabaseRequest) (*glueapi.CreateDatabaseResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	name := fold(in.DatabaseInput.Name)
	now := s.now().UTC()
	doc := &dbDoc{Database: databaseFrom(&in.DatabaseInput, name), Tags: in.Tags}
	doc.Database.CreateTime = &now

	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.store(ctx, c.dbKey(name), doc, 0)
	if errors.Is(err, storage.ErrConflict) {
		return nil, alreadyExists("Database")
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("glue database created", "catalog", c.id, "region", c.region, "database", name)
	return &glueapi.CreateDatabaseResponse{}, nil
}

// databaseFrom copies the settable fields of a DatabaseInput.
func databaseFrom(in *glueapi.DatabaseInput, name string) glueapi.Database {
	return glueapi.Database{
		Name:                          name,
		Description:                   in.Description,
		LocationUri:                   in.LocationUri,
		Parameters:                    in.Parameters,
		CreateTableDefaultPermissions: in.CreateTableDefaultPermissions,
		TargetDatabase:                in.TargetDatabase,
		FederatedDatabase:             in.FederatedDatabase,
	}
}

// database loads a database or answers EntityNotFoundException.
func (s *Service) database(ctx context.Context, c catalog, name string) (*dbDoc, uint64, error) {
	var doc dbDoc
	rev, found, err := s.load(ctx, c.dbKey(name), &doc)
	if err != nil {
		return nil, 0, err
	}
	if !found {
		return nil, 0, dbNotFound(name)
	}
	return &doc, rev, nil
}

// view is the database as the API returns it.
func (d *dbDoc) view(c catalog) glueapi.Database {
	db := d.Database
	db.CatalogId = &c.id
	if db.Parameters == nil {
		db.Parameters = map[string]string{}
	}
	if db.CreateTableDefaultPermissions == nil {
		// Glue's default when Lake Formation is not in charge: IAM decides.
		db.CreateTableDefaultPermissions = []glueapi.PrincipalPermissions{{
			Principal:   &glueapi.DataLakePrincipal{DataLakePrincipalIdentifier: ptr("IAM_ALLOWED_PRINCIPALS")},
			Permissions: []string{"ALL"},
		}}
	}
	return db
}

// GetDatabase returns one database.
func (s *Service) GetDatabase(ctx context.Context, in *glueapi.GetDatabaseRequest) (*glueapi.GetDatabaseResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	doc, _, err := s.database(ctx, c, fold(in.Name))
	if err != nil {
		return nil, err
	}
	db := doc.view(c)
	return &glueapi.GetDatabaseResponse{Database: &db}, nil
}

// GetDatabases lists the catalog's databases by name, a page at a time.
func (s *Service) GetDatabases(ctx context.Context, in *glueapi.GetDatabasesRequest) (*glueapi.GetDatabasesResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	after, err := pageAfter(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &glueapi.GetDatabasesResponse{DatabaseList: []glueapi.Database{}}
	if in.ResourceShareType != nil && *in.ResourceShareType != "ALL" {
		return out, nil // FOREIGN, FEDERATED: no database is shared with this catalog
	}
	entries, err := s.list(ctx, c.dbPrefix())
	if err != nil {
		return nil, err
	}
	namesOnly := onlyAttribute(in.AttributesToGet, "NAME")
	limit := pageSize(in.MaxResults)
	last := ""
	for _, e := range entries {
		seg := strings.TrimPrefix(e.Key, c.dbPrefix())
		name, err := url.PathUnescape(seg)
		if err != nil || seg <= after {
			continue
		}
		if len(out.DatabaseList) == limit {
			out.NextToken = tokenAfter(last)
			break
		}
		last = seg
		if namesOnly {
			out.DatabaseList = append(out.DatabaseList, glueapi.Database{Name: name})
			continue
		}
		var doc dbDoc
		if err := decode(e, &doc); err != nil {
			return nil, err
		}
		out.DatabaseList = append(out.DatabaseList, doc.view(c))
	}
	return out, nil
}

// onlyAttribute reports whether attrs asks for exactly the one attribute.
func onlyAttribute(attrs []string, attr string) bool {
	return len(attrs) == 1 && attrs[0] == attr
}

// UpdateDatabase replaces a database's definition. Renaming is not
// supported: DatabaseInput.Name must name the same database.
func (s *Service) UpdateDatabase(ctx context.Context, in *glueapi.UpdateDatabaseRequest) (*glueapi.UpdateDatabaseResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	name := fold(in.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, rev, err := s.database(ctx, c, name)
	if err != nil {
		return nil, err
	}
	if fold(in.DatabaseInput.Name) != name {
		return nil, invalidInput("Renaming a database is not supported.")
	}
	created := doc.Database.CreateTime
	doc.Database = databaseFrom(&in.DatabaseInput, name)
	doc.Database.CreateTime = created
	if _, err := s.store(ctx, c.dbKey(name), doc, rev); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil, concurrentModification("Update database failed due to concurrent modifications.")
		}
		return nil, err
	}
	return &glueapi.UpdateDatabaseResponse{}, nil
}

// DeleteDatabase deletes a database with its tables and their versions.
func (s *Service) DeleteDatabase(ctx context.Context, in *glueapi.DeleteDatabaseRequest) (*glueapi.DeleteDatabaseResponse, error) {
	c := s.catalogOf(ctx, in.CatalogId)
	name := fold(in.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, rev, err := s.database(ctx, c, name)
	if err != nil {
		return nil, err
	}
	tables, err := s.list(ctx, c.tablePrefix(name))
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		table, err := url.PathUnescape(strings.TrimPrefix(t.Key, c.tablePrefix(name)))
		if err != nil {
			continue
		}
		if err := s.dropTable(ctx, c, name, table, t.Rev); err != nil {
			return nil, err
		}
	}
	if err := s.remove(ctx, c.dbKey(name), rev); err != nil {
		return nil, err
	}
	s.log.Info("glue database deleted", "catalog", c.id, "region", c.region, "database", name, "tables", len(tables))
	return &glueapi.DeleteDatabaseResponse{}, nil
}
