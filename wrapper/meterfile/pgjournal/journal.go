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
// leaves, under that lock. A run finding a transaction claimed leaves it for
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
	"encoding/json"
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

	"github.com/google/uuid"
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
	schema   string
	retryFor time.Duration
	opWait   time.Duration
}

// WithSchema puts the journal's tables in schema (default [DefaultSchema]).
func WithSchema(schema string) Option { return func(c *config) { c.schema = schema } }

// WithRetryFor sets how long a statement is retried while the database
// cannot be reached (default 30 s). Open itself is not retried: an
// unreachable database is reported at once.
func WithRetryFor(d time.Duration) Option { return func(c *config) { c.retryFor = d } }

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

// claim is an advisory lock held on a connection of its own.
type claim struct {
	conn *pgxpool.Conn // nil once lost
	lock int64
}

// Open connects to the database dsn names (any libpq URL, postgres:// or
// postgresql://, its parameters and the PG* environment variables as
// libpq reads them), creates the journal's tables on first use and checks
// their version. A database that cannot be reached is an error: the
// journal is never taken as empty.
func Open(ctx context.Context, dsn string, opts ...Option) (*Journal, error) {
	cfg := config{schema: DefaultSchema, retryFor: 30 * time.Second, opWait: 15 * time.Second}
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
		pc.MaxConns = 64 // a claim holds a connection while its request is in flight
	}
	pc.ConnConfig.RuntimeParams["application_name"] = "exopartner"
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
	e := meterfile.Entry{Organization: k.Organization, Batch: k.Batch}
	var state string
	var lastErr *string
	err := q.QueryRow(ctx, "SELECT transaction, state, updated, last_error FROM "+j.s+
		".transactions WHERE organization = $1 AND batch = $2 AND content = $3",
		k.Organization, k.Batch, k.Content).Scan(&e.Transaction, &state, &e.Time, &lastErr)
	if errors.Is(err, pgx.ErrNoRows) {
		j.remember(k, meterfile.Entry{}, false)
		return meterfile.Entry{}, false, nil
	}
	if err != nil {
		return meterfile.Entry{}, false, err
	}
	e.State, e.Time = meterfile.State(state), e.Time.UTC()
	if lastErr != nil {
		e.Error = *lastErr
	}
	j.remember(k, e, true)
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

// Claim implements [meterfile.Journal] with a session advisory lock,
// held on a connection of its own until Release.
func (j *Journal) Claim(ctx context.Context, k meterfile.Key, wait bool) (meterfile.Entry, bool, error) {
	lock := lockKey(j.cfg.schema, k.Organization.String(), k.Batch, k.Content)
	var e meterfile.Entry
	var found bool
	err := j.retry(ctx, func(ctx context.Context) error {
		conn, err := j.acquire(ctx, lock, wait)
		if err != nil {
			return err
		}
		if e, found, err = j.read(ctx, conn, k); err != nil {
			destroy(conn) // it holds the lock
			return err
		}
		j.mu.Lock()
		j.claims[k] = &claim{conn: conn, lock: lock}
		j.mu.Unlock()
		return nil
	})
	if errors.Is(err, meterfile.ErrClaimed) {
		return e, false, fmt.Errorf("%s: %w", k, err)
	}
	if err != nil {
		return e, false, j.errorf("%s: claiming %s: %w", j.name, k, err)
	}
	return e, found, nil
}

// acquire takes a connection holding the advisory lock, waiting for it
// with wait.
func (j *Journal) acquire(ctx context.Context, lock int64, wait bool) (*pgxpool.Conn, error) {
	conn, err := j.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	got := true
	if wait {
		_, err = conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lock)
	} else {
		err = conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", lock).Scan(&got)
	}
	if err != nil {
		destroy(conn) // the lock may have been granted: only closing the connection surely ends it
		return nil, err
	}
	if !got {
		conn.Release()
		return nil, meterfile.ErrClaimed
	}
	return conn, nil
}

