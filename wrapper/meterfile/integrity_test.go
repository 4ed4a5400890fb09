package meterfile_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
)

// relined is line (a journal record) with its seq set to seq and its CRC
// made right again: a record edited by someone who knew the format.
func relined(t *testing.T, line string, seq int) string {
	t.Helper()
	var env struct {
		Record map[string]any `json:"record"`
	}
	if err := json.Unmarshal([]byte(line), &env); err != nil {
		t.Fatal(err)
	}
	env.Record["seq"] = seq
	raw, err := json.Marshal(env.Record)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`{"crc":"%08x","record":%s}`+"\n", crc32.Checksum(raw, crc32.MakeTable(crc32.Castagnoli)), raw)
}

func journalLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
}

func join(parts ...[]string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, l := range p {
			b.WriteString(strings.TrimSuffix(l, "\n") + "\n")
		}
	}
	return b.String()
}

// wantCorrupt opens data as a journal and wants ErrCorrupt naming
// path:line, and the file left as it was.
func wantCorrupt(t *testing.T, data string, line int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := meterfile.OpenFile(path)
	if err == nil {
		j.Close()
		t.Fatalf("opened a journal damaged at line %d", line)
	}
	if want := fmt.Sprintf("%s:%d: journal is corrupt: ", path, line); !errors.Is(err, meterfile.ErrCorrupt) || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want ErrCorrupt naming %s", err, want)
	}
	if got, _ := os.ReadFile(path); string(got) != data {
		t.Error("a damaged journal was modified")
	}
}

// TestJournalRefusesReorder: records moved, duplicated, removed or
// turned back to pending make the journal corrupt, named by path:line,
// and it is not opened (so nothing is sent again). Issue 14 item 4: with
// the pending records moved to the end, every transaction was sent again.
func TestJournalRefusesReorder(t *testing.T) {
	f := newFixture(t, 5)
	f.run(t, meterfile.Options{})
	l := journalLines(t, f.journal)
	// 1 header, 2-6 pending, then sent and applied per transaction: 7-16.
	if len(l) != 16 || !strings.Contains(l[1], `"pending"`) || !strings.Contains(l[6], `"sent"`) || !strings.Contains(l[15], `"applied"`) {
		t.Fatalf("journal layout:\n%s", strings.Join(l, ""))
	}
	for _, tc := range []struct {
		name string
		data string
		line int
	}{
		{"pending records moved to the end", join(l[:1], l[6:], l[1:6]), 2},
		{"a pending record duplicated", join(l, l[2:3]), 17},
		{"an applied record duplicated", join(l, l[7:8]), 17},
		{"two transactions' records swapped", join(l[:7], l[8:9], l[7:8], l[9:]), 8},
		{"a transaction's sent and applied records removed", join(l[:8], l[10:]), 9},
		{"applied back to pending, renumbered", join(l, []string{relined(t, l[1], 17)}), 17},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCorrupt(t, tc.data, tc.line) })
	}
	f.srv.ResetCounts()
	wantOutcomes(t, f.run(t, meterfile.Options{}), "skipped skipped skipped skipped skipped")
}

// TestJournalRefusesBackToPending: a transaction sent, or of unknown
// outcome, never goes back to pending, even in a record whose number and
// checksum are right.
func TestJournalRefusesBackToPending(t *testing.T) {
	for _, states := range [][]meterfile.State{
		{meterfile.StatePending, meterfile.StateSent},
		{meterfile.StatePending, meterfile.StateSent, meterfile.StateUnknown},
		{meterfile.StatePending, meterfile.StateSent, meterfile.StateApplied},
	} {
		t.Run(string(states[len(states)-1]), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal")
			j := openJournal(t, path)
			for _, s := range states {
				if err := j.Record(testEntry(1, s)); err != nil {
					t.Fatal(err)
				}
			}
			j.Close()
			l := journalLines(t, path)
			wantCorrupt(t, join(l, []string{relined(t, l[1], len(l)+1)}), len(l)+1)
		})
	}
}

// The journal of version 1 in testdata, written before records carried
// sequence numbers, by the runs its README tells.
const (
	v1Dir  = "testdata/v1"
	v1Org1 = "11111111-1111-4111-8111-111111111111"
)

