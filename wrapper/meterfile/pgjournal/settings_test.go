package pgjournal_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exopartner/exopartner/wrapper/meterfile"
)

// TestSessionSettingsOutrankTheDatabases: a database whose defaults break
// the journal's promises (commits acknowledged before they are durable,
// idle sessions closed, lock and statement timeouts) does not change what
// the journal's sessions do: their settings are the journal's, and a run
// whose requests take longer than the database's idle-session timeout
// (which would close the claim's connection, ending its claim unseen)
// applies every transaction once.
func TestSessionSettingsOutrankTheDatabases(t *testing.T) {
	const n = 2
	f := newFixture(t, n)
	name := f.conn(t).Config().Database
	for _, set := range []string{"synchronous_commit = off", "idle_session_timeout = '200ms'",
		"idle_in_transaction_session_timeout = '200ms'", "lock_timeout = '1ms'", "statement_timeout = '1s'"} {
		f.pg.Exec(t, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" SET "+set)
	}
	j := f.open(t)
	for name, want := range map[string]string{"synchronous_commit": "on", "idle_session_timeout": "0",
		"idle_in_transaction_session_timeout": "0", "lock_timeout": "0", "statement_timeout": "0",
		"transaction_isolation": "read committed"} {
		if got, err := j.Setting(t.Context(), name); err != nil || got != want {
			t.Errorf("the journal's session has %s = %q (%v), want %q", name, got, err, want)
		}
	}
	f.hold = func(*http.Request) { time.Sleep(600 * time.Millisecond) } // longer than the database's idle-session timeout
	rep, err := meterfile.Run(t.Context(), f.client, j, f.txs, meterfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(rep); got != strings.TrimSpace(strings.Repeat("applied ", n)) {
		t.Errorf("outcomes %s", got)
	}
	if got := f.applied(); got != "[1 1]" {
		t.Errorf("applied %s", got)
	}
}