// Release implements [meterfile.Journal].
func (j *Journal) Release(k meterfile.Key) {
	j.mu.Lock()
	c := j.claims[k]
	delete(j.claims, k)
	j.mu.Unlock()
	if c == nil || c.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), j.cfg.opWait)
	defer cancel()
	var ok bool
	if err := c.conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", c.lock).Scan(&ok); err != nil || !ok {
		destroy(c.conn)
		return
	}
	c.conn.Release()
}

// destroy closes a pooled connection instead of returning it to the pool.
func destroy(c *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.Hijack().Close(ctx)
}

// Record implements [meterfile.Journal]: the entries are checked with
// meterfile.CheckTransition against the last entry read or written of
// their key, and written in one transaction, each row's update conditional
// on that entry still being its state (the database's triggers check the
// transition again). When another run changed a row meanwhile, nothing is
// written and the error matches [meterfile.ErrTransition]. Entries of a
// claimed key are written on the claim's connection.
func (j *Journal) Record(entries ...meterfile.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	writes, staged, cl, err := j.stage(entries)
	if err != nil {
		return err
	}
	attempt := 0
	err = j.retry(context.Background(), func(ctx context.Context) error {
		conn, release, err := j.conn(ctx, cl, entries[0].Key())
		if err != nil {
			return err
		}
		defer release()
		// A write whose commit was not acknowledged may have been made.
		if attempt++; attempt > 1 {
			var done bool
			if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+j.s+".history WHERE entry = $1)", writes[0].id).Scan(&done); err != nil {
				return j.lost(cl, err)
			}
			if done {
				return nil
			}
		}
		if len(writes) == 1 { // one statement, committed on its own
			return j.writeOne(ctx, conn, cl, writes[0])
		}
		return j.writeAll(ctx, conn, cl, writes)
	})
	if err != nil {
		return j.errorf("%s: not recorded: %w", j.name, err)
	}
	j.mu.Lock()
	for k, e := range staged {
		j.last[k] = e
	}
	j.mu.Unlock()
	return nil
}

// rowWrite is an entry to write, after the entry prev (found false: none),
// with the id of its history row.
type rowWrite struct {
	e     meterfile.Entry
	prev  meterfile.Entry
	found bool
	id    uuid.UUID
}

// stage checks entries against the last entry read or written of their key
// (meterfile.CheckEntries), and returns what to write, the last entry of
// each key once written, and the claim to write a lone entry under (nil:
// none).
func (j *Journal) stage(entries []meterfile.Entry) ([]rowWrite, map[meterfile.Key]meterfile.Entry, *claim, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	follows, staged, err := meterfile.CheckEntries(entries, func(k meterfile.Key) (meterfile.Entry, bool) {
		e, ok := j.last[k]
		return e, ok
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: not recorded: %w", j.name, err)
	}
	writes := make([]rowWrite, len(entries))
	for i, e := range entries {
		writes[i] = rowWrite{e: e, prev: follows[i].Entry, found: follows[i].Found, id: uuid.New()}
	}
	var cl *claim
	if len(entries) == 1 {
		cl = j.claims[entries[0].Key()]
	}
	return writes, staged, cl, nil
}

// conn is the connection to write on: the claim's (on k), else one of the
// pool, to release once done.
func (j *Journal) conn(ctx context.Context, cl *claim, k meterfile.Key) (*pgxpool.Conn, func(), error) {
	if cl != nil {
		conn, err := j.reclaim(ctx, k, cl)
		return conn, func() {}, err
	}
	conn, err := j.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	return conn, conn.Release, nil
}

// changed is the error of a write that found its row changed by another
// run meanwhile; it is not retried.
func changed(w rowWrite) error {
	return permanent{fmt.Errorf("%w: %s: another run recorded it meanwhile (expected %s)",
		meterfile.ErrTransition, w.e.Key(), describe(w.prev, w.found))}
}

// writeOne writes one entry, in a statement committed on its own.
func (j *Journal) writeOne(ctx context.Context, conn *pgxpool.Conn, cl *claim, w rowWrite) error {
	sql, args := j.write(w.e, w.prev, w.found, w.id)
	tag, err := conn.Exec(ctx, sql, args...)
	if err != nil {
		return j.lost(cl, err)
	}
	if tag.RowsAffected() != 1 {
		return changed(w)
	}
	return nil
}

// writeAll writes the entries in one transaction, as one batch of
// statements: all of them, or none when one row was changed meanwhile.
func (j *Journal) writeAll(ctx context.Context, conn *pgxpool.Conn, cl *claim, writes []rowWrite) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return j.lost(cl, err)
	}
	defer tx.Rollback(context.Background())
	b := &pgx.Batch{}
	for _, w := range writes {
		sql, args := j.write(w.e, w.prev, w.found, w.id)
		b.Queue(sql, args...)
	}
	br := tx.SendBatch(ctx, b)
	for _, w := range writes {
		tag, err := br.Exec()
		if err != nil {
			br.Close()
			return j.lost(cl, err)
		}
		if tag.RowsAffected() != 1 {
			br.Close()
			return changed(w)
		}
	}
	if err := br.Close(); err != nil {
		return j.lost(cl, err)
	}
	return j.lost(cl, tx.Commit(ctx))
}

