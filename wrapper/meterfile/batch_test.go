package meterfile_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// excelCSV is a file as Excel saves "CSV UTF-8": a byte-order mark, CRLF.
func excelCSV(lines ...string) string {
	return "\ufeff" + strings.Join(lines, "\r\n") + "\r\n"
}

const batchHeader = "organization,product,variable,quantity,batch"

// batchRun runs a file's text once with a freshly opened journal at path,
// through wrap when given (nil: the file journal itself).
func batchRun(t *testing.T, c *wrapper.Client, path, csv string, wrap func(*meterfile.FileJournal) meterfile.Journal) (meterfile.Report, error) {
	t.Helper()
	txs, err := meterfile.Parse("m.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	j, err := meterfile.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var jj meterfile.Journal = j
	if wrap != nil {
		jj = wrap(j)
	}
	return meterfile.Run(context.Background(), c, jj, txs, meterfile.Options{})
}

// TestRunBatchChangedIsBadLine is issue 14's "I forgot a line": a batch
// applied (or sent, or of unknown outcome) and then run again with a row
// added is a bad line of the file, found before anything is sent; nothing
// is sent or journaled, and the batch is billed once.
func TestRunBatchChangedIsBadLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first func(f *fixture) func(*meterfile.FileJournal) meterfile.Journal // how the first run ends
		when  string                                                          // in the message
	}{
		{"applied", func(*fixture) func(*meterfile.FileJournal) meterfile.Journal { return nil }, `applied \S+`},
		{"sent, outcome not journaled", func(*fixture) func(*meterfile.FileJournal) meterfile.Journal {
			return func(j *meterfile.FileJournal) meterfile.Journal { return &crashingJournal{FileJournal: j, n: 3} }
		}, `sent \S+, no outcome recorded`},
		{"unknown", func(f *fixture) func(*meterfile.FileJournal) meterfile.Journal {
			f.srv.InjectFault(opMetering, 1, partnertest.Fault{Status: 500, AfterAction: true})
			return nil
		}, `outcome unknown \S+`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 2)
			org, other := f.orgs[0].String(), f.orgs[1].String()
			v1 := excelCSV(batchHeader, org+",partner,late1,10,INV-7", org+",partner,late2,20,INV-7")
			_, _ = batchRun(t, f.client, f.journal, v1, tc.first(f))
			if got := len(f.srv.Metering(f.orgs[0])); got != 2 {
				t.Fatalf("first run applied %d rows, want 2", got)
			}
			journal, _ := os.ReadFile(f.journal)
			f.srv.ResetCounts()

			// A row appended to the batch, and a new batch of another
			// organization that must not be sent either.
			v2 := v1 + org + ",partner,late3,30,INV-7\r\n" + other + ",partner,late1,1,INV-7\r\n"
			rep, err := batchRun(t, f.client, f.journal, v2, nil)
			var le meterfile.LineErrors
			if !errors.As(err, &le) || !errors.Is(err, wrapper.ErrInvalidInput) || len(le) != 1 {
				t.Fatalf("got %v (%T), want one bad line", err, err)
			}
			want := regexp.MustCompile(`^m\.csv:2: batch: INV-7 of ` + org + ` was already sent with other rows \(` + tc.when +
				`\); put new rows in a new batch$`)
			if !want.MatchString(err.Error()) {
				t.Errorf("message:\n%s\nwant it to match %s", err, want)
			}
			if rep.Results != nil {
				t.Errorf("results for a refused file: %+v", rep.Results)
			}
			if n := f.srv.Requests(""); n != 0 {
				t.Errorf("sent %d requests", n)
			}
			if got := len(f.srv.Metering(f.orgs[0])); got != 2 {
				t.Errorf("the batch's rows applied: %d, want 2", got)
			}
			if now, _ := os.ReadFile(f.journal); string(now) != string(journal) {
				t.Errorf("a refused file changed the journal:\n%s", now[len(journal):])
			}
		})
	}
}

