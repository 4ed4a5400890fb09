// Package pgjournal is a [meterfile.Journal] in PostgreSQL, shared by the
// runs of every machine that reaches the database: a pod killed with its
// disk, a CI runner and an operator's laptop all see the same journal, and
// two runs of one file at once never send the same transaction.
//
// # Schema
//
// [Open] creates the tables on first use in their own PostgreSQL schema
// ([DefaultSchema] unless [WithSchema]), with a version: one row per
// transaction in transactions (organization, batch, content hash, state,
// the rows, created and updated times, last error), every state change in
// history (append-only: a trigger refuses to change or delete it), and the
// transitions that meterfile.CheckTransition allows, which a trigger on
// transactions enforces: states only move forward, whatever client writes.
// Each write is also conditional on the state it follows (UPDATE … WHERE
// state = the state read), so that a run never writes over what another
// wrote meanwhile.
//
// # Two runs at once
//
// Before it decides anything about a transaction, a run claims it with a
// session advisory lock of PostgreSQL, held on its own connection until the
// outcome is recorded; the sent entry is committed before the request
// leaves, under that lock. A transaction sent costs three round trips to
// the database: the lock and the read of its row (one pipeline), the sent
// entry, and the outcome with the unlock (one pipeline: the unlock runs once
// the outcome is committed, [Journal.RecordRelease]); commits of concurrent
// transactions share the database's WAL flushes. A run finding a transaction claimed leaves it for
// the end, then waits for the claim and judges it from what the other run
// recorded (applied: skipped). A run that dies (kill -9, a lost pod, a
// dropped connection) loses its locks with its connections: its transaction
// in flight stays sent, an unknown outcome that the next run refuses until
// it is reconciled.
//
// # Failures
//
// A database that cannot be reached is an error of Open: nothing is sent.
// A connection lost later (a database restarting) is retried for a while
// ([WithRetryFor]); a write whose commit was not acknowledged is found again
// by its entry's id rather than written twice; a claim lost with its
// connection is taken again before anything more is recorded under it, and
// if another run took it meanwhile, nothing more is sent for it. The
// password of the DSN never appears in an error or in [Journal.String].
package pgjournal

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/exopartner/exopartner/wrapper/meterfile"
)

// ErrVersion is matched by the error of [Open] when the journal's tables
// were made by another version of exopartner.
var ErrVersion = errors.New("journal schema version not supported")

// IsDSN reports whether s names a PostgreSQL database (a postgres:// or
// postgresql:// URL) rather than a file.
func IsDSN(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Option configures [Open].
type Option func(*config)

type config struct {
	schema      string
	retryFor    time.Duration
	opWait      time.Duration
	concurrency int
	tune        func(*pgxpool.Config) // the tests': a dialer
}

// WithSchema puts the journal's tables in schema (default [DefaultSchema]).
func WithSchema(schema string) Option { return func(c *config) { c.schema = schema } }

// WithRetryFor sets how long a statement is retried while the database
// cannot be reached (default 30 s). Open itself is not retried: an
// unreachable database is reported at once.
func WithRetryFor(d time.Duration) Option { return func(c *config) { c.retryFor = d } }

// WithConcurrency sizes the journal for runs with up to n transactions in
// flight ([meterfile.Options.Concurrency]; default
// [meterfile.DefaultConcurrency]). Each claim holds a connection while its
// request is in flight, so Open starts opening n+1 connections at once, in
// the background (pool_min_conns), and a run does not wait for a
// connection's handshake midway; the pool holds up to max(64, n+1)
// (pool_max_conns). Either setting in the DSN wins.
func WithConcurrency(n int) Option { return func(c *config) { c.concurrency = max(1, n) } }

// Journal is a [meterfile.Journal] in PostgreSQL. It is safe for
// concurrent use. Close it when done.
type Journal struct {
	pool   *pgxpool.Pool
	cfg    config
	s      string // the schema, quoted
	name   string // the DSN, password hidden
	secret string // the password, hidden from every error
	run    string // host and pid, written with each history row

	mu     sync.Mutex
	last   map[meterfile.Key]meterfile.Entry // the last entry read or written, per key: what a write is conditional on
	claims map[meterfile.Key]*claim
}

// Open connects to the database dsn names (any libpq URL, postgres:// or
// postgresql://, its parameters and the PG* environment variables as
// libpq reads them), creates the journal's tables on first use and checks
// their version. A database that cannot be reached is an error: the
// journal is never taken as empty.
func Open(ctx context.Context, dsn string, opts ...Option) (*Journal, error) {
	cfg := config{schema: DefaultSchema, retryFor: 30 * time.Second, opWait: 15 * time.Second,
		concurrency: meterfile.DefaultConcurrency}
	for _, o := range opts {
		o(&cfg)
	}
	j := &Journal{cfg: cfg, s: quote(cfg.schema), name: redactDSN(dsn),
		last: map[meterfile.Key]meterfile.Entry{}, claims: map[meterfile.Key]*claim{}}
	host, _ := os.Hostname()
	j.run = fmt.Sprintf("%s:%d", host, os.Getpid())
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		j.secret, _ = u.User.Password()
	}
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, j.errorf("%s: %w", j.name, err)
	}
	if pc.ConnConfig.Password != "" {
		j.secret = pc.ConnConfig.Password // from the URL, PGPASSWORD or .pgpass
	}
	if !IsDSN(dsn) { // keyword=value: named by what it connects to, never as written
		j.name = fmt.Sprintf("postgres://%s@%s:%d/%s", pc.ConnConfig.User, pc.ConnConfig.Host, pc.ConnConfig.Port, pc.ConnConfig.Database)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		pc.MaxConns = int32(max(64, cfg.concurrency+1)) // a claim holds a connection while its request is in flight
	}
	if !strings.Contains(dsn, "pool_min_conns") {
		pc.MinConns = int32(min(cfg.concurrency+1, int(pc.MaxConns))) // opened in the background from the start
	}
	pc.ConnConfig.RuntimeParams["application_name"] = "exopartner"
	if cfg.tune != nil {
		cfg.tune(pc)
	}
	sessionSettings(pc)
	if j.pool, err = pgxpool.NewWithConfig(ctx, pc); err != nil {
		return nil, j.errorf("%s: %w", j.name, err)
	}
	octx, cancel := context.WithTimeout(ctx, cfg.opWait)
	defer cancel()
	conn, err := j.pool.Acquire(octx)
	if err == nil {
		err = setup(octx, conn.Conn(), cfg.schema)
		conn.Release()
	}
	if err != nil {
		j.pool.Close()
		return nil, j.errorf("%s: %w", j.name, err)
	}
	return j, nil
}

