package pgjournal

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
)

// schemaVersion is the version of the tables Open creates. A journal of
// another version is not opened.
const schemaVersion = 1

// DefaultSchema is the PostgreSQL schema the journal lives in unless
// [WithSchema] says otherwise.
const DefaultSchema = "exopartner_metering"

// ddl creates the journal's tables in schema s (a quoted identifier), in
// one transaction:
//
//   - version: the schema's version, one row;
//   - transactions: one row per transaction (its meterfile.Key:
//     organization, batch, content), with its content hash, state, the
//     rows it was journaled with, when it was created and last changed,
//     and its last error;
//   - history: every state change, append-only (a trigger refuses UPDATE,
//     DELETE and TRUNCATE), each with the id of the entry, so that a write
//     whose commit was not acknowledged can be told from one that was not
//     made;
//   - transitions: which state may follow which, written from
//     meterfile.CheckTransition when the schema is created, and enforced
//     on every INSERT and UPDATE of transactions by a trigger: states only
//     move forward, whatever writes to the table.
func ddl(s string) string {
	return strings.ReplaceAll(`
CREATE SCHEMA IF NOT EXISTS @S;
CREATE TABLE @S.version (
	single  bool PRIMARY KEY DEFAULT true CHECK (single),
	version int NOT NULL,
	created timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE @S.transitions (
	from_state   text NOT NULL, -- '' for a transaction's first entry
	same_content bool NOT NULL,
	to_state     text NOT NULL,
	PRIMARY KEY (from_state, same_content, to_state)
);
CREATE TABLE @S.transactions (
	organization uuid NOT NULL,
	batch        text NOT NULL, -- '' when the file has no batch column
	content      text NOT NULL, -- the content hash when batch is '', else ''
	transaction  text NOT NULL CHECK (transaction ~ '^[0-9a-f]{64}$'), -- the content hash of the rows last journaled
	state        text NOT NULL,
	usage        jsonb,
	created      timestamptz NOT NULL,
	updated      timestamptz NOT NULL,
	last_error   text,
	PRIMARY KEY (organization, batch, content),
	CHECK ((batch = '') = (content <> ''))
);
CREATE TABLE @S.history (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	entry        uuid NOT NULL UNIQUE,
	organization uuid NOT NULL,
	batch        text NOT NULL,
	content      text NOT NULL,
	transaction  text NOT NULL,
	state        text NOT NULL,
	at           timestamptz NOT NULL,
	error        text,
	run          text NOT NULL, -- host and process that wrote it
	FOREIGN KEY (organization, batch, content) REFERENCES @S.transactions
);
CREATE FUNCTION @S.forward() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'exopartner metering journal: a transaction is never deleted' USING ERRCODE = 'restrict_violation';
	END IF;
	IF TG_OP = 'INSERT' THEN
		IF NOT EXISTS (SELECT 1 FROM @S.transitions WHERE from_state = '' AND to_state = NEW.state) THEN
			RAISE EXCEPTION 'exopartner metering journal: % is not a first state', NEW.state USING ERRCODE = 'check_violation';
		END IF;
		RETURN NEW;
	END IF;
	IF (NEW.organization, NEW.batch, NEW.content) IS DISTINCT FROM (OLD.organization, OLD.batch, OLD.content) THEN
		RAISE EXCEPTION 'exopartner metering journal: a transaction''s key never changes' USING ERRCODE = 'check_violation';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @S.transitions WHERE from_state = OLD.state
			AND same_content = (OLD.transaction = NEW.transaction) AND to_state = NEW.state) THEN
		RAISE EXCEPTION 'exopartner metering journal: % after %', NEW.state, OLD.state USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END $f$;
CREATE TRIGGER forward BEFORE INSERT OR UPDATE OR DELETE ON @S.transactions FOR EACH ROW EXECUTE FUNCTION @S.forward();
CREATE FUNCTION @S.append_only() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
	RAISE EXCEPTION 'exopartner metering journal: % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $f$;
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON @S.history FOR EACH ROW EXECUTE FUNCTION @S.append_only();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON @S.history FOR EACH STATEMENT EXECUTE FUNCTION @S.append_only();
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON @S.transactions FOR EACH STATEMENT EXECUTE FUNCTION @S.append_only();
`, "@S", s)
}

// transition is one row of the transitions table.
type transition struct {
	from        meterfile.State // "" for a first entry
	sameContent bool
	to          meterfile.State
}

// transitions is every transition meterfile.CheckTransition allows: the
// rule stays in one place, and the database is told it.
func transitions() []transition {
	org := wrapper.MustParseID("00000000-0000-4000-8000-000000000000")
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	var out []transition
	for _, to := range meterfile.States() {
		if meterfile.CheckTransition(meterfile.Entry{}, false, meterfile.Entry{Transaction: a, State: to, Organization: org, Batch: "x"}) == nil {
			out = append(out, transition{"", true, to})
		}
		for _, from := range meterfile.States() {
			prev := meterfile.Entry{Transaction: a, State: from, Organization: org, Batch: "x"}
			for _, same := range []bool{true, false} {
				e := meterfile.Entry{Transaction: a, State: to, Organization: org, Batch: "x"}
				if !same {
					e.Transaction = b
				}
				if meterfile.CheckTransition(prev, true, e) == nil {
					out = append(out, transition{from, same, to})
				}
			}
		}
	}
	return out
}

// setup creates the schema on first use, and checks its version. Two runs
// opening a new journal at once are serialised by a transaction-scoped
// advisory lock.
func setup(ctx context.Context, conn *pgx.Conn, schema string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey(schema, "setup")); err != nil {
		return err
	}
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", quote(schema)+".version").Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := tx.Exec(ctx, ddl(quote(schema))); err != nil {
			return fmt.Errorf("creating the journal's tables: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO "+quote(schema)+".version (version) VALUES ($1)", schemaVersion); err != nil {
			return err
		}
		for _, t := range transitions() {
			if _, err := tx.Exec(ctx, "INSERT INTO "+quote(schema)+".transitions VALUES ($1, $2, $3)",
				string(t.from), t.sameContent, string(t.to)); err != nil {
				return err
			}
		}
	}
	var v int
	if err := tx.QueryRow(ctx, "SELECT version FROM "+quote(schema)+".version").Scan(&v); err != nil {
		return fmt.Errorf("reading the journal's version: %w", err)
	}
	if v != schemaVersion {
		return fmt.Errorf("%w: schema %s is version %d; this exopartner knows version %d", ErrVersion, schema, v, schemaVersion)
	}
	return tx.Commit(ctx)
}

func quote(name string) string { return pgx.Identifier{name}.Sanitize() }
