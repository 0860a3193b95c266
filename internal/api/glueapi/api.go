package glueapi

import "context"

// API is the Glue Data Catalog subset Freshet serves: databases, tables and
// table versions. Each method takes the operation's input and returns its
// output or an *awserr.Error. Operations of the model that are not here
// answer UnknownOperationException (see Register).
type API interface {
	CreateDatabase(ctx context.Context, in *CreateDatabaseRequest) (*CreateDatabaseResponse, error)
	GetDatabase(ctx context.Context, in *GetDatabaseRequest) (*GetDatabaseResponse, error)
	GetDatabases(ctx context.Context, in *GetDatabasesRequest) (*GetDatabasesResponse, error)
	UpdateDatabase(ctx context.Context, in *UpdateDatabaseRequest) (*UpdateDatabaseResponse, error)
	DeleteDatabase(ctx context.Context, in *DeleteDatabaseRequest) (*DeleteDatabaseResponse, error)

	CreateTable(ctx context.Context, in *CreateTableRequest) (*CreateTableResponse, error)
	GetTable(ctx context.Context, in *GetTableRequest) (*GetTableResponse, error)
	GetTables(ctx context.Context, in *GetTablesRequest) (*GetTablesResponse, error)
	UpdateTable(ctx context.Context, in *UpdateTableRequest) (*UpdateTableResponse, error)
	DeleteTable(ctx context.Context, in *DeleteTableRequest) (*DeleteTableResponse, error)
	BatchDeleteTable(ctx context.Context, in *BatchDeleteTableRequest) (*BatchDeleteTableResponse, error)

	GetTableVersion(ctx context.Context, in *GetTableVersionRequest) (*GetTableVersionResponse, error)
	GetTableVersions(ctx context.Context, in *GetTableVersionsRequest) (*GetTableVersionsResponse, error)
	DeleteTableVersion(ctx context.Context, in *DeleteTableVersionRequest) (*DeleteTableVersionResponse, error)
}