// sessionSettings sets what the journal's promises rely on, whatever the
// server's, the database's or the role's defaults say (a setting of the
// connection outranks them all):
//
//   - read committed: each statement of a pipeline sees what was committed
//     before it started (the read after the lock sees the outcome of the
//     run that released it);
//   - synchronous_commit on: a COMMIT returns once it is durable. Off (a
//     common tuning), a sent entry acknowledged could be lost in a crash of
//     the database after its request left, and the next run would send it
//     again;
//   - no statement, lock, idle-in-transaction or idle-session timeout: a
//     claim's connection sits idle while its request is in flight, and a
//     timeout that closed it would end the claim unseen, for another run
//     to take;
//   - TCP keepalives: the claims of a client machine that vanished end
//     within about 90 s, not the hours of the system's default.
//
// idle_session_timeout exists from PostgreSQL 14 on, and an older server
// refuses it at connection: it is set after connecting, where it exists.
func sessionSettings(pc *pgxpool.Config) {
	for name, value := range map[string]string{
		"default_transaction_isolation":       "read committed",
		"synchronous_commit":                  "on",
		"statement_timeout":                   "0",
		"lock_timeout":                        "0",
		"idle_in_transaction_session_timeout": "0",
		"tcp_keepalives_idle":                 "60",
		"tcp_keepalives_interval":             "10",
		"tcp_keepalives_count":                "3",
	} {
		pc.ConnConfig.RuntimeParams[name] = value
	}
	pc.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, "SELECT set_config('idle_session_timeout', '0', false)"+
			" WHERE current_setting('server_version_num')::int >= 140000")
		return err
	}
}

// String is the journal's DSN with its password hidden.
func (j *Journal) String() string { return j.name }

// Close releases every claim and closes the connections.
func (j *Journal) Close() error {
	j.mu.Lock()
	keys := make([]meterfile.Key, 0, len(j.claims))
	for k := range j.claims {
		keys = append(keys, k)
	}
	j.mu.Unlock()
	for _, k := range keys {
		j.Release(k)
	}
	j.pool.Close()
	return nil
}

// Lookup implements [meterfile.Journal].
func (j *Journal) Lookup(k meterfile.Key) (meterfile.Entry, bool, error) {
	var e meterfile.Entry
	var found bool
	err := j.retry(context.Background(), func(ctx context.Context) error {
		var err error
		e, found, err = j.read(ctx, j.pool, k)
		return err
	})
	if err != nil {
		return e, false, j.errorf("%s: looking up %s: %w", j.name, k, err)
	}
	return e, found, nil
}

