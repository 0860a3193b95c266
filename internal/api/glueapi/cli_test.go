package glueapi_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cli runs the aws CLI against url and decodes its JSON answer (if any).
func cli(t *testing.T, url string, args ...string) map[string]any {
	t.Helper()
	out, stderr, err := runCLI(t, url, args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	if strings.TrimSpace(out) == "" {
		return nil
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

func runCLI(t *testing.T, url string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", url, "--output", "json", "glue"}, args...)...)
	none := filepath.Join(t.TempDir(), "none")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+none, "AWS_SHARED_CREDENTIALS_FILE="+none, "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1", "PYTHONWARNINGS=ignore")
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// path walks decoded JSON: keys for objects, ints for arrays.
func path(v any, steps ...any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	if testing.Short() {
		t.Skip("the aws CLI takes a second or more per call")
	}
	srv := newServer(t)
	url := srv.URL

	cli(t, url, "create-database", "--database-input", "Name=CliDB,Description=from the cli")
	db := cli(t, url, "get-database", "--name", "clidb")
	if path(db, "Database", "Name") != "clidb" || path(db, "Database", "Description") != "from the cli" || path(db, "Database", "CatalogId") != account {
		t.Fatalf("get-database: %v", db)
	}

	table := `{"Name":"Events","TableType":"EXTERNAL_TABLE","Parameters":{"classification":"parquet"},
	  "PartitionKeys":[{"Name":"dt","Type":"string"}],
	  "StorageDescriptor":{"Columns":[{"Name":"id","Type":"bigint","Comment":"event id"},{"Name":"payload","Type":"struct<a:int,b:string>"}],
	    "Location":"s3://bucket/events/",
	    "InputFormat":"org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
	    "OutputFormat":"org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
	    "SerdeInfo":{"SerializationLibrary":"org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe","Parameters":{"serialization.format":"1"}}}}`
	file := filepath.Join(t.TempDir(), "table.json")
	if err := os.WriteFile(file, []byte(table), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, url, "create-table", "--database-name", "clidb", "--table-input", "file://"+file)

	got := cli(t, url, "get-table", "--database-name", "CLIDB", "--name", "events")
	if path(got, "Table", "Name") != "events" || path(got, "Table", "VersionId") != "0" ||
		path(got, "Table", "StorageDescriptor", "Columns", 1, "Type") != "struct<a:int,b:string>" ||
		path(got, "Table", "StorageDescriptor", "Columns", 0, "Comment") != "event id" ||
		path(got, "Table", "StorageDescriptor", "SerdeInfo", "SerializationLibrary") != "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" ||
		path(got, "Table", "PartitionKeys", 0, "Name") != "dt" || path(got, "Table", "IsRegisteredWithLakeFormation") != false {
		t.Fatalf("get-table: %v", got)
	}
	// CLI v1 shows timestamps as they travel (cli_timestamp_format none):
	// epoch seconds.
	if ts, ok := path(got, "Table", "CreateTime").(float64); !ok || time.Since(time.Unix(int64(ts), 0)).Abs() > time.Minute {
		t.Fatalf("CreateTime %v is not the creation time", path(got, "Table", "CreateTime"))
	}

	list := cli(t, url, "get-tables", "--database-name", "clidb", "--expression", "ev*")
	if n := len(path(list, "TableList").([]any)); n != 1 || path(list, "TableList", 0, "Name") != "events" {
		t.Fatalf("get-tables: %v", list)
	}

	updated := strings.Replace(table, `{"Name":"payload","Type":"struct<a:int,b:string>"}`, `{"Name":"payload","Type":"string"},{"Name":"source","Type":"string"}`, 1)
	if err := os.WriteFile(file, []byte(updated), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, url, "update-table", "--database-name", "clidb", "--table-input", "file://"+file)
	versions := cli(t, url, "get-table-versions", "--database-name", "clidb", "--table-name", "events")
	if path(versions, "TableVersions", 0, "VersionId") != "1" || path(versions, "TableVersions", 1, "VersionId") != "0" ||
		len(path(versions, "TableVersions", 0, "Table", "StorageDescriptor", "Columns").([]any)) != 3 ||
		len(path(versions, "TableVersions", 1, "Table", "StorageDescriptor", "Columns").([]any)) != 2 {
		t.Fatalf("get-table-versions: %v", versions)
	}

	cli(t, url, "delete-table", "--database-name", "clidb", "--name", "events")
	_, stderr, err := runCLI(t, url, "get-table", "--database-name", "clidb", "--name", "events")
	if err == nil || !strings.Contains(stderr, "EntityNotFoundException") || !strings.Contains(stderr, "Table events not found.") {
		t.Fatalf("get-table after delete: %v %s", err, stderr)
	}
	cli(t, url, "delete-database", "--name", "clidb")
	_, stderr, err = runCLI(t, url, "get-database", "--name", "clidb")
	if err == nil || !strings.Contains(stderr, "Database clidb not found.") {
		t.Fatalf("get-database after delete: %v %s", err, stderr)
	}
	_, stderr, err = runCLI(t, url, "get-jobs")
	if err == nil || !strings.Contains(stderr, "UnknownOperationException") {
		t.Fatalf("get-jobs: %v %s", err, stderr)
	}
}
