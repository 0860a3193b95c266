package redshift

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/freshet/freshet/internal/api/firehoseapi"
)

const eventsTable = `CREATE TABLE events (id int, name text, ts timestamp, ok boolean, amount numeric(10,2), note varchar(8) DEFAULT 'dflt')`

const eventsQuery = `SELECT id, name, ts::text, ok, amount::text, note FROM events ORDER BY id`

func TestJSONAutoLoadsTypedColumns(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(eventsTable)
	d := newDest(t, config(db.jdbc, "events", "", "JSON 'auto' TIMEFORMAT 'auto' GZIP"), nil)
	res := deliver(t, d, batch(
		// Two objects in one record, newline separated; an unknown key.
		`{"id":1,"name":"alpha","ts":"2024-01-02T03:04:05Z","ok":true,"amount":12.5,"note":"n1","unknown":[1,2]}`+"\n"+
			`{"id":2,"name":"tab\there \\ back\nslash","ts":"2024-02-03 04:05:06.789","ok":false,"amount":-0.25}`,
		// Missing keys become NULL (also the defaulted column: COPY lists every column).
		`{"id":3}`,
		// Objects concatenated without a separator, null values, a nested object.
		`{"id":4,"name":null,"note":"x"}{"id":5,"name":{"a":"b"},"ok":"true"}`,
	))
	if len(res.Failed) != 0 || res.Dropped != 0 {
		t.Fatalf("result = %+v, want all delivered", res)
	}
	equal(t, db.rows(eventsQuery), []string{
		"1|alpha|2024-01-02 03:04:05|true|12.50|n1",
		"2|tab\there \\ back\nslash|2024-02-03 04:05:06.789|false|-0.25|<nil>",
		"3|<nil>|<nil>|<nil>|<nil>|<nil>",
		"4|<nil>|<nil>|<nil>|<nil>|x",
		`5|{"a":"b"}|<nil>|true|<nil>|<nil>`,
	})
}

func TestJSONColumnListAndSchemaQualifiedTable(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE SCHEMA app`)
	db.exec(strings.Replace(eventsTable, "events", "app.events", 1))
	d := newDest(t, config(db.jdbc, "app.events", "id, name", "JSON 'auto'"), nil)
	res := deliver(t, d, batch(`{"id":7,"name":"n","amount":3,"note":"ignored"}`))
	if len(res.Failed) != 0 {
		t.Fatalf("failed: %s", res.Failed[0].Line)
	}
	// Columns outside the list get their defaults, keys outside it are ignored.
	equal(t, db.rows(`SELECT id, name, amount::text, note FROM app.events`), []string{"7|n|<nil>|dflt"})
}

func TestJSONKeyCase(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE a (id int, username text)`)
	db.exec(`CREATE TABLE b (id int, username text)`)
	rec := `{"ID":1,"UserName":"Ann"}{"id":2,"username":"bob"}`
	// 'auto' matches keys to the (lower-case) column names exactly, as
	// Redshift does; 'auto ignorecase' ignores the keys' case.
	deliver(t, newDest(t, config(db.jdbc, "a", "", "json 'auto'"), nil), batch(rec))
	deliver(t, newDest(t, config(db.jdbc, "b", "", "FORMAT AS JSON 'auto ignorecase'"), nil), batch(rec))
	equal(t, db.rows(`SELECT id, username FROM a ORDER BY id NULLS FIRST`), []string{"<nil>|<nil>", "2|bob"})
	equal(t, db.rows(`SELECT id, username FROM b ORDER BY id`), []string{"1|Ann", "2|bob"})
}

func TestCSVWithDelimiterAndQuotes(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE c (id int, name text, city text)`)
	d := newDest(t, config(db.jdbc, "c", "", "CSV DELIMITER ';'"), nil)
	// A quoted field holds the delimiter, a doubled quote and a newline; a
	// row spans two records (records are concatenated byte for byte).
	res := deliver(t, d, batch("1;\"a;b\";\"say \"\"hi\"\"\"\r\n2;\"line1\nline2\";x\n3;plain;",
		"y\n4;\"\";\n"))
	if len(res.Failed) != 0 {
		t.Fatalf("failed: %s", res.Failed[0].Line)
	}
	equal(t, db.rows(`SELECT id, name, city FROM c ORDER BY id`), []string{
		`1|a;b|say "hi"`, "2|line1\nline2|x", "3|plain|y", "4||",
	})

	db.exec(`CREATE TABLE q (id int, name text)`)
	d = newDest(t, config(db.jdbc, "q", "", "CSV QUOTE AS '%' IGNOREHEADER 1"), nil)
	deliver(t, d, batch("id,name\n1,  %x,y% \n2,%50%%%\n"))
	equal(t, db.rows(`SELECT id, name FROM q ORDER BY id`), []string{"1|x,y", "2|50%"})
}

func TestPipeDelimitedTextWithNullAs(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE p (id int, name text, score int, tag varchar(4))`)
	d := newDest(t, config(db.jdbc, "p", "", "NULL AS 'NULL' IGNOREHEADER AS 2"), nil)
	res := deliver(t, d, batch("# header one\nid|name|score|tag\n", "1|a|NULL|t\n2||  |NULL\n3|\\N|5|\\x\n"))
	if len(res.Failed) != 0 {
		t.Fatalf("failed: %s", res.Failed[0].Line)
	}
	// Empty and blank fields of non-character columns are NULL; empty
	// character fields stay empty without EMPTYASNULL; backslashes are
	// data without ESCAPE.
	equal(t, db.rows(`SELECT id, name, score, tag FROM p ORDER BY id`), []string{
		"1|a|<nil>|t", "2||<nil>|<nil>", `3|\N|5|\x`,
	})
}

