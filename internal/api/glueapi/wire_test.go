package glueapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsglue "github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/smithy-go"

	"github.com/freshet/freshet/internal/api/glueapi"
	"github.com/freshet/freshet/internal/glue"
	"github.com/freshet/freshet/internal/protocol/dispatch"
	"github.com/freshet/freshet/internal/storage/memstore"
)

const account = "000000000000"

// newServer serves the Glue API over a memory store.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	mux := dispatch.New(dispatch.Options{Account: account, Region: "us-east-1"})
	glueapi.Register(mux, glue.New(glue.Options{Store: store.Meta(), Account: account, Region: "us-east-1"}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func newClient(url string) *awsglue.Client {
	return awsglue.New(awsglue.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

func apiCode(t *testing.T, err error) (code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

// TestSDKSchemaRoundTrip is what the Firehose engine does: define a
// Parquet table, then read its columns back with aws-sdk-go-v2.
func TestSDKSchemaRoundTrip(t *testing.T) {
	srv := newServer(t)
	c := newClient(srv.URL)
	ctx := context.Background()

	if _, err := c.CreateDatabase(ctx, &awsglue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("Firehose_DB"), Description: aws.String("d")}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateDatabase(ctx, &awsglue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("firehose_db")}})
	var exists *types.AlreadyExistsException
	if !errors.As(err, &exists) || exists.ErrorMessage() != "Database already exists." {
		t.Fatalf("second CreateDatabase: %v", err)
	}
	db, err := c.GetDatabase(ctx, &awsglue.GetDatabaseInput{Name: aws.String("FIREHOSE_DB")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(db.Database.Name) != "firehose_db" || aws.ToString(db.Database.CatalogId) != account || db.Database.CreateTime == nil ||
		time.Since(*db.Database.CreateTime) > time.Minute {
		t.Fatalf("database: %+v", db.Database)
	}

	cols := []types.Column{
		{Name: aws.String("ticker_symbol"), Type: aws.String("string"), Comment: aws.String("the symbol")},
		{Name: aws.String("price"), Type: aws.String("double")},
		{Name: aws.String("change"), Type: aws.String("decimal(10,2)")},
		{Name: aws.String("tags"), Type: aws.String("array<string>")},
		{Name: aws.String("ts"), Type: aws.String("timestamp")},
	}
	_, err = c.CreateTable(ctx, &awsglue.CreateTableInput{DatabaseName: aws.String("firehose_db"), TableInput: &types.TableInput{
		Name:      aws.String("Stocks"),
		TableType: aws.String("EXTERNAL_TABLE"),
		Owner:     aws.String("owner"),
		Retention: 7,
		StorageDescriptor: &types.StorageDescriptor{
			Columns:      cols,
			Location:     aws.String("s3://bucket/stocks/"),
			InputFormat:  aws.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
			OutputFormat: aws.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
			Compressed:   true,
			SerdeInfo: &types.SerDeInfo{SerializationLibrary: aws.String("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
				Parameters: map[string]string{"serialization.format": "1"}},
		},
		PartitionKeys: []types.Column{{Name: aws.String("year"), Type: aws.String("string")}},
		Parameters:    map[string]string{"classification": "parquet"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetTable(ctx, &awsglue.GetTableInput{DatabaseName: aws.String("firehose_db"), Name: aws.String("stocks")})
	if err != nil {
		t.Fatal(err)
	}
	tb := got.Table
	if aws.ToString(tb.Name) != "stocks" || aws.ToString(tb.DatabaseName) != "firehose_db" || aws.ToString(tb.VersionId) != "0" ||
		aws.ToString(tb.CatalogId) != account || tb.IsRegisteredWithLakeFormation || tb.Retention != 7 || aws.ToString(tb.Owner) != "owner" {
		t.Fatalf("table: %+v", tb)
	}
	sd := tb.StorageDescriptor
	if len(sd.Columns) != len(cols) || !sd.Compressed || sd.SerdeInfo.Parameters["serialization.format"] != "1" ||
		aws.ToString(sd.InputFormat) != "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat" {
		t.Fatalf("storage descriptor: %+v", sd)
	}
	for i, col := range sd.Columns {
		if aws.ToString(col.Name) != aws.ToString(cols[i].Name) || aws.ToString(col.Type) != aws.ToString(cols[i].Type) || aws.ToString(col.Comment) != aws.ToString(cols[i].Comment) {
			t.Fatalf("column %d = %s %s, want %s %s", i, aws.ToString(col.Name), aws.ToString(col.Type), aws.ToString(cols[i].Name), aws.ToString(cols[i].Type))
		}
	}
	if len(tb.PartitionKeys) != 1 || aws.ToString(tb.PartitionKeys[0].Name) != "year" {
		t.Fatalf("partition keys: %+v", tb.PartitionKeys)
	}

	// A schema change is a new version; the old one stays readable.
	_, err = c.UpdateTable(ctx, &awsglue.UpdateTableInput{DatabaseName: aws.String("firehose_db"), VersionId: aws.String("0"), TableInput: &types.TableInput{
		Name: aws.String("stocks"), StorageDescriptor: &types.StorageDescriptor{Columns: cols[:2]}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateTable(ctx, &awsglue.UpdateTableInput{DatabaseName: aws.String("firehose_db"), VersionId: aws.String("0"), TableInput: &types.TableInput{
		Name: aws.String("stocks"), StorageDescriptor: &types.StorageDescriptor{Columns: cols[:1]}}})
	var conc *types.ConcurrentModificationException
	if !errors.As(err, &conc) {
		t.Fatalf("stale UpdateTable: %v", err)
	}
	v0, err := c.GetTableVersion(ctx, &awsglue.GetTableVersionInput{DatabaseName: aws.String("firehose_db"), TableName: aws.String("stocks"), VersionId: aws.String("0")})
	if err != nil {
		t.Fatal(err)
	}
	if len(v0.TableVersion.Table.StorageDescriptor.Columns) != len(cols) {
		t.Fatalf("version 0 has %d columns", len(v0.TableVersion.Table.StorageDescriptor.Columns))
	}
	var ids []string
	p := awsglue.NewGetTableVersionsPaginator(c, &awsglue.GetTableVersionsInput{DatabaseName: aws.String("firehose_db"), TableName: aws.String("stocks"), MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.TableVersions {
			ids = append(ids, aws.ToString(v.VersionId))
		}
	}
	if strings.Join(ids, ",") != "1,0" {
		t.Fatalf("versions %v", ids)
	}

	_, err = c.GetTable(ctx, &awsglue.GetTableInput{DatabaseName: aws.String("firehose_db"), Name: aws.String("nope")})
	var nf *types.EntityNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Table nope not found." {
		t.Fatalf("GetTable of a missing table: %v", err)
	}
	_, err = c.GetTable(ctx, &awsglue.GetTableInput{DatabaseName: aws.String("nodb"), Name: aws.String("stocks")})
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Database nodb not found." {
		t.Fatalf("GetTable in a missing database: %v", err)
	}

	if _, err := c.DeleteTable(ctx, &awsglue.DeleteTableInput{DatabaseName: aws.String("firehose_db"), Name: aws.String("stocks")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteDatabase(ctx, &awsglue.DeleteDatabaseInput{Name: aws.String("firehose_db")}); err != nil {
		t.Fatal(err)
	}
	dbs, err := c.GetDatabases(ctx, &awsglue.GetDatabasesInput{})
	if err != nil || len(dbs.DatabaseList) != 0 {
		t.Fatalf("GetDatabases after delete: %+v %v", dbs, err)
	}
}

func TestSDKGetTablesPaginator(t *testing.T) {
	srv := newServer(t)
	c := newClient(srv.URL)
	ctx := context.Background()
	if _, err := c.CreateDatabase(ctx, &awsglue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("db")}}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range []string{"events_a", "events_b", "events_c", "other", "events_d"} {
		if _, err := c.CreateTable(ctx, &awsglue.CreateTableInput{DatabaseName: aws.String("db"), TableInput: &types.TableInput{Name: aws.String(n)}}); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(n, "events") {
			want = append(want, n)
		}
	}
	sort.Strings(want)
	var got []string
	p := awsglue.NewGetTablesPaginator(c, &awsglue.GetTablesInput{DatabaseName: aws.String("db"), Expression: aws.String("events*"), MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tb := range page.TableList {
			got = append(got, aws.ToString(tb.Name))
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || pages != 2 {
		t.Fatalf("%d pages: %v, want %v", pages, got, want)
	}
	out, err := c.BatchDeleteTable(ctx, &awsglue.BatchDeleteTableInput{DatabaseName: aws.String("db"), TablesToDelete: []string{"other", "ghost"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].TableName) != "ghost" || aws.ToString(out.Errors[0].ErrorDetail.ErrorCode) != "EntityNotFoundException" {
		t.Fatalf("BatchDeleteTable errors: %+v", out.Errors)
	}
}

// TestOtherOperationsAreUnknown: every operation of the model that is not
// built answers UnknownOperationException, the built ones do not.
func TestOtherOperationsAreUnknown(t *testing.T) {
	srv := newServer(t)
	c := newClient(srv.URL)
	_, err := c.GetJobs(context.Background(), &awsglue.GetJobsInput{})
	if code, _ := apiCode(t, err); code != "UnknownOperationException" {
		t.Fatalf("GetJobs: %s", code)
	}
	built := map[string]bool{}
	for _, op := range glueapi.Built() {
		built[op] = true
		if glueapi.Operations[op] == nil || glueapi.Operations[op].Input == nil {
			t.Errorf("built %s has no input shape", op)
		}
	}
	if len(built) != 14 {
		t.Errorf("%d operations built, want 14", len(built))
	}
	if len(glueapi.Operations) < 200 {
		t.Errorf("the model has %d operations", len(glueapi.Operations))
	}
	for name := range glueapi.Operations {
		status, body := post(t, srv.URL, name, `{}`)
		unknown := status == 400 && strings.Contains(body, `"UnknownOperationException"`)
		if unknown == built[name] {
			t.Errorf("%s: %d %s (built %v)", name, status, body, built[name])
		}
	}
}

func post(t *testing.T, url, op, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSGlue."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestWireErrors checks the bodies the SDK cannot produce: model
// validation and the error shape's "Message" key.
func TestWireErrors(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		op, body, code, msg string
	}{
		{"CreateDatabase", `{}`, "ValidationException", "1 validation error detected: Value null at 'databaseInput' failed to satisfy constraint: Member must not be null"},
		{"CreateDatabase", `{"DatabaseInput":{"Name":""}}`, "ValidationException", "1 validation error detected: Value '' at 'databaseInput.name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"GetTable", `{"DatabaseName":"db"}`, "ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"GetTables", `{"DatabaseName":"db","MaxResults":1000}`, "ValidationException", "1 validation error detected: Value '1000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{"GetDatabase", `{"Name":"missing"}`, "EntityNotFoundException", "Database missing not found."},
		{"CreateTable", `{"DatabaseName":"missing","TableInput":{"Name":"t"}}`, "EntityNotFoundException", "Database missing not found."},
	}
	for _, c := range cases {
		status, body := post(t, srv.URL, c.op, c.body)
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s %s: %d %s", c.op, c.body, status, body)
		}
		msg := got["Message"]
		if msg == "" {
			msg = got["message"]
		}
		if status != 400 || got["__type"] != c.code || msg != c.msg {
			t.Errorf("%s %s: %d %s, want %s %q", c.op, c.body, status, body, c.code, c.msg)
		}
	}
}
