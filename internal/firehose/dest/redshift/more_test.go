package redshift

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/freshet/freshet/internal/api/firehoseapi"
)

func TestTextRowErrorsNameTheirRecords(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE r (id int, name text)`)
	d := newDest(t, config(db.jdbc, "r", "", "DELIMITER ',' MAXERROR 2"), nil)
	// Record 1 holds a row with an extra column, record 3 a row PostgreSQL
	// rejects; record 0's second row starts in record 0 and ends in record 1.
	res := deliver(t, d, batch("1,a\n2,", "b\n3,c,extra\n", "4,d\n", "five,e\n6,f"))
	var ids []string
	for _, f := range res.Failed {
		ids = append(ids, f.Record.ID)
		if m := decodeLine(t, f.Line); m["errorCode"] != CodeParseError {
			t.Errorf("line = %s", f.Line)
		}
	}
	if strings.Join(ids, ",") != "1,3" {
		t.Errorf("failed records = %v, want 1,3", ids)
	}
	equal(t, db.rows(`SELECT id, name FROM r ORDER BY id`), []string{"1|a", "2|b", "4|d", "6|f"})
}

func TestSecretsManagerCredentials(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE s (id int)`)
	cfg := config(db.jdbc, "s", "", "")
	cfg.Username, cfg.Password = nil, nil
	cfg.SecretsManagerConfiguration = &firehoseapi.SecretsManagerConfiguration{Enabled: true, SecretARN: ptr("arn:aws:secretsmanager:us-east-1:000000000000:secret:pg")}
	var asked string
	d, err := New(cfg, Options{Secret: func(_ context.Context, arn string) (string, string, error) {
		asked = arn
		return "postgres", "pw", nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if res := deliver(t, d, batch("1\n2\n")); len(res.Failed) != 0 {
		t.Fatalf("failed: %s", res.Failed[0].Line)
	}
	if asked != *cfg.SecretsManagerConfiguration.SecretARN {
		t.Errorf("secret asked for %q", asked)
	}
	equal(t, db.rows(`SELECT count(*) FROM s`), []string{"2"})

	// Without a resolver the delivery fails with AuthenticationFailed.
	cfg.RetryOptions = &firehoseapi.RedshiftRetryOptions{DurationInSeconds: ptr(int64(0))}
	res := deliver(t, newDest(t, cfg, nil), batch("3\n"))
	if len(res.Failed) != 1 || decodeLine(t, res.Failed[0].Line)["errorCode"] != CodeAuthenticationFailed {
		t.Errorf("result = %+v", res)
	}
}

func TestLogsNeverHoldPayloads(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE l (id int NOT NULL, secret text)`)
	var logs bytes.Buffer
	d, err := New(config(db.jdbc, "l", "", "JSON 'auto' MAXERROR 1"), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// One row rejected by PostgreSQL (its message quotes the value), then a
	// batch failing as a whole.
	deliver(t, d, batch(`{"id":"PAYLOAD-1","secret":"x"}`, `{"id":1,"secret":"PAYLOAD-2"}`))
	deliver(t, d, batch(`{"secret":"PAYLOAD-3"}`, `{"id":"PAYLOAD-4"}`))
	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	if strings.Contains(logs.String(), "PAYLOAD") {
		t.Errorf("logs hold record data:\n%s", logs.String())
	}
}