// TestRunBatchNotAppliedTakesNewRows: a batch that failed, or was never
// sent, was certainly not applied: a rerun sends its new rows, once.
func TestRunBatchNotAppliedTakesNewRows(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first func(f *fixture) func(*meterfile.FileJournal) meterfile.Journal
	}{
		{"failed", func(f *fixture) func(*meterfile.FileJournal) meterfile.Journal {
			f.srv.InjectFault(opMetering, 1, partnertest.Fault{Status: 404})
			return nil
		}},
		{"pending", func(*fixture) func(*meterfile.FileJournal) meterfile.Journal {
			return func(j *meterfile.FileJournal) meterfile.Journal { return &crashingJournal{FileJournal: j, n: 2} }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 1)
			org := f.orgs[0].String()
			v1 := excelCSV(batchHeader, org+",partner,late1,10,INV-7", org+",partner,late2,20,INV-7")
			_, _ = batchRun(t, f.client, f.journal, v1, tc.first(f))
			if got := len(f.srv.Metering(f.orgs[0])); got != 0 {
				t.Fatalf("first run applied %d rows, want none", got)
			}
			v2 := v1 + org + ",partner,late3,30,INV-7\r\n"
			for i, want := range []string{"applied", "skipped"} {
				rep, err := batchRun(t, f.client, f.journal, v2, nil)
				if err != nil {
					t.Fatal(err)
				}
				wantOutcomes(t, rep, want)
				if got := len(f.srv.Metering(f.orgs[0])); got != 3 {
					t.Errorf("run %d: %d rows applied, want the 3 new ones", i+2, got)
				}
			}
			// The old rows are no longer what the batch is.
			if _, err := batchRun(t, f.client, f.journal, v1, nil); !errors.As(err, new(meterfile.LineErrors)) {
				t.Errorf("the batch's old rows after its new ones were applied: got %v, want a bad line", err)
			}
		})
	}
}

// TestRunWithoutBatchIsContent: without a batch column a transaction is
// its rows: a row added makes another transaction.
func TestRunWithoutBatchIsContent(t *testing.T) {
	f := newFixture(t, 1)
	org := f.orgs[0].String()
	v1 := excelCSV("organization,product,variable,quantity", org+",partner,late1,10")
	v2 := v1 + org + ",partner,late2,20\r\n"
	for _, run := range []struct{ csv, want string }{{v1, "applied"}, {v1, "skipped"}, {v2, "applied"}, {v2, "skipped"}} {
		rep, err := batchRun(t, f.client, f.journal, run.csv, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantOutcomes(t, rep, run.want)
	}
	if got := len(f.srv.Metering(f.orgs[0])); got != 3 {
		t.Errorf("%d rows applied, want 3", got)
	}
}

// TestKeyIsBatch: with a batch, the identity is (organization, batch)
// whatever the rows; without, it is the rows.
func TestKeyIsBatch(t *testing.T) {
	parse := func(csv string) meterfile.Transaction {
		t.Helper()
		txs, err := meterfile.Parse("m.csv", strings.NewReader(csv))
		if err != nil || len(txs) != 1 {
			t.Fatalf("%v %+v", err, txs)
		}
		return txs[0]
	}
	a := parse(excelCSV(batchHeader, org1+",p,a,1,INV-7"))
	b := parse(excelCSV(batchHeader, org1+",p,a,1,INV-7", org1+",p,b,2,INV-7"))
	if a.Key() != b.Key() || a.ID() == b.ID() {
		t.Errorf("one batch, other rows: keys %v %v, contents %s %s", a.Key(), b.Key(), a.ID(), b.ID())
	}
	if c := parse(excelCSV(batchHeader, org1+",p,a,1,INV-8")); c.Key() == a.Key() {
		t.Error("two batches share a key")
	}
	if d := parse(excelCSV(batchHeader, org2+",p,a,1,INV-7")); d.Key() == a.Key() {
		t.Error("two organizations share a key")
	}
	const h = "organization,product,variable,quantity"
	x, y := parse(excelCSV(h, org1+",p,a,1")), parse(excelCSV(h, org1+",p,a,1", org1+",p,b,2"))
	if x.Key() == y.Key() || x.Key() != parse(excelCSV(h, org1+",p,a,1.0")).Key() {
		t.Errorf("without a batch the key is the content: %v %v", x.Key(), y.Key())
	}
}

// TestParseBatchCell: in a file with a batch column, an empty batch or one
// with spaces around it is a bad line (it would be another identity).
func TestParseBatchCell(t *testing.T) {
	for _, tc := range []struct{ cell, want string }{
		{"", "m.csv:3: batch: required in a file with a batch column"},
		{"INV-7 ", `m.csv:3: batch: leading or trailing space in "INV-7 "`},
		{" INV-7", `m.csv:3: batch: leading or trailing space in " INV-7"`},
	} {
		csv := excelCSV(batchHeader, org1+",p,a,1,INV-7", org1+",p,a,1,"+tc.cell)
		_, err := meterfile.Parse("m.csv", strings.NewReader(csv))
		if err == nil || err.Error() != tc.want {
			t.Errorf("batch %q: got %v, want %s", tc.cell, err, tc.want)
		}
	}
}
