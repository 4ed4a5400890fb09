package pgjournal_test

import (
	"testing"

	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/meterfile/pgjournal"
)

// TestWithSchema: journals in two schemas of one database are two
// journals: their tables, entries and claims are apart. A schema name that
// needs quoting is quoted.
func TestWithSchema(t *testing.T) {
	f := newFixture(t, 1)
	const other = "Journal 2"
	b, err := pgjournal.Open(t.Context(), f.dsn, pgjournal.WithSchema(other))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if got := outcomes(f.run(t, meterfile.Options{})); got != "applied" { // in the default schema
		t.Fatalf("run: %s", got)
	}
	k := f.txs[0].Key()
	if e, found, err := b.Lookup(k); err != nil || found {
		t.Errorf("the other schema's journal has %+v (found %v, %v), want nothing", e, found, err)
	}
	a := f.open(t)
	if _, _, err := a.Claim(t.Context(), k, false); err != nil {
		t.Fatal(err)
	}
	defer a.Release(k)
	if _, found, err := b.Claim(t.Context(), k, false); err != nil || found {
		t.Errorf("claim in the other schema while the default one holds it: found %v, %v", found, err)
	} else {
		b.Release(k)
	}
	var tables int
	if err := f.conn(t).QueryRow(t.Context(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", other).Scan(&tables); err != nil || tables != 4 {
		t.Errorf("%d tables in schema %q (%v), want 4", tables, other, err)
	}
}