func TestConversionParameters(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE v (id int, s varchar(5), e text, b text, at timestamp)`)
	d := newDest(t, config(db.jdbc, "v", "", "DELIMITER AS '\\t' TRUNCATECOLUMNS EMPTYASNULL BLANKSASNULL ACCEPTINVCHARS AS '^' TIMEFORMAT 'epochsecs' ESCAPE FILLRECORD"), nil)
	res := deliver(t, d, batch(
		"1\tabcdefgh\t\t   \t1700000000\n"+
			"2\tab\xffc\tx\\\ty\tz\t1700000000.5\n"+
			"3\tshort\n"))
	if len(res.Failed) != 0 {
		t.Fatalf("failed: %s", res.Failed[0].Line)
	}
	equal(t, db.rows(`SELECT id, s, e, b, at::text FROM v ORDER BY id`), []string{
		"1|abcde|<nil>|<nil>|2023-11-14 22:13:20",
		"2|ab^c|x\ty|z|2023-11-14 22:13:20.5",
		"3|short|<nil>|<nil>|<nil>",
	})
}

func TestMaxErrorSkipsBadRowsIntoFailed(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE m (id int NOT NULL, name text)`)
	for _, tc := range []struct{ name, bad string }{
		{"unparsable", `{"id":2,"name":`},   // rejected while reading
		{"type", `{"id":"two","name":"b"}`}, // rejected by PostgreSQL
		{"not-null", `{"name":"b"}`},        // constraint
		{"array", `[{"id":2}]`},             // not an object
	} {
		t.Run(tc.name, func(t *testing.T) {
			db.exec(`TRUNCATE m`)
			d := newDest(t, config(db.jdbc, "m", "", "JSON 'auto' MAXERROR 1"), nil)
			b := batch(`{"id":1,"name":"a"}`, tc.bad, `{"id":3,"name":"c"}`)
			res := deliver(t, d, b)
			if len(res.Failed) != 1 || res.Failed[0].Record.ID != "1" {
				t.Fatalf("failed = %+v, want record 1 only", res.Failed)
			}
			m := decodeLine(t, res.Failed[0].Line)
			if m["errorCode"] != CodeParseError {
				t.Errorf("errorCode = %v", m["errorCode"])
			}
			raw, _ := base64.StdEncoding.DecodeString(m["rawData"].(string))
			if string(raw) != tc.bad || m["arrivalTimestamp"].(float64) != float64(b.Records[1].ArrivalMs) {
				t.Errorf("line = %s", res.Failed[0].Line)
			}
			equal(t, db.rows(`SELECT id, name FROM m ORDER BY id`), []string{"1|a", "3|c"})
		})
	}
}