// describe names the state a write expected.
func describe(e meterfile.Entry, found bool) string {
	if !found {
		return "no entry"
	}
	return string(e.State)
}

// write is the statement writing e after prev, conditional on prev still
// being the row's state, with its history row: one row affected when
// written, none when another run changed the row meanwhile.
func (j *Journal) write(e, prev meterfile.Entry, found bool, id uuid.UUID) (string, []any) {
	k := e.Key()
	var usage []byte
	if e.Usage != nil {
		usage, _ = json.Marshal(e.Usage)
	}
	var lastErr *string
	if e.Error != "" {
		lastErr = &e.Error
	}
	history := " INSERT INTO " + j.s + ".history (entry, organization, batch, content, transaction, state, at, error, run)" +
		" SELECT $1, organization, batch, content, transaction, state, updated, last_error, $2 FROM w"
	if !found {
		return "WITH w AS (INSERT INTO " + j.s + ".transactions (organization, batch, content, transaction, state, usage, created, updated, last_error)" +
				" VALUES ($3, $4, $5, $6, $7, $8, $9, $9, $10) ON CONFLICT DO NOTHING RETURNING *)" + history,
			[]any{id, j.run, k.Organization, k.Batch, k.Content, e.Transaction, string(e.State), usage, e.Time, lastErr}
	}
	return "WITH w AS (UPDATE " + j.s + ".transactions SET transaction = $6, state = $7, usage = COALESCE($8, usage), updated = $9, last_error = $10" +
			" WHERE organization = $3 AND batch = $4 AND content = $5 AND state = $11 AND transaction = $12 RETURNING *)" + history,
		[]any{id, j.run, k.Organization, k.Batch, k.Content, e.Transaction, string(e.State), usage, e.Time, lastErr,
			string(prev.State), prev.Transaction}
}

// reclaim is the claim's connection, or a new one holding the claim's
// lock when the old one was lost. When another run holds the lock now,
// nothing more is recorded under the claim.
func (j *Journal) reclaim(ctx context.Context, k meterfile.Key, c *claim) (*pgxpool.Conn, error) {
	j.mu.Lock()
	conn := c.conn
	j.mu.Unlock()
	if conn != nil {
		return conn, nil
	}
	conn, err := j.acquire(ctx, c.lock, false)
	if errors.Is(err, meterfile.ErrClaimed) {
		return nil, permanent{fmt.Errorf("%w: %s: its claim was lost with its connection, and another run holds it now", meterfile.ErrTransition, k)}
	}
	if err != nil {
		return nil, err
	}
	j.mu.Lock()
	c.conn = conn
	j.mu.Unlock()
	return conn, nil
}

// lost marks the claim's connection lost when err says it is gone, and
// returns err.
func (j *Journal) lost(c *claim, err error) error {
	if err == nil || c == nil || !transient(err) {
		return err
	}
	j.mu.Lock()
	conn := c.conn
	c.conn = nil
	j.mu.Unlock()
	if conn != nil {
		destroy(conn)
	}
	return err
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
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
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
