package redshift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/freshet/freshet/internal/api/firehoseapi"
	"github.com/freshet/freshet/internal/firehose/dest"
)

// Error codes of the error lines, after the codes Firehose reports for
// Redshift deliveries.
const (
	CodeConnectionFailed      = "Redshift.ConnectionFailed"
	CodeAuthenticationFailed  = "Redshift.AuthenticationFailed"
	CodeTableNotFound         = "Redshift.TableNotFound"
	CodeColumnNotFound        = "Redshift.ColumnNotFound"
	CodeInsufficientPrivilege = "Redshift.InsufficientPrivilege"
	CodeSyntaxError           = "Redshift.SyntaxError"
	CodeReadOnlyCluster       = "Redshift.ReadOnlyCluster"
	CodeDiskFull              = "Redshift.DiskFull"
	// CodeDataLoadFailed: the load failed (MAXERROR exceeded, a constraint
	// violated, another database error).
	CodeDataLoadFailed = "Redshift.DataLoadFailed"
	// CodeParseError marks a record with a row skipped within MAXERROR.
	CodeParseError = "Redshift.ParseError"
)

// Options are the destination's collaborators.
type Options struct {
	Logger *slog.Logger
	// Now and Sleep are the clock; tests inject fast ones.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Secret resolves SecretsManagerConfiguration.SecretARN into a user
	// name and password. Without it, a configuration using Secrets Manager
	// cannot connect (its deliveries fail with AuthenticationFailed).
	Secret func(ctx context.Context, secretARN string) (user, password string, err error)
}

// destination loads batches into one PostgreSQL database over one
// connection, one batch at a time.
type destination struct {
	opts      Options
	log       *slog.Logger
	target    jdbcTarget
	table     pgx.Identifier
	tableName string
	columns   []string
	copy      copyOpts
	retry     time.Duration
	user      string
	password  string
	secretARN string

	mu   sync.Mutex
	conn *pgx.Conn
}

// New validates cfg and returns its destination. It does not connect: the
// first delivery does.
func New(cfg *firehoseapi.RedshiftDestinationConfiguration, opts Options) (dest.Destination, error) {
	if err := Validate(cfg); err != nil {
		return nil, err
	}
	d := &destination{opts: opts, log: opts.Logger}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.opts.Now == nil {
		d.opts.Now = time.Now
	}
	if d.opts.Sleep == nil {
		d.opts.Sleep = sleep
	}
	d.target, _ = parseJDBC(cfg.ClusterJDBCURL)
	parts, _ := splitIdent(cfg.CopyCommand.DataTableName)
	d.table = pgx.Identifier(parts)
	d.tableName = strings.Join(parts, ".")
	if c := cfg.CopyCommand.DataTableColumns; c != nil {
		d.columns, _ = splitColumns(*c)
	}
	if c := cfg.CopyCommand.CopyOptions; c != nil {
		d.copy, _ = parseCopyOptions(*c)
	} else {
		d.copy, _ = parseCopyOptions("")
	}
	d.retry = time.Duration(Spec.RetrySeconds) * time.Second
	if r := cfg.RetryOptions; r != nil && r.DurationInSeconds != nil {
		d.retry = time.Duration(*r.DurationInSeconds) * time.Second
	}
	if sm := cfg.SecretsManagerConfiguration; sm != nil && sm.Enabled {
		d.secretARN = *sm.SecretARN
	} else {
		d.user, d.password = *cfg.Username, *cfg.Password
	}
	return d, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// loadError is why a load attempt failed.
type loadError struct {
	code, msg string
	sqlstate  string
	permanent bool
}

// Deliver loads the batch, retrying within the retry window.
func (d *destination) Deliver(ctx context.Context, b dest.Batch) (dest.Result, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	start := d.opts.Now()
	for n := 0; ; n++ {
		skipped, lerr := d.load(ctx, b)
		if err := ctx.Err(); err != nil {
			return dest.Result{}, err
		}
		if lerr == nil {
			return d.partial(b, skipped, n+1), nil
		}
		d.log.Warn("redshift load failed", "stream", b.Stream, "batch", b.ID, "attempt", n+1,
			"errorCode", lerr.code, "sqlstate", lerr.sqlstate, "permanent", lerr.permanent)
		elapsed := d.opts.Now().Sub(start)
		if lerr.permanent || elapsed >= d.retry {
			return d.failAll(b, lerr, n+1), nil
		}
		delay := min(jitter(dest.Backoff(n)), d.retry-elapsed)
		if err := d.opts.Sleep(ctx, delay); err != nil {
			return dest.Result{}, err
		}
	}
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.85 + 0.3*rand.Float64()))
}