func TestMaxErrorExceededFailsTheBatch(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE m (id int, name text)`)
	clock := newClock()
	d := newDest(t, config(db.jdbc, "m", "", "CSV MAXERROR 1"), clock)
	res := deliver(t, d, batch("1,a\n", "x,b\n", "3,c,extra\n", "4,d\n"))
	if len(res.Failed) != 4 {
		t.Fatalf("failed %d records, want 4", len(res.Failed))
	}
	for _, f := range res.Failed {
		m := decodeLine(t, f.Line)
		if m["errorCode"] != CodeDataLoadFailed || m["attemptsMade"].(float64) != 1 {
			t.Errorf("line = %s", f.Line)
		}
	}
	if len(clock.sleeps) != 0 {
		t.Errorf("a parse failure was retried: %v", clock.sleeps)
	}
	equal(t, db.rows(`SELECT count(*) FROM m`), []string{"0"})
}

func TestBatchIsAtomic(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	db.exec(`CREATE TABLE n (id int, name text NOT NULL)`)
	clock := newClock()
	d := newDest(t, config(db.jdbc, "n", "", "JSON 'auto'"), clock)
	var recs []string
	for i := 0; i < 2000; i++ {
		recs = append(recs, fmt.Sprintf(`{"id":%d,"name":"n%d"}`, i, i))
	}
	recs = append(recs, `{"id":2000}`) // the last row violates NOT NULL
	res := deliver(t, d, batch(recs...))
	if len(res.Failed) != len(recs) {
		t.Fatalf("failed %d of %d", len(res.Failed), len(recs))
	}
	m := decodeLine(t, res.Failed[0].Line)
	if m["errorCode"] != CodeDataLoadFailed || !strings.Contains(m["errorMessage"].(string), "not-null") {
		t.Errorf("line = %s", res.Failed[0].Line)
	}
	equal(t, db.rows(`SELECT count(*) FROM n`), []string{"0"})
	if len(clock.sleeps) != 0 {
		t.Errorf("a constraint violation was retried: %v", clock.sleeps)
	}
}

func TestConnectionRefusedRetriesWithinWindow(t *testing.T) {
	t.Parallel()
	cfg := config(fmt.Sprintf("jdbc:postgresql://127.0.0.1:%d/db", closedPort(t)), "t", "", "")
	cfg.RetryOptions = &firehoseapi.RedshiftRetryOptions{DurationInSeconds: ptr(int64(1))}
	clock := newClock()
	start := clock.Now()
	d := newDest(t, cfg, clock)
	b := batch("a|b\n", "c|d\n")
	res := deliver(t, d, b)
	if len(res.Failed) != 2 {
		t.Fatalf("failed = %d, want 2", len(res.Failed))
	}
	var slept time.Duration
	for _, s := range clock.sleeps {
		slept += s
	}
	if slept != time.Second {
		t.Errorf("slept %v in all (%v), want the 1 s window", slept, clock.sleeps)
	}
	if clock.sleeps[0] < 850*time.Millisecond {
		t.Errorf("first backoff %v, want 1 s ± 15 %%", clock.sleeps[0])
	}
	for i, f := range res.Failed {
		m := decodeLine(t, f.Line)
		raw, _ := base64.StdEncoding.DecodeString(m["rawData"].(string))
		if m["errorCode"] != CodeConnectionFailed || string(raw) != string(b.Records[i].Data) ||
			int(m["attemptsMade"].(float64)) != len(clock.sleeps)+1 ||
			int64(m["attemptEndingTimestamp"].(float64)) != start.Add(time.Second).UnixMilli() ||
			int64(m["arrivalTimestamp"].(float64)) != b.Records[i].ArrivalMs {
			t.Errorf("line = %s", f.Line)
		}
	}
}

func TestZeroRetryWindowTriesOnce(t *testing.T) {
	t.Parallel()
	cfg := config(fmt.Sprintf("jdbc:redshift://127.0.0.1:%d/dev", closedPort(t)), "t", "", "")
	cfg.RetryOptions = &firehoseapi.RedshiftRetryOptions{DurationInSeconds: ptr(int64(0))}
	clock := newClock()
	res := deliver(t, newDest(t, cfg, clock), batch("x"))
	if len(res.Failed) != 1 || len(clock.sleeps) != 0 {
		t.Fatalf("failed %d, sleeps %v", len(res.Failed), clock.sleeps)
	}
}

func TestRetryHealsMissingTableAndReconnects(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	clock := newClock()
	clock.onSlp = func() { db.exec(`CREATE TABLE IF NOT EXISTS late (id int)`) }
	d := newDest(t, config(db.jdbc, "late", "", "JSON 'auto'"), clock)
	if res := deliver(t, d, batch(`{"id":1}`)); len(res.Failed) != 0 {
		t.Fatalf("failed: %s", res.Failed[0].Line)
	}
	if len(clock.sleeps) != 1 {
		t.Errorf("sleeps = %v, want one retry", clock.sleeps)
	}
	// Kill the destination's session: the next batch reconnects.
	db.exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'freshet-firehose'`)
	if res := deliver(t, d, batch(`{"id":2}`)); len(res.Failed) != 0 {
		t.Fatalf("failed: %s", res.Failed[0].Line)
	}
	equal(t, db.rows(`SELECT id FROM late ORDER BY id`), []string{"1", "2"})
}

func TestContextCancellation(t *testing.T) {
	t.Parallel()
	cfg := config(fmt.Sprintf("jdbc:postgresql://127.0.0.1:%d/db", closedPort(t)), "t", "", "")
	ctx, cancel := context.WithCancel(context.Background())
	d, err := New(cfg, Options{Sleep: func(ctx context.Context, _ time.Duration) error {
		cancel() // the engine shuts down while we wait to retry
		<-ctx.Done()
		return ctx.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Deliver(ctx, batch("a"))
	if !errors.Is(err, context.Canceled) || len(res.Failed) != 0 {
		t.Fatalf("Deliver = %+v, %v; want context.Canceled and no result", res, err)
	}

	// An already cancelled context loads nothing.
	db := newDB(t)
	db.exec(`CREATE TABLE c (id int)`)
	d2 := newDest(t, config(db.jdbc, "c", "", ""), nil)
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := d2.Deliver(ctx2, batch("1\n")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver = %v, want context.Canceled", err)
	}
	equal(t, db.rows(`SELECT count(*) FROM c`), []string{"0"})
}