// v1Fixture is a fake API holding the v1 journal's organizations, and a
// copy of that journal.
func v1Fixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, 0)
	for _, id := range []string{v1Org1, "22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333",
		"44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555", "66666666-6666-4666-8666-666666666666"} {
		f.srv.Seed(wrapper.Organization{ID: wrapper.MustParseID(id), ClientID: "crm-" + id[:1],
			BillingAddress: wrapper.BillingAddress{Name: "Org", Country: "CH", City: "Lausanne", PostalCode: "1003", StreetName: "Rue"}})
	}
	data, err := os.ReadFile(filepath.Join(v1Dir, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.journal, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) runFile(t *testing.T, name string, drop int) (meterfile.Report, error) {
	t.Helper()
	txs, err := meterfile.ParseFile(filepath.Join(v1Dir, name))
	if err != nil {
		t.Fatal(err)
	}
	f.txs = txs[drop:]
	return f.runWith(t, func(j *meterfile.FileJournal) meterfile.Journal { return j }, meterfile.Options{})
}

// TestJournalVersion1: a journal written by the version before sequence
// numbers opens, and nothing it records as applied, sent or unknown is
// sent again, under content identity (no batch column) or batch identity.
func TestJournalVersion1(t *testing.T) {
	f := v1Fixture(t)
	for _, run := range []struct {
		file string
		drop int
		want string
	}{
		{"batch-late.csv", 0, "skipped"},
		{"nobatch.csv", 0, "skipped skipped"},
		// 11111111…'s INV-7 was applied twice by that version, the second
		// time with three rows (batch-late.csv): its two rows are no longer
		// what INV-7 is.
		{"batch.csv", 0, ""},
		// unknown, failed, sent, pending: the failed and the pending are sent.
		{"batch.csv", 1, "refused applied refused applied"},
		{"batch.csv", 1, "refused skipped refused skipped"},
	} {
		rep, err := f.runFile(t, run.file, run.drop)
		if run.want == "" {
			want := regexp.MustCompile(`^testdata/v1/batch\.csv:2: batch: INV-7 of ` + v1Org1 +
				` was already sent with other rows \(applied 2026-12-01T07:44Z\); put new rows in a new batch$`)
			if !errors.Is(err, wrapper.ErrInvalidInput) || !want.MatchString(err.Error()) {
				t.Errorf("%s: got %v, want it to match %s", run.file, err, want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", run.file, err)
		}
		wantOutcomes(t, rep, run.want)
	}
	if n := f.srv.Requests(opMetering); n != 2 {
		t.Errorf("sent %d metering requests, want the failed one and the pending one", n)
	}
	for _, id := range []string{"33333333-3333-4333-8333-333333333333", "55555555-5555-4555-8555-555555555555"} {
		if n := len(f.srv.Metering(wrapper.MustParseID(id))); n != 1 {
			t.Errorf("%s: %d rows applied, want 1", id, n)
		}
	}
}

// TestJournalVersion1Damaged: without sequence numbers, a version 1
// journal is still checked transaction by transaction: a record moved
// before its transaction's pending one, or a state going back, is refused.
func TestJournalVersion1Damaged(t *testing.T) {
	l := journalLines(t, filepath.Join(v1Dir, "journal"))
	if len(l) != 23 {
		t.Fatalf("the fixture has %d lines, want 23", len(l))
	}
	wantCorrupt(t, join(l[:1], l[6:], l[1:6]), 2) // the pending records moved to the end
	wantCorrupt(t, join(l, l[2:3]), 24)           // a pending record duplicated
	wantCorrupt(t, join(l, l[7:8]), 24)           // an applied record duplicated
}

// TestJournalVersion1Continued: the records appended to a version 1
// journal carry sequence numbers, and are checked as such.
func TestJournalVersion1Continued(t *testing.T) {
	f := v1Fixture(t)
	rep, err := f.runFile(t, "batch.csv", 1) // sends the failed and the pending
	if err != nil {
		t.Fatal(err)
	}
	wantOutcomes(t, rep, "refused applied refused applied")
	l := journalLines(t, f.journal)
	if len(l) != 23+4 {
		t.Fatalf("%d lines, want 27", len(l))
	}
	for i, line := range l[23:] {
		if !strings.Contains(line, fmt.Sprintf(`"seq":%d,`, 24+i)) {
			t.Errorf("line %d has no sequence number %d: %s", 24+i, 24+i, line)
		}
	}
	wantCorrupt(t, join(l[:24], l[25:26], l[24:25], l[26:]), 25) // two transactions' records swapped
	j, err := meterfile.OpenFile(f.journal)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
}

// TestJournalRecordRefusesImpossibleEntries: Record checks each entry
// against the last one of its key and records none of a call whose
// entries do not follow; the journal stays usable.
func TestJournalRecordRefusesImpossibleEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	j := openJournal(t, path)
	if err := j.Record(testEntry(1, meterfile.StatePending)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	for _, entries := range [][]meterfile.Entry{
		{testEntry(1, meterfile.StateApplied)},                                       // never sent
		{testEntry(2, meterfile.StateSent)},                                          // never pending
		{testEntry(2, meterfile.StatePending), testEntry(1, meterfile.StatePending)}, // the second is a duplicate
		{testEntry(1, meterfile.StateSent), testEntry(1, meterfile.StateApplied), testEntry(1, meterfile.StatePending)},
	} {
		if err := j.Record(entries...); !errors.Is(err, meterfile.ErrTransition) {
			t.Errorf("%d entries: got %v, want ErrTransition", len(entries), err)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("refused entries were written:\n%s", after[len(before):])
	}
	if _, ok, _ := j.Lookup(testEntry(2, "").Key()); ok {
		t.Error("a refused entry is known")
	}
	if err := j.Record(testEntry(1, meterfile.StateSent), testEntry(1, meterfile.StateApplied)); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j = openJournal(t, path)
	if e, _, _ := j.Lookup(testEntry(1, "").Key()); e.State != meterfile.StateApplied {
		t.Errorf("after refused entries: %+v", e)
	}
}