// load runs one attempt: read the rows, COPY them in one statement. Rows
// rejected within MAXERROR come back; the rest are loaded.
func (d *destination) load(ctx context.Context, b dest.Batch) ([]rowError, *loadError) {
	conn, lerr := d.connect(ctx)
	if lerr != nil {
		return nil, lerr
	}
	cols, err := tableColumns(ctx, conn, d.table, d.columns)
	if err != nil {
		return nil, d.classify(err)
	}
	p := parseRows(b.Records, cols, &d.copy)
	if len(p.errs) > d.copy.maxError {
		return nil, d.tooManyErrors(p.errs)
	}
	sql := copySQL(d.table, cols)
	skip := map[int]bool{}
	rejected := p.errs
	for len(skip) < len(p.rows) {
		r := newCopyReader(p.rows, skip)
		_, err := conn.PgConn().CopyFrom(ctx, r, sql)
		if err == nil {
			break
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || !isDataError(pe.Code) {
			return nil, d.classify(err)
		}
		line := copyLine(pe.Where)
		if line < 1 || line > len(r.sent) {
			return nil, &loadError{code: CodeDataLoadFailed, sqlstate: pe.Code, permanent: true,
				msg: fmt.Sprintf("Load into table '%s' failed: %s", d.tableName, pe.Message)}
		}
		bad := p.rows[r.sent[line-1]]
		rejected = append(rejected, rowError{rec: bad.rec, line: bad.line, msg: pe.Message})
		if len(rejected) > d.copy.maxError {
			return nil, d.tooManyErrors(rejected)
		}
		skip[r.sent[line-1]] = true
	}
	return rejected, nil
}

func (d *destination) tooManyErrors(errs []rowError) *loadError {
	return &loadError{code: CodeDataLoadFailed, permanent: true,
		msg: fmt.Sprintf("Load into table '%s' failed: %d row(s) rejected, MAXERROR is %d; first at %s",
			d.tableName, len(errs), d.copy.maxError, errs[0])}
}

func copySQL(table pgx.Identifier, cols []column) string {
	var b strings.Builder
	b.WriteString("COPY ")
	b.WriteString(table.Sanitize())
	b.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pgx.Identifier{c.name}.Sanitize())
	}
	b.WriteString(") FROM STDIN")
	return b.String()
}

// isDataError: data exceptions (22) and integrity violations (23) come
// from the rows and do not heal with retries.
func isDataError(code string) bool {
	return strings.HasPrefix(code, "22") || strings.HasPrefix(code, "23")
}

var lineRE = regexp.MustCompile(`COPY .*?, line (\d+)`)

