package meterfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
)

func openJournal(t *testing.T, path string) *meterfile.FileJournal {
	t.Helper()
	j, err := meterfile.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func testEntry(n byte, s meterfile.State) meterfile.Entry {
	return meterfile.Entry{
		Transaction: strings.Repeat(string("0123456789abcdef"[n%16]), 64), State: s,
		Organization: wrapper.MustParseID(org1), Batch: "b" + string('0'+rune(n)), Time: time.Unix(1700000000, 0).UTC(),
		Usage: []meterfile.Usage{{Product: "p", Variable: "v", Quantity: -42.00005}},
	}
}

func TestJournalSurvivesReopening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	j := openJournal(t, path)
	if _, ok, _ := j.Lookup(testEntry(1, "").Key()); ok {
		t.Fatal("a new journal knows a transaction")
	}
	if err := j.Record(testEntry(1, meterfile.StatePending), testEntry(2, meterfile.StatePending)); err != nil {
		t.Fatal(err)
	}
	if err := j.Record(testEntry(1, meterfile.StateSent)); err != nil {
		t.Fatal(err)
	}
	if err := j.Record(testEntry(1, meterfile.StateApplied)); err != nil {
		t.Fatal(err)
	}
	j.Close()

	j = openJournal(t, path)
	for n, want := range map[byte]meterfile.State{1: meterfile.StateApplied, 2: meterfile.StatePending} {
		e, ok, err := j.Lookup(testEntry(n, "").Key())
		if err != nil || !ok || e.State != want {
			t.Errorf("transaction %d: got %+v %v %v, want state %s", n, e, ok, err, want)
		}
	}
	e, _, _ := j.Lookup(testEntry(2, "").Key())
	if len(e.Usage) != 1 || e.Usage[0].Quantity != -42.00005 || e.Organization != wrapper.MustParseID(org1) {
		t.Errorf("entry content lost: %+v", e)
	}
}

func TestJournalTornLastLineIsNotWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	j := openJournal(t, path)
	if err := j.Record(testEntry(1, meterfile.StatePending), testEntry(2, meterfile.StatePending)); err != nil {
		t.Fatal(err)
	}
	if err := j.Record(testEntry(1, meterfile.StateSent)); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// A crash in the middle of appending transaction 2's "sent" record.
	data, _ := os.ReadFile(path)
	good := len(data)
	appendFile(t, path, []byte(`{"crc":"00000000","record":{"transaction":"2222`))

	j = openJournal(t, path)
	if e, _, _ := j.Lookup(testEntry(2, "").Key()); e.State != meterfile.StatePending {
		t.Errorf("torn record taken as written: %+v", e)
	}
	if e, _, _ := j.Lookup(testEntry(1, "").Key()); e.State != meterfile.StateSent {
		t.Errorf("record before the torn one lost: %+v", e)
	}
	if data, _ := os.ReadFile(path); len(data) != good {
		t.Errorf("torn tail not dropped: %d bytes, want %d", len(data), good)
	}
	// Appending after the dropped tail yields a sound journal.
	if err := j.Record(testEntry(2, meterfile.StateSent), testEntry(2, meterfile.StateApplied)); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j = openJournal(t, path)
	if e, _, _ := j.Lookup(testEntry(2, "").Key()); e.State != meterfile.StateApplied {
		t.Errorf("after the torn tail: %+v", e)
	}
}

func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func TestJournalCorruptIsAnError(t *testing.T) {
	// A journal of a header and three records, damaged in various ways.
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	j := openJournal(t, src)
	for _, e := range []meterfile.Entry{testEntry(1, meterfile.StatePending), testEntry(1, meterfile.StateSent), testEntry(1, meterfile.StateApplied)} {
		if err := j.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	sound, _ := os.ReadFile(src)
	lines := strings.SplitAfter(string(sound), "\n")
	if len(lines) != 5 || lines[4] != "" {
		t.Fatalf("journal layout: %q", lines)
	}
	for _, tc := range []struct {
		name, data, want string
	}{
		{"flipped byte in a middle record", strings.Join(lines[:2], "") + strings.Replace(lines[2], "sent", "sEnt", 1) + lines[3],
			":3: journal is corrupt: checksum mismatch"},
		{"flipped byte in the last record", strings.Join(lines[:3], "") + strings.Replace(lines[3], "applied", "applieD", 1),
			":4: journal is corrupt: checksum mismatch"},
		{"garbage line in the middle", lines[0] + "hello\n" + strings.Join(lines[1:], ""), ":2: journal is corrupt: not a journal record"},
		{"record dropped from a line", lines[0] + `{"crc":"00000000"}` + "\n", ":2: journal is corrupt: not a journal record"},
		{"no header", strings.Join(lines[1:], ""), ":1: journal is corrupt: not a metering journal"},
		{"a CSV file", "organization,product,variable,quantity\n" + org1 + ",p,v,1\n", ":1: journal is corrupt: not a journal record"},
		{"NUL bytes", "\x00\x00\x00\x00\n", ":1: journal is corrupt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal")
			if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			j, err := meterfile.OpenFile(path)
			if err == nil {
				j.Close()
				t.Fatal("a damaged journal was opened")
			}
			if !errors.Is(err, meterfile.ErrCorrupt) || !strings.Contains(err.Error(), path+tc.want) || !strings.Contains(err.Error(), "it was not opened") {
				t.Errorf("got %v, want ErrCorrupt naming %s%s", err, path, tc.want)
			}
			if got, _ := os.ReadFile(path); string(got) != tc.data {
				t.Error("a damaged journal was modified")
			}
		})
	}
}

func TestJournalUnopenable(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{
		"a directory":       dir,
		"missing directory": filepath.Join(dir, "no", "such", "journal"),
	} {
		t.Run(name, func(t *testing.T) {
			j, err := meterfile.OpenFile(path)
			if err == nil {
				j.Close()
				t.Fatal("opened")
			}
			if !strings.HasPrefix(err.Error(), "meterfile: ") || !strings.Contains(err.Error(), path) {
				t.Errorf("unclear error: %v", err)
			}
		})
	}
}

func TestJournalIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	j := openJournal(t, path)
	if j2, err := meterfile.OpenFile(path); !errors.Is(err, meterfile.ErrLocked) {
		if j2 != nil {
			j2.Close()
		}
		t.Fatalf("second open: got %v, want ErrLocked", err)
	}
	j.Close()
	openJournal(t, path) // released by Close
}

func TestJournalEmptyFileIsNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	j := openJournal(t, path)
	if err := j.Record(testEntry(1, meterfile.StatePending)); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j = openJournal(t, path)
	if _, ok, _ := j.Lookup(testEntry(1, "").Key()); !ok {
		t.Error("record lost")
	}
}