// LookupBatch implements [meterfile.BatchLookup] with one query.
func (j *Journal) LookupBatch(keys []meterfile.Key) ([]meterfile.Entry, []bool, error) {
	entries, found := make([]meterfile.Entry, len(keys)), make([]bool, len(keys))
	orgs, batches, contents := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		orgs[i], batches[i], contents[i] = k.Organization.String(), k.Batch, k.Content
	}
	err := j.retry(context.Background(), func(ctx context.Context) error {
		rows, err := j.pool.Query(ctx, "SELECT k.i, t.transaction, t.state, t.updated, t.last_error"+
			" FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS k(organization, batch, content, i)"+
			" JOIN "+j.s+".transactions t USING (organization, batch, content)", orgs, batches, contents)
		if err != nil {
			return err
		}
		defer rows.Close()
		clear(found)
		for rows.Next() {
			var i int
			var state string
			var lastErr *string
			var e meterfile.Entry
			if err := rows.Scan(&i, &e.Transaction, &state, &e.Time, &lastErr); err != nil {
				return err
			}
			i--
			e.Organization, e.Batch, e.State, e.Time = keys[i].Organization, keys[i].Batch, meterfile.State(state), e.Time.UTC()
			if lastErr != nil {
				e.Error = *lastErr
			}
			entries[i], found[i] = e, true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, j.errorf("%s: looking up %d transactions: %w", j.name, len(keys), err)
	}
	for i, k := range keys {
		j.remember(k, entries[i], found[i])
	}
	return entries, found, nil
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// read reads k's row and remembers it.
func (j *Journal) read(ctx context.Context, q querier, k meterfile.Key) (meterfile.Entry, bool, error) {
	sql, args := j.readRow(k)
	e, found, err := scanRow(k, q.QueryRow(ctx, sql, args...))
	if err == nil {
		j.remember(k, e, found)
	}
	return e, found, err
}

// readRow is the statement reading k's row.
func (j *Journal) readRow(k meterfile.Key) (string, []any) {
	return "SELECT transaction, state, updated, last_error FROM " + j.s +
			".transactions WHERE organization = $1 AND batch = $2 AND content = $3",
		[]any{uuidArg(k.Organization), k.Batch, k.Content}
}

// uuidArg is id as pgx encodes a uuid parameter directly ([16]byte): a
// uuid.UUID is a driver.Valuer giving text, which pgx first fails to
// encode as binary, building an error for nothing, at each statement.
func uuidArg(id [16]byte) [16]byte { return id }

// scanRow scans k's row from row, as readRow selects it.
func scanRow(k meterfile.Key, row pgx.Row) (meterfile.Entry, bool, error) {
	e := meterfile.Entry{Organization: k.Organization, Batch: k.Batch}
	var state string
	var lastErr *string
	err := row.Scan(&e.Transaction, &state, &e.Time, &lastErr)
	if errors.Is(err, pgx.ErrNoRows) {
		return meterfile.Entry{}, false, nil
	}
	if err != nil {
		return meterfile.Entry{}, false, err
	}
	e.State, e.Time = meterfile.State(state), e.Time.UTC()
	if lastErr != nil {
		e.Error = *lastErr
	}
	return e, true, nil
}

func (j *Journal) remember(k meterfile.Key, e meterfile.Entry, found bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if found {
		j.last[k] = e
	} else {
		delete(j.last, k)
	}
}

// permanent is an error retry does not retry.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// retry runs op until it succeeds, fails for good, or the database could
// not be reached for retryFor. Each attempt is bounded by opWait.
func (j *Journal) retry(ctx context.Context, op func(context.Context) error) error {
	deadline := time.Now().Add(j.cfg.retryFor)
	wait := 50 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, j.cfg.opWait)
		err := op(actx)
		cancel()
		var p permanent
		switch {
		case err == nil:
			return nil
		case errors.As(err, &p):
			return p.error
		case errors.Is(err, meterfile.ErrClaimed), ctx.Err() != nil, !transient(err), time.Now().After(deadline):
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
		wait = min(2*wait, time.Second)
	}
}

// transient reports whether err says the database could not be reached or
// the connection was lost (a restart, a network failure), rather than
// refused a statement.
func transient(err error) bool {
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &pe):
		// 08: connection exceptions; 57P01-03: the server shutting down or
		// starting; 57P05 and 25P03: a session closed by a timeout the
		// database sets (sessionSettings turns them off for the journal's
		// own sessions, but not for a database that changes them later).
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" ||
			pe.Code == "57P05" || pe.Code == "25P03"
	case errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.SafeToRetry(err), pgconn.Timeout(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE), strings.Contains(err.Error(), "conn closed"):
		return true
	}
	return false
}

// lockKey is the advisory lock of a name within the journal's schema.
func lockKey(schema string, parts ...string) int64 {
	h := sha256.New()
	h.Write([]byte("exopartner-metering-journal\x00" + schema))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return int64(binary.BigEndian.Uint64(h.Sum(nil)))
}

// redactDSN is dsn with its password replaced.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || !IsDSN(dsn) {
		return "the PostgreSQL journal"
	}
	return u.Redacted()
}

// errorf is fmt.Errorf with the password hidden from the message; the
// error still matches what it wraps.
func (j *Journal) errorf(format string, args ...any) error {
	err := fmt.Errorf("meterfile: journal "+format, args...)
	if j.secret == "" {
		return err
	}
	return &redacted{msg: hide(err.Error(), j.secret), err: err}
}

// hide replaces every form of secret in s.
func hide(s, secret string) string {
	for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), url.UserPassword("", secret).String()[1:]} {
		if form != "" {
			s = strings.ReplaceAll(s, form, "xxxxx")
		}
	}
	return s
}

// redacted is an error whose message hides a secret.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