// copyLine reads the line number from a COPY error's context.
func copyLine(where string) int {
	m := lineRE.FindStringSubmatch(where)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func (d *destination) connect(ctx context.Context) (*pgx.Conn, *loadError) {
	if d.conn != nil && !d.conn.IsClosed() {
		return d.conn, nil
	}
	d.conn = nil
	user, password := d.user, d.password
	if d.secretARN != "" {
		if d.opts.Secret == nil {
			return nil, &loadError{code: CodeAuthenticationFailed,
				msg: "SecretsManagerConfiguration is enabled but no Secrets Manager is available to read " + d.secretARN}
		}
		var err error
		if user, password, err = d.opts.Secret(ctx, d.secretARN); err != nil {
			return nil, &loadError{code: CodeAuthenticationFailed, msg: "Reading the secret failed: " + err.Error()}
		}
	}
	cfg, err := d.target.connConfig(user, password)
	if err != nil {
		return nil, &loadError{code: CodeConnectionFailed, msg: err.Error()}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, d.classify(err)
	}
	d.conn = conn
	return conn, nil
}

// classify turns an error into a load error and drops a broken connection.
func (d *destination) classify(err error) *loadError {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		d.dropConn()
		switch {
		case errors.Is(err, errTableNotFound):
			return &loadError{code: CodeTableNotFound, msg: err.Error()}
		case errors.Is(err, errColumnNotFound):
			return &loadError{code: CodeColumnNotFound, msg: err.Error()}
		}
		return &loadError{code: CodeConnectionFailed, msg: "Could not connect to the database: " + err.Error()}
	}
	le := &loadError{sqlstate: pe.Code, msg: pe.Message}
	switch {
	case strings.HasPrefix(pe.Code, "28"):
		le.code = CodeAuthenticationFailed
	case pe.Code == "3D000", strings.HasPrefix(pe.Code, "08"), pe.Code == "53300", strings.HasPrefix(pe.Code, "57P"):
		le.code = CodeConnectionFailed
		d.dropConn()
	case pe.Code == "42P01":
		le.code = CodeTableNotFound
	case pe.Code == "42703":
		le.code = CodeColumnNotFound
	case pe.Code == "42501":
		le.code = CodeInsufficientPrivilege
	case pe.Code == "42601":
		le.code = CodeSyntaxError
	case pe.Code == "25006":
		le.code = CodeReadOnlyCluster
	case pe.Code == "53100":
		le.code = CodeDiskFull
	default:
		le.code = CodeDataLoadFailed
		le.permanent = isDataError(pe.Code)
	}
	return le
}

func (d *destination) dropConn() {
	if d.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = d.conn.Close(ctx)
	d.conn = nil
}

// Close closes the connection.
func (d *destination) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dropConn()
	return nil
}

// errLine is Firehose's failed-record format.
type errLine struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	RawData                []byte `json:"rawData"`
}

func (d *destination) line(r dest.Record, code, msg string, attempts int, end time.Time) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errLine{AttemptsMade: attempts, ArrivalTimestamp: r.ArrivalMs, ErrorCode: code,
		ErrorMessage: msg, AttemptEndingTimestamp: end.UnixMilli(), RawData: r.Data})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func (d *destination) failAll(b dest.Batch, lerr *loadError, attempts int) dest.Result {
	end := d.opts.Now()
	res := dest.Result{Failed: make([]dest.Failure, len(b.Records))}
	for i, r := range b.Records {
		res.Failed[i] = dest.Failure{Record: r, Line: d.line(r, lerr.code, lerr.msg, attempts, end)}
	}
	return res
}

// partial reports the records that hold rows rejected within MAXERROR.
func (d *destination) partial(b dest.Batch, rejected []rowError, attempts int) dest.Result {
	if len(rejected) == 0 {
		return dest.Result{}
	}
	d.log.Warn("redshift rows rejected within MAXERROR", "stream", b.Stream, "batch", b.ID, "rows", len(rejected))
	end := d.opts.Now()
	first := map[int]rowError{}
	for _, e := range rejected {
		if _, ok := first[e.rec]; !ok {
			first[e.rec] = e
		}
	}
	var res dest.Result
	for i, r := range b.Records { // in record order
		e, ok := first[i]
		if !ok {
			continue
		}
		res.Failed = append(res.Failed, dest.Failure{Record: r,
			Line: d.line(r, CodeParseError, fmt.Sprintf("Row rejected from table '%s' at %s", d.tableName, e), attempts, end)})
	}
	return res
}
