package pgjournal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/exopartner/exopartner/wrapper/meterfile"
)

// claim is an advisory lock held on a connection of its own.
type claim struct {
	conn *pgxpool.Conn // nil once lost
	lock int64
}

// Claim implements [meterfile.Journal] with a session advisory lock,
// held on a connection of its own until Release. The lock and the read of
// the transaction's row go in one pipeline, one round trip: the read is a
// statement of its own, so it sees what was committed before the lock was
// granted (the outcome of the run that released it). With wait, a claim
// another run holds is tried again, at growing intervals up to a second,
// until that run releases it or ctx ends: no statement waits on the
// server, so neither the journal's per-statement bound nor a timeout of
// the database cuts the wait short, and no session queues on the lock.
func (j *Journal) Claim(ctx context.Context, k meterfile.Key, wait bool) (meterfile.Entry, bool, error) {
	lock := lockKey(j.cfg.schema, k.Organization.String(), k.Batch, k.Content)
	for backoff := 50 * time.Millisecond; ; backoff = min(2*backoff, time.Second) {
		e, found, err := j.claim(ctx, k, lock)
		if !wait || !errors.Is(err, meterfile.ErrClaimed) {
			return e, found, err
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return meterfile.Entry{}, false, j.errorf("%s: waiting for the claim on %s: %w", j.name, k, context.Cause(ctx))
		}
	}
}

// claim tries once to take the claim on k (lock), and reads k's row.
func (j *Journal) claim(ctx context.Context, k meterfile.Key, lock int64) (meterfile.Entry, bool, error) {
	var e meterfile.Entry
	var found bool
	err := j.retry(ctx, func(ctx context.Context) error {
		conn, err := j.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue("SELECT pg_try_advisory_lock($1)", lock)
		sql, args := j.readRow(k)
		b.Queue(sql, args...)
		br := conn.SendBatch(ctx, b)
		var got bool
		err = br.QueryRow().Scan(&got)
		if err == nil {
			e, found, err = scanRow(k, br.QueryRow())
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		switch {
		case err != nil:
			destroy(conn) // the lock may have been granted: only closing the connection surely ends it
			return err
		case !got:
			conn.Release()
			return meterfile.ErrClaimed
		}
		j.remember(k, e, found)
		j.mu.Lock()
		j.claims[k] = &claim{conn: conn, lock: lock}
		j.mu.Unlock()
		return nil
	})
	if errors.Is(err, meterfile.ErrClaimed) {
		return meterfile.Entry{}, false, fmt.Errorf("%s: %w", k, err)
	}
	if err != nil {
		return meterfile.Entry{}, false, j.errorf("%s: claiming %s: %w", j.name, k, err)
	}
	return e, found, nil
}

// acquire takes a connection holding the advisory lock, if no other run
// holds it.
func (j *Journal) acquire(ctx context.Context, lock int64) (*pgxpool.Conn, error) {
	conn, err := j.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", lock).Scan(&got); err != nil {
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
	j.mu.Unlock()
	j.release(k, c)
}

// release ends c, the claim on k (nil: none): it forgets it, unless k was
// claimed again meanwhile, and unlocks it on its connection unless it has
// none any more (lost, or ended with an outcome: writeRelease).
func (j *Journal) release(k meterfile.Key, c *claim) {
	if c == nil {
		return
	}
	conn := j.forget(k, c)
	if conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), j.cfg.opWait)
	defer cancel()
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", c.lock).Scan(&ok); err != nil || !ok {
		destroy(conn)
		return
	}
	conn.Release()
}

// forget forgets c, the claim on k, unless k was claimed again meanwhile
// (once c's lock is freed, another Run sharing the journal may claim k),
// and returns the connection c held (nil: none), which c no longer has.
func (j *Journal) forget(k meterfile.Key, c *claim) *pgxpool.Conn {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.claims[k] == c {
		delete(j.claims, k)
	}
	conn := c.conn
	c.conn = nil
	return conn
}

// RecordRelease implements [meterfile.RecordReleaser]: Record(e), then
// Release(e.Key()). When e's key is claimed, the entry and the unlock go
// in one pipeline, one round trip: BEGIN, the write, COMMIT, then the
// unlock, which the database runs only once the COMMIT is durable, so
// that another run claiming the key next finds e.
func (j *Journal) RecordRelease(e meterfile.Entry) error {
	k := e.Key()
	j.mu.Lock()
	c := j.claims[k]
	j.mu.Unlock()
	defer j.release(k, c) // what the pipeline did not release: a failure, a retry
	return j.record([]meterfile.Entry{e}, true)
}

// destroy closes a pooled connection instead of returning it to the pool.
func destroy(c *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.Hijack().Close(ctx)
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
	conn, err := j.acquire(ctx, c.lock)
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
	j.drop(c)
	return err
}

// drop closes the claim's connection, which ends its lock: the claim is
// lost, and taken again (reclaim) before anything more is recorded under
// it.
func (j *Journal) drop(c *claim) {
	j.mu.Lock()
	conn := c.conn
	c.conn = nil
	j.mu.Unlock()
	if conn != nil {
		destroy(conn)
	}
}
