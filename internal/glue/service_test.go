package glue

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/glueapi"
	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/request"
	"github.com/freshet/freshet/internal/storage/memstore"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T) (*Service, *clock) {
	t.Helper()
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	return New(Options{Store: store.Meta(), Account: testAccount, Region: testRegion, Now: clk.now}), clk
}

// wantErr checks that err is the AWS error code with the message.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if e.Code != code || e.Message != msg {
		t.Fatalf("error = %s %q, want %s %q", e.Code, e.Message, code, msg)
	}
	if e.Status != 400 || e.MessageKey != "Message" {
		t.Fatalf("error status %d key %q, want 400 and Message", e.Status, e.MessageKey)
	}
}

func mustDB(t *testing.T, s *Service, ctx context.Context, name string) {
	t.Helper()
	if _, err := s.CreateDatabase(ctx, &glueapi.CreateDatabaseRequest{DatabaseInput: glueapi.DatabaseInput{Name: name}}); err != nil {
		t.Fatalf("CreateDatabase %s: %v", name, err)
	}
}

func parquetInput(name string, cols ...string) *glueapi.TableInput {
	var columns []glueapi.Column
	for _, c := range cols {
		n, typ, _ := strings.Cut(c, ":")
		columns = append(columns, glueapi.Column{Name: n, Type: ptr(typ)})
	}
	return &glueapi.TableInput{
		Name:      name,
		TableType: ptr("EXTERNAL_TABLE"),
		StorageDescriptor: &glueapi.StorageDescriptor{
			Columns:      columns,
			Location:     ptr("s3://bucket/" + strings.ToLower(name) + "/"),
			InputFormat:  ptr("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
			OutputFormat: ptr("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
			SerdeInfo:    &glueapi.SerDeInfo{SerializationLibrary: ptr("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")},
		},
		PartitionKeys: []glueapi.Column{{Name: "dt", Type: ptr("string")}},
		Parameters:    map[string]string{"classification": "parquet"},
	}
}

func mustTable(t *testing.T, s *Service, ctx context.Context, db string, in *glueapi.TableInput) {
	t.Helper()
	if _, err := s.CreateTable(ctx, &glueapi.CreateTableRequest{DatabaseName: db, TableInput: in}); err != nil {
		t.Fatalf("CreateTable %s: %v", in.Name, err)
	}
}

func TestDatabaseLifecycle(t *testing.T) {
	s, clk := newService(t)
	ctx := context.Background()
	_, err := s.CreateDatabase(ctx, &glueapi.CreateDatabaseRequest{DatabaseInput: glueapi.DatabaseInput{
		Name: "Sales_DB", Description: ptr("first"), LocationUri: ptr("s3://b/sales"), Parameters: map[string]string{"k": "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	created := clk.t
	_, err = s.CreateDatabase(ctx, &glueapi.CreateDatabaseRequest{DatabaseInput: glueapi.DatabaseInput{Name: "SALES_db"}})
	wantErr(t, err, "AlreadyExistsException", "Database already exists.")

	for _, name := range []string{"sales_db", "SALES_DB", "Sales_Db"} {
		out, err := s.GetDatabase(ctx, &glueapi.GetDatabaseRequest{Name: name})
		if err != nil {
			t.Fatalf("GetDatabase %s: %v", name, err)
		}
		db := out.Database
		if db.Name != "sales_db" || *db.Description != "first" || *db.LocationUri != "s3://b/sales" || db.Parameters["k"] != "v" {
			t.Fatalf("GetDatabase %s = %+v", name, db)
		}
		if p := db.CreateTableDefaultPermissions; len(p) != 1 || *p[0].Principal.DataLakePrincipalIdentifier != "IAM_ALLOWED_PRINCIPALS" || p[0].Permissions[0] != "ALL" {
			t.Fatalf("default permissions: %+v", p)
		}
		if *db.CatalogId != testAccount || !db.CreateTime.Equal(created) {
			t.Fatalf("catalog %s created %v, want %s %v", *db.CatalogId, db.CreateTime, testAccount, created)
		}
	}

	clk.t = clk.t.Add(time.Hour)
	_, err = s.UpdateDatabase(ctx, &glueapi.UpdateDatabaseRequest{Name: "SALES_DB", DatabaseInput: glueapi.DatabaseInput{Name: "sales_db", Description: ptr("second")}})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := s.GetDatabase(ctx, &glueapi.GetDatabaseRequest{Name: "sales_db"})
	if *out.Database.Description != "second" || out.Database.LocationUri != nil || !out.Database.CreateTime.Equal(created) {
		t.Fatalf("after update: %+v", out.Database)
	}
	_, err = s.UpdateDatabase(ctx, &glueapi.UpdateDatabaseRequest{Name: "nope", DatabaseInput: glueapi.DatabaseInput{Name: "nope"}})
	wantErr(t, err, "EntityNotFoundException", "Database nope not found.")

	mustTable(t, s, ctx, "sales_db", parquetInput("orders", "id:int"))
	if _, err := s.DeleteDatabase(ctx, &glueapi.DeleteDatabaseRequest{Name: "Sales_DB"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetDatabase(ctx, &glueapi.GetDatabaseRequest{Name: "sales_db"})
	wantErr(t, err, "EntityNotFoundException", "Database sales_db not found.")
	_, err = s.DeleteDatabase(ctx, &glueapi.DeleteDatabaseRequest{Name: "sales_db"})
	wantErr(t, err, "EntityNotFoundException", "Database sales_db not found.")

	// A database of the same name starts empty: its old tables went with it.
	mustDB(t, s, ctx, "sales_db")
	_, err = s.GetTable(ctx, &glueapi.GetTableRequest{DatabaseName: "sales_db", Name: "orders"})
	wantErr(t, err, "EntityNotFoundException", "Table orders not found.")
	versions, _ := s.meta.List(ctx, "glue/")
	for _, e := range versions {
		if strings.Contains(e.Key, "/v/") || strings.Contains(e.Key, "/t/") {
			t.Errorf("left behind: %s", e.Key)
		}
	}
}

func TestGetDatabasesPages(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("db_%d", 6-i)
		mustDB(t, s, ctx, name)
		want = append(want, name)
	}
	sort.Strings(want)
	var got []string
	var token *string
	pages := 0
	for {
		out, err := s.GetDatabases(ctx, &glueapi.GetDatabasesRequest{MaxResults: ptr(int64(3)), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.DatabaseList) > 3 {
			t.Fatalf("page of %d", len(out.DatabaseList))
		}
		for _, d := range out.DatabaseList {
			got = append(got, d.Name)
			if d.CreateTime == nil {
				t.Fatalf("%s has no CreateTime", d.Name)
			}
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || pages != 3 {
		t.Fatalf("pages %d: %v, want %v", pages, got, want)
	}
	names, err := s.GetDatabases(ctx, &glueapi.GetDatabasesRequest{AttributesToGet: []string{"NAME"}})
	if err != nil || len(names.DatabaseList) != 7 || names.DatabaseList[0].CreateTime != nil || names.DatabaseList[0].Name != "db_0" {
		t.Fatalf("names only: %+v %v", names, err)
	}
	_, err = s.GetDatabases(ctx, &glueapi.GetDatabasesRequest{NextToken: ptr("garbage!")})
	wantErr(t, err, "InvalidInputException", "Invalid pagination token.")
}

func TestTableLifecycle(t *testing.T) {
	s, clk := newService(t)
	ctx := context.Background()
	_, err := s.CreateTable(ctx, &glueapi.CreateTableRequest{DatabaseName: "nodb", TableInput: parquetInput("t", "a:int")})
	wantErr(t, err, "EntityNotFoundException", "Database nodb not found.")
	mustDB(t, s, ctx, "analytics")
	mustTable(t, s, ctx, "Analytics", parquetInput("Clicks", "user_id:bigint", "URL:string", "ts:timestamp"))
	_, err = s.CreateTable(ctx, &glueapi.CreateTableRequest{DatabaseName: "analytics", TableInput: parquetInput("CLICKS", "x:int")})
	wantErr(t, err, "AlreadyExistsException", "Table already exists.")
	_, err = s.CreateTable(ctx, &glueapi.CreateTableRequest{DatabaseName: "analytics"})
	wantErr(t, err, "InvalidInputException", "TableInput is required.")

	got, err := s.GetTable(ctx, &glueapi.GetTableRequest{DatabaseName: "ANALYTICS", Name: "clicks"})
	if err != nil {
		t.Fatal(err)
	}
	tb := got.Table
	if tb.Name != "clicks" || *tb.DatabaseName != "analytics" || *tb.VersionId != "0" || *tb.CatalogId != testAccount {
		t.Fatalf("table = %s.%s v%s catalog %s", *tb.DatabaseName, tb.Name, *tb.VersionId, *tb.CatalogId)
	}
	if *tb.IsRegisteredWithLakeFormation || *tb.Retention != 0 || *tb.TableType != "EXTERNAL_TABLE" || tb.Parameters["classification"] != "parquet" {
		t.Fatalf("table fields: %+v", tb)
	}
	if !tb.CreateTime.Equal(clk.t) || !tb.UpdateTime.Equal(clk.t) || *tb.CreatedBy != "arn:aws:iam::"+testAccount+":root" {
		t.Fatalf("times %v %v by %s", tb.CreateTime, tb.UpdateTime, *tb.CreatedBy)
	}
	sd := tb.StorageDescriptor
	if len(sd.Columns) != 3 || sd.Columns[1].Name != "URL" || *sd.Columns[2].Type != "timestamp" || *sd.Location != "s3://bucket/clicks/" ||
		*sd.SerdeInfo.SerializationLibrary != "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" || len(tb.PartitionKeys) != 1 || tb.PartitionKeys[0].Name != "dt" {
		t.Fatalf("storage descriptor: %+v keys %+v", sd, tb.PartitionKeys)
	}
	_, err = s.GetTable(ctx, &glueapi.GetTableRequest{DatabaseName: "analytics", Name: "views"})
	wantErr(t, err, "EntityNotFoundException", "Table views not found.")
	_, err = s.GetTable(ctx, &glueapi.GetTableRequest{DatabaseName: "other", Name: "clicks"})
	wantErr(t, err, "EntityNotFoundException", "Database other not found.")

	created := clk.t
	clk.t = clk.t.Add(time.Minute)
	upd := parquetInput("clicks", "user_id:bigint", "url:string", "ts:timestamp", "referrer:string")
	if _, err := s.UpdateTable(ctx, &glueapi.UpdateTableRequest{DatabaseName: "analytics", TableInput: upd, VersionId: ptr("0")}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetTable(ctx, &glueapi.GetTableRequest{DatabaseName: "analytics", Name: "clicks"})
	if *got.Table.VersionId != "1" || len(got.Table.StorageDescriptor.Columns) != 4 || !got.Table.CreateTime.Equal(created) || !got.Table.UpdateTime.Equal(clk.t) {
		t.Fatalf("after update: v%s cols %d created %v updated %v", *got.Table.VersionId, len(got.Table.StorageDescriptor.Columns), got.Table.CreateTime, got.Table.UpdateTime)
	}
	// A stale VersionId is a concurrent modification and changes nothing.
	_, err = s.UpdateTable(ctx, &glueapi.UpdateTableRequest{DatabaseName: "analytics", TableInput: parquetInput("clicks", "x:int"), VersionId: ptr("0")})
	wantErr(t, err, "ConcurrentModificationException", "Update table failed due to concurrent modifications.")
	_, err = s.UpdateTable(ctx, &glueapi.UpdateTableRequest{DatabaseName: "analytics", TableInput: parquetInput("ghost", "x:int")})
	wantErr(t, err, "EntityNotFoundException", "Table ghost not found.")

	if _, err := s.UpdateTable(ctx, &glueapi.UpdateTableRequest{DatabaseName: "analytics", TableInput: parquetInput("clicks", "only:int")}); err != nil {
		t.Fatal(err)
	}
	if ids := versionIDs(t, s, "analytics", "clicks", 0); ids != "2,1,0" {
		t.Fatalf("versions %s, want 2,1,0", ids)
	}
	v0, err := s.GetTableVersion(ctx, &glueapi.GetTableVersionRequest{DatabaseName: "analytics", TableName: "clicks", VersionId: ptr("0")})
	if err != nil {
		t.Fatal(err)
	}
	if *v0.TableVersion.VersionId != "0" || *v0.TableVersion.Table.VersionId != "0" || len(v0.TableVersion.Table.StorageDescriptor.Columns) != 3 {
		t.Fatalf("version 0: %+v", v0.TableVersion)
	}
	cur, _ := s.GetTableVersion(ctx, &glueapi.GetTableVersionRequest{DatabaseName: "analytics", TableName: "clicks"})
	if *cur.TableVersion.VersionId != "2" || cur.TableVersion.Table.StorageDescriptor.Columns[0].Name != "only" {
		t.Fatalf("current version: %+v", cur.TableVersion)
	}

	// SkipArchive: the version replaced is not kept.
	if _, err := s.UpdateTable(ctx, &glueapi.UpdateTableRequest{DatabaseName: "analytics", TableInput: parquetInput("clicks", "z:int"), SkipArchive: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if ids := versionIDs(t, s, "analytics", "clicks", 0); ids != "3,1,0" {
		t.Fatalf("versions after SkipArchive %s, want 3,1,0", ids)
	}
	_, err = s.GetTableVersion(ctx, &glueapi.GetTableVersionRequest{DatabaseName: "analytics", TableName: "clicks", VersionId: ptr("2")})
	wantErr(t, err, "EntityNotFoundException", "Version not found.")
	_, err = s.GetTableVersion(ctx, &glueapi.GetTableVersionRequest{DatabaseName: "analytics", TableName: "clicks", VersionId: ptr("two")})
	wantErr(t, err, "InvalidInputException", "Version ID two is not a valid version.")

	_, err = s.DeleteTableVersion(ctx, &glueapi.DeleteTableVersionRequest{DatabaseName: "analytics", TableName: "clicks", VersionId: "3"})
	wantErr(t, err, "InvalidInputException", "Cannot delete the current version of table clicks.")
	if _, err := s.DeleteTableVersion(ctx, &glueapi.DeleteTableVersionRequest{DatabaseName: "analytics", TableName: "clicks", VersionId: "1"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteTableVersion(ctx, &glueapi.DeleteTableVersionRequest{DatabaseName: "analytics", TableName: "clicks", VersionId: "1"})
	wantErr(t, err, "EntityNotFoundException", "Version not found.")
	if ids := versionIDs(t, s, "analytics", "clicks", 1); ids != "3,0" {
		t.Fatalf("versions paged by 1: %s, want 3,0", ids)
	}

	if _, err := s.DeleteTable(ctx, &glueapi.DeleteTableRequest{DatabaseName: "analytics", Name: "CLICKS"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteTable(ctx, &glueapi.DeleteTableRequest{DatabaseName: "analytics", Name: "clicks"})
	wantErr(t, err, "EntityNotFoundException", "Table clicks not found.")
	// Recreated, the table starts again at version 0 with no history.
	mustTable(t, s, ctx, "analytics", parquetInput("clicks", "a:int"))
	if ids := versionIDs(t, s, "analytics", "clicks", 0); ids != "0" {
		t.Fatalf("versions of the new table: %s", ids)
	}
}

// versionIDs lists a table's versions through every page of max (0: one
// page of the default size).
func versionIDs(t *testing.T, s *Service, db, table string, max int64) string {
	t.Helper()
	var ids []string
	var token *string
	for {
		in := &glueapi.GetTableVersionsRequest{DatabaseName: db, TableName: table, NextToken: token}
		if max > 0 {
			in.MaxResults = &max
		}
		out, err := s.GetTableVersions(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.TableVersions {
			if *v.VersionId != *v.Table.VersionId {
				t.Fatalf("version %s holds table version %s", *v.VersionId, *v.Table.VersionId)
			}
			ids = append(ids, *v.VersionId)
		}
		if out.NextToken == nil {
			return strings.Join(ids, ",")
		}
		if max == 0 {
			t.Fatal("a NextToken from a default-size page of a few versions")
		}
		token = out.NextToken
	}
}

func TestGetTablesExpression(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustDB(t, s, ctx, "db")
	for _, n := range []string{"sales_2024", "sales_2025", "orders", "users", "user_events", "returns_v2"} {
		mustTable(t, s, ctx, "db", parquetInput(n, "a:int"))
	}
	cases := []struct{ expr, want string }{
		{"", "orders,returns_v2,sales_2024,sales_2025,user_events,users"},
		{"sales*", "sales_2024,sales_2025"},
		{"sales.*", "sales_2024,sales_2025"},
		{"*s", "orders,user_events,users"},
		{"*_v?2", "returns_v2"},
		{"*user*", "user_events,users"},
		{"orders|users", "orders,users"},
		{"ORDERS", "orders"},
		{"sales_202[4]", "sales_2024"},
		{"order", ""},
	}
	for _, c := range cases {
		var expr *string
		if c.expr != "" {
			expr = ptr(c.expr)
		}
		if got := tableNames(t, s, "db", expr, 0); got != c.want {
			t.Errorf("Expression %q: %s, want %s", c.expr, got, c.want)
		}
	}
	if got := tableNames(t, s, "db", ptr("*"), 4); got != "orders,returns_v2,sales_2024,sales_2025,user_events,users" {
		t.Errorf("paged by 4: %s", got)
	}
	_, err := s.GetTables(ctx, &glueapi.GetTablesRequest{DatabaseName: "db", Expression: ptr("(")})
	wantErr(t, err, "InvalidInputException", "Expression is not a valid pattern: (")
	_, err = s.GetTables(ctx, &glueapi.GetTablesRequest{DatabaseName: "none"})
	wantErr(t, err, "EntityNotFoundException", "Database none not found.")
	out, err := s.GetTables(ctx, &glueapi.GetTablesRequest{DatabaseName: "db", AttributesToGet: []string{"NAME", "TABLE_TYPE"}, MaxResults: ptr(int64(1))})
	if err != nil || len(out.TableList) != 1 || out.TableList[0].Name != "orders" || *out.TableList[0].TableType != "EXTERNAL_TABLE" || out.TableList[0].StorageDescriptor != nil {
		t.Fatalf("attributes: %+v %v", out, err)
	}
}

func tableNames(t *testing.T, s *Service, db string, expr *string, max int64) string {
	t.Helper()
	var names []string
	var token *string
	for {
		in := &glueapi.GetTablesRequest{DatabaseName: db, Expression: expr, NextToken: token}
		if max > 0 {
			in.MaxResults = &max
		}
		out, err := s.GetTables(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if max > 0 && len(out.TableList) > int(max) {
			t.Fatalf("page of %d, max %d", len(out.TableList), max)
		}
		for _, tb := range out.TableList {
			names = append(names, tb.Name)
		}
		if out.NextToken == nil {
			return strings.Join(names, ",")
		}
		token = out.NextToken
	}
}

func TestBatchDeleteTable(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustDB(t, s, ctx, "db")
	for _, n := range []string{"a", "b", "c"} {
		mustTable(t, s, ctx, "db", parquetInput(n, "x:int"))
	}
	out, err := s.BatchDeleteTable(ctx, &glueapi.BatchDeleteTableRequest{DatabaseName: "db", TablesToDelete: []string{"A", "missing", "c"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || *out.Errors[0].TableName != "missing" || *out.Errors[0].ErrorDetail.ErrorCode != "EntityNotFoundException" ||
		*out.Errors[0].ErrorDetail.ErrorMessage != "Table missing not found." {
		t.Fatalf("errors: %+v", out.Errors)
	}
	if got := tableNames(t, s, "db", nil, 0); got != "b" {
		t.Fatalf("left: %s", got)
	}
	_, err = s.BatchDeleteTable(ctx, &glueapi.BatchDeleteTableRequest{DatabaseName: "gone", TablesToDelete: []string{"b"}})
	wantErr(t, err, "EntityNotFoundException", "Database gone not found.")
}

func TestCatalogsAreSeparate(t *testing.T) {
	s, _ := newService(t)
	east := request.NewContext(context.Background(), &request.Info{Account: "111111111111", Region: "us-east-1"})
	west := request.NewContext(context.Background(), &request.Info{Account: "111111111111", Region: "us-west-2"})
	other := request.NewContext(context.Background(), &request.Info{Account: "222222222222", Region: "us-east-1"})
	mustDB(t, s, east, "shared")
	for _, ctx := range []context.Context{west, other} {
		_, err := s.GetDatabase(ctx, &glueapi.GetDatabaseRequest{Name: "shared"})
		wantErr(t, err, "EntityNotFoundException", "Database shared not found.")
	}
	// CatalogId names another account's catalog explicitly.
	out, err := s.GetDatabase(other, &glueapi.GetDatabaseRequest{Name: "shared", CatalogId: ptr("111111111111")})
	if err != nil || *out.Database.CatalogId != "111111111111" {
		t.Fatalf("by CatalogId: %+v %v", out, err)
	}
	// Unsigned requests use the server's account and region.
	mustDB(t, s, context.Background(), "local")
	if _, err := s.GetDatabase(context.Background(), &glueapi.GetDatabaseRequest{Name: "local", CatalogId: ptr(testAccount)}); err != nil {
		t.Fatal(err)
	}
}

func TestNamesWithSlashesStaySeparate(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustDB(t, s, ctx, "a")
	mustDB(t, s, ctx, "a/b")
	mustTable(t, s, ctx, "a/b", parquetInput("c", "x:int"))
	mustTable(t, s, ctx, "a", parquetInput("b%2Fc", "x:int"))
	if got := tableNames(t, s, "a", nil, 0); got != "b%2fc" {
		t.Fatalf("tables of a: %s", got)
	}
	if got := tableNames(t, s, "a/b", nil, 0); got != "c" {
		t.Fatalf("tables of a/b: %s", got)
	}
	if _, err := s.DeleteDatabase(ctx, &glueapi.DeleteDatabaseRequest{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if got := tableNames(t, s, "a/b", nil, 0); got != "c" {
		t.Fatalf("tables of a/b after deleting a: %s", got)
	}
}

func TestConcurrentUpdatesEachMakeOneVersion(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustDB(t, s, ctx, "db")
	mustTable(t, s, ctx, "db", parquetInput("t", "x:int"))
	const n = 20
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.UpdateTable(ctx, &glueapi.UpdateTableRequest{DatabaseName: "db", TableInput: parquetInput("t", fmt.Sprintf("c%d:int", i))})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.GetTable(ctx, &glueapi.GetTableRequest{DatabaseName: "db", Name: "t"})
	if *got.Table.VersionId != fmt.Sprint(n) {
		t.Fatalf("version %s after %d updates", *got.Table.VersionId, n)
	}
	ids := strings.Split(versionIDs(t, s, "db", "t", 7), ",")
	if len(ids) != n+1 || ids[0] != fmt.Sprint(n) || ids[n] != "0" {
		t.Fatalf("versions %v", ids)
	}
}
