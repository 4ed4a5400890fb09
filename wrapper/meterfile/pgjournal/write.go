package pgjournal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/exopartner/exopartner/wrapper/meterfile"
)

// Record implements [meterfile.Journal]: the entries are checked with
// meterfile.CheckTransition against the last entry read or written of
// their key, and written in one transaction, each row's update conditional
// on that entry still being its state (the database's triggers check the
// transition again). When another run changed a row meanwhile, nothing is
// written and the error matches [meterfile.ErrTransition]. Entries of a
// claimed key are written on the claim's connection; the first entries of
// many transactions (Run's pending entries) in one statement.
func (j *Journal) Record(entries ...meterfile.Entry) error {
	return j.record(entries, false)
}

// record is Record; with release, the claim on the key of a lone entry
// ends in the same round trip, once the entry is committed (writeRelease).
func (j *Journal) record(entries []meterfile.Entry, release bool) error {
	if len(entries) == 0 {
		return nil
	}
	writes, staged, cl, err := j.stage(entries)
	if err != nil {
		return err
	}
	k := entries[0].Key()
	attempt := 0
	err = j.retry(context.Background(), func(ctx context.Context) error {
		conn, done, err := j.conn(ctx, cl, k)
		if err != nil && attempt > 0 && writes[0].e.State != meterfile.StateSent && errors.Is(err, meterfile.ErrTransition) {
			// The claim was lost with its connection and another run holds
			// it now: an outcome the earlier attempt committed stands (the
			// other run found it); one it did not is not recorded.
			if made, _, merr := j.made(ctx, j.pool, writes[0]); merr == nil && made {
				return nil
			}
		}
		if err != nil {
			return err
		}
		defer done()
		// A write whose commit was not acknowledged may have been made.
		if attempt++; attempt > 1 {
			made, last, err := j.made(ctx, conn, writes[0])
			switch {
			case err != nil:
				return j.lost(cl, err)
			case made && !last && writes[0].e.State == meterfile.StateSent:
				// Our claim ended with the connection, and another run
				// moved the transaction since (resent it, with
				// ResendUnknown): sending it now would send it twice.
				return changed(writes[0])
			case made:
				return nil
			}
		}
		switch {
		case len(writes) > 1:
			return j.writeAll(ctx, conn, cl, writes)
		case release && cl != nil:
			return j.writeRelease(ctx, conn, cl, k, writes[0])
		}
		return j.writeOne(ctx, conn, cl, writes[0]) // one statement, committed on its own
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

// made reports whether w was written by an earlier attempt (its history
// row is there), and whether it is still the last entry of its key: the
// lost connection ended the claim, and another run may have claimed the
// transaction and moved it since.
func (j *Journal) made(ctx context.Context, conn querier, w rowWrite) (made, last bool, err error) {
	k := w.e.Key()
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+j.s+".history WHERE entry = $1),"+
		" COALESCE((SELECT entry = $1 FROM "+j.s+".history WHERE organization = $2 AND batch = $3 AND content = $4 ORDER BY seq DESC LIMIT 1), false)",
		uuidArg(w.id), uuidArg(k.Organization), k.Batch, k.Content).Scan(&made, &last)
	return made, last, err
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

// writeRelease writes one entry under claim c, on k, and ends the claim,
// in one pipeline: BEGIN, the write, COMMIT and the unlock, which the
// database runs only once the COMMIT succeeded, that is once the entry is
// durable (a COMMIT in a pipeline commits at once, before the next
// statement). When the write fails, the database skips the rest: the
// connection, its transaction aborted and the lock held, is closed, which
// ends both; the claim is then lost (reclaim takes it again for a retry).
func (j *Journal) writeRelease(ctx context.Context, conn *pgxpool.Conn, c *claim, k meterfile.Key, w rowWrite) error {
	sql, args := j.write(w.e, w.prev, w.found, w.id)
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(sql, args...)
	b.Queue("COMMIT")
	b.Queue("SELECT pg_advisory_unlock($1)", c.lock)
	br := conn.SendBatch(ctx, b)
	var tag pgconn.CommandTag
	_, err := br.Exec()
	if err == nil {
		tag, err = br.Exec()
	}
	if err == nil {
		_, err = br.Exec()
	}
	committed := err == nil
	var unlocked bool
	if err == nil {
		err = br.QueryRow().Scan(&unlocked)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil || !unlocked:
		j.drop(c) // closing the connection ends the lock, and any transaction left open
		if !committed {
			return err // retried when transient: a commit not acknowledged is found again by the entry's id
		}
	default:
		j.forget(k, c) // unlocked: conn is the pool's again, and k another claim's to take
		conn.Release()
	}
	if tag.RowsAffected() != 1 {
		return changed(w)
	}
	return nil
}

// writeAll writes the entries in one transaction, as one batch of
// statements: all of them, or none when one row was changed meanwhile.
// The first entries of transactions whose key no other entry has go in
// one statement (insertAll).
func (j *Journal) writeAll(ctx context.Context, conn *pgxpool.Conn, cl *claim, writes []rowWrite) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return j.lost(cl, err)
	}
	defer tx.Rollback(context.Background())
	first, rest := splitFirst(writes)
	// Rows are written in the order of their keys, the same in every run
	// (the first entries by insertAll's ORDER BY, the others sorted here,
	// each key's entries in their order), so that two runs writing
	// overlapping keys take their locks in one order: one waits for the
	// other, neither deadlocks.
	slices.SortStableFunc(rest, func(a, b rowWrite) int { return compareKeys(a.e.Key(), b.e.Key()) })
	b := &pgx.Batch{}
	if len(first) > 0 {
		sql, args := j.insertAll(first)
		b.Queue(sql, args...)
	}
	for _, w := range rest {
		sql, args := j.write(w.e, w.prev, w.found, w.id)
		b.Queue(sql, args...)
	}
	br := tx.SendBatch(ctx, b)
	if err := j.checkInserted(br, first); err != nil {
		br.Close()
		return j.lost(cl, err)
	}
	for _, w := range rest {
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

// compareKeys orders keys by organization, batch and content, bytewise:
// one order, the same in every run.
func compareKeys(a, b meterfile.Key) int {
	if c := bytes.Compare(a.Organization[:], b.Organization[:]); c != 0 {
		return c
	}
	if c := strings.Compare(a.Batch, b.Batch); c != 0 {
		return c
	}
	return strings.Compare(a.Content, b.Content)
}

// splitFirst splits writes into the first entries of transactions whose
// key no other entry of writes has, and the others, each in order.
func splitFirst(writes []rowWrite) (first, rest []rowWrite) {
	n := make(map[meterfile.Key]int, len(writes))
	for _, w := range writes {
		n[w.e.Key()]++
	}
	for _, w := range writes {
		if !w.found && n[w.e.Key()] == 1 {
			first = append(first, w)
		} else {
			rest = append(rest, w)
		}
	}
	return first, rest
}

// checkInserted reads the result of insertAll's statement: the ordinal of
// each entry written. An entry not written found its row made by another
// run meanwhile.
func (j *Journal) checkInserted(br pgx.BatchResults, first []rowWrite) error {
	if len(first) == 0 {
		return nil
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	written := make([]bool, len(first))
	n := 0
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			rows.Close()
			return err
		}
		written[i-1] = true
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n != len(first) {
		for i, ok := range written {
			if !ok {
				return changed(first[i])
			}
		}
	}
	return nil
}

// describe names the state a write expected.
func describe(e meterfile.Entry, found bool) string {
	if !found {
		return "no entry"
	}
	return string(e.State)
}

// history is the part of a write statement adding the history row of
// each row w returns, with the entry's id $1 and the run $2.
func (j *Journal) history() string {
	return " INSERT INTO " + j.s + ".history (entry, organization, batch, content, transaction, state, at, error, run)" +
		" SELECT $1, organization, batch, content, transaction, state, updated, last_error, $2 FROM w"
}

// write is the statement writing e after prev, conditional on prev still
// being the row's state, with its history row: one row affected when
// written, none when another run changed the row meanwhile.
func (j *Journal) write(e, prev meterfile.Entry, found bool, id uuid.UUID) (string, []any) {
	k := e.Key()
	usage, lastErr := columns(e)
	if !found {
		return "WITH w AS (INSERT INTO " + j.s + ".transactions (organization, batch, content, transaction, state, usage, created, updated, last_error)" +
				" VALUES ($3, $4, $5, $6, $7, $8, $9, $9, $10) ON CONFLICT DO NOTHING RETURNING *)" + j.history(),
			[]any{uuidArg(id), j.run, uuidArg(k.Organization), k.Batch, k.Content, e.Transaction, string(e.State), usage, e.Time, lastErr}
	}
	return "WITH w AS (UPDATE " + j.s + ".transactions SET transaction = $6, state = $7, usage = COALESCE($8, usage), updated = $9, last_error = $10" +
			" WHERE organization = $3 AND batch = $4 AND content = $5 AND state = $11 AND transaction = $12 RETURNING *)" + j.history(),
		[]any{uuidArg(id), j.run, uuidArg(k.Organization), k.Batch, k.Content, e.Transaction, string(e.State), usage, e.Time, lastErr,
			string(prev.State), prev.Transaction}
}

// insertAll is the statement writing the first entries of transactions,
// each with its history row, in their order: a row already there (another
// run made it meanwhile) is left as it is, and the statement returns the
// ordinal (from 1) of each entry written.
func (j *Journal) insertAll(first []rowWrite) (string, []any) {
	n := len(first)
	ids, orgs := make([][16]byte, n), make([][16]byte, n)
	batches, contents, txs, states := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	usages, lastErrs, times := make([][]byte, n), make([]*string, n), make([]time.Time, n)
	for i, w := range first {
		k := w.e.Key()
		ids[i], orgs[i], batches[i], contents[i] = w.id, k.Organization, k.Batch, k.Content
		txs[i], states[i], times[i] = w.e.Transaction, string(w.e.State), w.e.Time
		usages[i], lastErrs[i] = columns(w.e)
	}
	return "WITH i AS (SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::timestamptz[], $10::text[])" +
			" WITH ORDINALITY AS i(entry, organization, batch, content, transaction, state, usage, at, last_error, n))," +
			" w AS (INSERT INTO " + j.s + ".transactions (organization, batch, content, transaction, state, usage, created, updated, last_error)" +
			" SELECT organization, batch, content, transaction, state, usage, at, at, last_error FROM i ORDER BY organization, batch, content" +
			" ON CONFLICT DO NOTHING RETURNING organization, batch, content)," +
			" h AS (INSERT INTO " + j.s + ".history (entry, organization, batch, content, transaction, state, at, error, run)" +
			" SELECT i.entry, i.organization, i.batch, i.content, i.transaction, i.state, i.at, i.last_error, $1" +
			" FROM i JOIN w USING (organization, batch, content) ORDER BY i.n)" +
			" SELECT i.n FROM i JOIN w USING (organization, batch, content)",
		[]any{j.run, ids, orgs, batches, contents, txs, states, usages, times, lastErrs}
}

// columns are e's usage (JSON; nil: none) and last error (nil: none) as
// the transactions table holds them.
func columns(e meterfile.Entry) ([]byte, *string) {
	var usage []byte
	if e.Usage != nil {
		usage, _ = json.Marshal(e.Usage)
	}
	var lastErr *string
	if e.Error != "" {
		lastErr = &e.Error
	}
	return usage, lastErr
}
