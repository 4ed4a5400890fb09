package meterfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// syncCounter is the journal's fsync, counted: of the journal file (with
// the file's size when it was synced) and of its directory.
type syncCounter struct {
	path  string
	files []int64 // the file's size at each fsync of it
	dirs  int
	fail  error // when set, every fsync fails with it (after syncing)
}

func (c *syncCounter) sync(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	switch {
	case st.IsDir() && f.Name() == filepath.Dir(c.path):
		c.dirs++
	case !st.IsDir() && f.Name() == c.path:
		c.files = append(c.files, st.Size())
	default:
		return errors.New("fsync of something else: " + f.Name())
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return c.fail
}

func syncEntry(batch string, s State) Entry {
	return Entry{Transaction: strings.Repeat("ab", 32), State: s, Batch: batch,
		Organization: wrapper.MustParseID("6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f"), Time: time.Unix(1700000000, 0).UTC()}
}

func size(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// TestJournalSyncs: creating a journal fsyncs the file (its header
// written) and its directory; each Record fsyncs the file once, after
// writing its records, before it returns; reopening a sound journal
// writes and syncs nothing; dropping a torn last record is synced.
func TestJournalSyncs(t *testing.T) {
	c := &syncCounter{path: filepath.Join(t.TempDir(), "journal")}
	j, err := openFile(c.path, c.sync)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.files) != 1 || c.files[0] != size(t, c.path) || c.files[0] == 0 || c.dirs != 1 {
		t.Fatalf("creation: file synced at sizes %v (file now %d bytes), directory %d times; want the header synced once and the directory once",
			c.files, size(t, c.path), c.dirs)
	}
	for i, batch := range [][]Entry{
		{syncEntry("a", StatePending), syncEntry("b", StatePending)},
		{syncEntry("a", StateSent)},
		{syncEntry("a", StateApplied)},
	} {
		if err := j.Record(batch...); err != nil {
			t.Fatal(err)
		}
		if n := len(c.files); n != 2+i || c.files[n-1] != size(t, c.path) {
			t.Fatalf("Record %d: file synced at sizes %v, file now %d bytes; want one more fsync, of everything written", i+1, c.files, size(t, c.path))
		}
	}
	if c.dirs != 1 {
		t.Errorf("directory synced %d times, want once, at creation", c.dirs)
	}
	j.Close()

	c.files, c.dirs = nil, 0
	j, err = openFile(c.path, c.sync)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if len(c.files) != 0 || c.dirs != 0 {
		t.Errorf("reopening a sound journal synced the file %d times and its directory %d times", len(c.files), c.dirs)
	}

	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	good := size(t, c.path)
	if _, err := f.WriteString(`{"crc":"0000`); err != nil { // torn by a crash
		t.Fatal(err)
	}
	f.Close()
	j, err = openFile(c.path, c.sync)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if len(c.files) != 1 || c.files[0] != good {
		t.Errorf("dropping a torn record: file synced at sizes %v, want once at %d bytes", c.files, good)
	}
}

// TestJournalRefusesWritesAfterAFailedOne: once a write failed (here its
// fsync), what reached the disk is unknown, and every later Record is
// refused without writing, even when the disk works again.
func TestJournalRefusesWritesAfterAFailedOne(t *testing.T) {
	c := &syncCounter{path: filepath.Join(t.TempDir(), "journal")}
	j, err := openFile(c.path, c.sync)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Record(syncEntry("a", StatePending)); err != nil {
		t.Fatal(err)
	}
	errDisk := errors.New("input/output error")
	c.fail = errDisk
	if err := j.Record(syncEntry("b", StatePending)); !errors.Is(err, errDisk) {
		t.Fatalf("got %v, want the fsync's error", err)
	}
	c.fail = nil
	written := size(t, c.path)
	for _, e := range []Entry{syncEntry("c", StatePending), syncEntry("a", StateSent), syncEntry("b", StatePending)} {
		if err := j.Record(e); !errors.Is(err, errDisk) {
			t.Errorf("Record after a failed one: got %v, want the first failure again", err)
		}
	}
	if size(t, c.path) != written {
		t.Error("a Record after a failed one wrote")
	}
	if _, ok, _ := j.Lookup(syncEntry("b", "").Key()); ok {
		t.Error("the failed Record's entry is known")
	}
}
