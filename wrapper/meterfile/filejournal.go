package meterfile

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// ErrCorrupt is matched by the error of [OpenFile] when the file is not a
// metering journal or a record in it is damaged.
var ErrCorrupt = errors.New("journal is corrupt")

// ErrLocked is matched by the error of [OpenFile] when another process has
// the journal open.
var ErrLocked = errors.New("journal is in use by another process")

// journalFormat names the format in the first record of every journal file.
const journalFormat = "exopartner-metering-journal"

// journalVersion is the version of the journals OpenFile creates. In
// version 2 every record carries its sequence number. Version 1 (before
// sequence numbers) is still read, and continued with numbered records.
const journalVersion = 2

// FileJournal is a [Journal] in an append-only file of JSON lines: a
// header, then one record per line, each with a CRC-32C of its content and
// its sequence number, which is its line number in the file:
//
//	{"crc":"1c291ca3","record":{"seq":7,"transaction":"…","state":"sent",…}}
//
// Each [FileJournal.Record] is one write followed by fsync, shared by the
// calls made while the previous fsync was in progress. The file is
// locked against other processes while open (on Unix systems).
//
// On opening, a last line without its newline is the trace of a crash in
// the middle of an append: that record was never made durable, so the run
// that wrote it did not act on it (it acts only after fsync returns), and
// it is dropped as never written. Any other damage is an [ErrCorrupt]
// error naming path:line, and the journal is not opened: a record whose
// checksum fails, a record out of its place (moved, duplicated, or with
// records missing before it: its number is not its line), and an entry
// that cannot follow the one before it for the same [Key]
// ([CheckTransition]: applied, sent or unknown going back to pending, say).
// The journal is never silently read as empty or partial.
//
// What no file can tell is that it was cut short after a last complete
// record, as a stale backup restored over the journal is: its records all
// check. Never restore a journal while its runs go on; if one was restored,
// reconcile the file's transactions against the organizations' usage
// before running it again.
//
// A journal of version 1 (written before records were numbered) opens and
// its records are checked transaction by transaction ([CheckTransition] per
// content), but a record removed whole, or two transactions' records
// swapped, cannot be seen there; the records appended to it are numbered.
// Version 1 knew no batch identity and may hold two contents of one batch:
// the batch then stands for the last of them that was sent, so that none of
// them is sent again.
type FileJournal struct {
	mu     sync.Mutex
	path   string
	f      *os.File
	sync   func(*os.File) error // fsync; a test counts it
	last   map[Key]Entry        // the last durable entry of each key
	lines  int                  // lines in the file, header included: the next record's number is lines+1
	broken error                // set when a write failed: the file's tail is unknown

	// Group commit: while one group is written (writing), the records of
	// later calls gather in next, checked against queued (their keys'
	// entries not durable yet) over last.
	writing bool
	next    *group
	queued  map[Key]Entry
}

// envelope is one line of the file.
type envelope struct {
	CRC    string          `json:"crc"`
	Record json.RawMessage `json:"record"`
}

// header is the first record of the file.
type header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

// record is a record after the header: an entry and its sequence number
// (0: none, in a version 1 journal).
type record struct {
	Seq int `json:"seq,omitempty"`
	Entry
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// OpenFile opens the journal at path, creating it (and making its creation
// durable: the file and its directory are fsynced) when it does not exist.
// Close it when done.
func OpenFile(path string) (*FileJournal, error) {
	return openFile(path, (*os.File).Sync)
}

// openFile is OpenFile with sync as every fsync, of the file and of its
// directory.
func openFile(path string, sync func(*os.File) error) (*FileJournal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("meterfile: opening journal: %w", err)
	}
	j := &FileJournal{path: path, f: f, sync: sync, next: newGroup(), queued: map[Key]Entry{}}
	if err := j.open(); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

func (j *FileJournal) open() error {
	if err := lock(j.f); err != nil {
		return fmt.Errorf("meterfile: journal %s: %w", j.path, err)
	}
	data, err := io.ReadAll(io.NewSectionReader(j.f, 0, 1<<62))
	if err != nil {
		return fmt.Errorf("meterfile: reading journal %s: %w", j.path, err)
	}
	// A last line without its newline was torn by a crash mid-append.
	keep := bytes.LastIndexByte(data, '\n') + 1
	if keep < len(data) {
		if err := j.f.Truncate(int64(keep)); err != nil {
			return fmt.Errorf("meterfile: journal %s: dropping a torn last record: %w", j.path, err)
		}
		if err := j.sync(j.f); err != nil {
			return fmt.Errorf("meterfile: journal %s: %w", j.path, err)
		}
	}
	lines := bytes.Split(data[:keep], []byte("\n"))
	lines = lines[:len(lines)-1] // the empty piece after the last newline
	if len(lines) == 0 {         // new, or created by a run that crashed before its header was durable
		j.last = map[Key]Entry{}
		if err := j.append(header{Format: journalFormat, Version: journalVersion}); err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(j.path), j.sync); err != nil {
			return fmt.Errorf("meterfile: journal %s: making its creation durable: %w", j.path, err)
		}
		return nil
	}
	l := loader{last: map[Key]Entry{}, v1: map[string]Entry{}}
	for i, line := range lines {
		if err := l.load(i+1, line); err != nil {
			return fmt.Errorf("meterfile: journal %s:%d: %w; it was not opened: restore it or move it aside "+
				"(it records what was billed; a new journal would send everything again)", j.path, i+1, err)
		}
	}
	j.last, j.lines = l.last, len(lines)
	return nil
}

// loader checks the lines of a journal file one by one, in order, and
// builds the last entry of each key.
type loader struct {
	version  int
	numbered bool // a record with a sequence number was read: every later one must have one
	last     map[Key]Entry
	v1       map[string]Entry // the last entry of each content, in version 1 records
}

// load checks and applies line n of the file.
func (l *loader) load(n int, line []byte) error {
	var env envelope
	if err := json.Unmarshal(line, &env); err != nil || env.Record == nil {
		return fmt.Errorf("%w: not a journal record", ErrCorrupt)
	}
	if want := fmt.Sprintf("%08x", crc32.Checksum(env.Record, castagnoli)); env.CRC != want {
		return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	if n == 1 {
		var h header
		if err := json.Unmarshal(env.Record, &h); err != nil || h.Format != journalFormat {
			return fmt.Errorf("%w: not a metering journal (no %q header)", ErrCorrupt, journalFormat)
		}
		if h.Version != 1 && h.Version != journalVersion {
			return fmt.Errorf("%w: version %d is not supported (want 1 or %d)", ErrCorrupt, h.Version, journalVersion)
		}
		l.version = h.Version
		return nil
	}
	var r record
	if err := json.Unmarshal(env.Record, &r); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	e := r.Entry
	if id, err := hex.DecodeString(e.Transaction); err != nil || len(id) != 32 {
		return fmt.Errorf("%w: bad transaction id %q", ErrCorrupt, e.Transaction)
	}
	if !e.State.valid() {
		return fmt.Errorf("%w: unknown state %q", ErrCorrupt, e.State)
	}
	switch {
	case r.Seq == 0 && l.version == 1 && !l.numbered:
		return l.loadV1(e)
	case r.Seq == 0:
		return fmt.Errorf("%w: the record has no sequence number", ErrCorrupt)
	case r.Seq != n:
		return fmt.Errorf("%w: record %d is at line %d (a record's number is its line): records were moved, duplicated or removed",
			ErrCorrupt, r.Seq, n)
	}
	l.numbered = true
	k := e.Key()
	prev, found := l.last[k]
	if err := CheckTransition(prev, found, e); err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	l.last[k] = e
	return nil
}

// loadV1 applies a record of version 1. That version identified a
// transaction by its content only, so its records are checked per content;
// and it could send two contents of one batch: the batch's key keeps the
// last content that may have been applied, so that no content of it is
// sent again.
func (l *loader) loadV1(e Entry) error {
	prev, found := l.v1[e.Transaction]
	if err := CheckTransition(prev, found, e); err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	l.v1[e.Transaction] = e
	k := e.Key()
	if cur, ok := l.last[k]; !ok || cur.Transaction == e.Transaction || !cur.State.sent() || e.State.sent() {
		l.last[k] = e
	}
	return nil
}

// Lookup implements [Journal].
func (j *FileJournal) Lookup(k Key) (Entry, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.last[k]
	return e, ok, nil
}

// Claim implements [Journal]. The file is locked against other processes
// while it is open, so there is no other run to exclude: Claim is Lookup.
func (j *FileJournal) Claim(_ context.Context, k Key, _ bool) (Entry, bool, error) {
	return j.Lookup(k)
}

// Release implements [Journal]; there is nothing to release.
func (*FileJournal) Release(Key) {}

// group is the records of the Record calls that are made durable together,
// by one write and one fsync (group commit).
type group struct {
	entries []Entry
	lead    chan struct{} // receives once: its receiver writes the group
	done    chan struct{} // closed once the group is durable or failed
	err     error         // set before done is closed
}

func newGroup() *group {
	return &group{lead: make(chan struct{}, 1), done: make(chan struct{})}
}

// Record implements [Journal]: the entries are checked with
// [CheckTransition], written with one write, numbered, and made durable
// with fsync before it returns. Records that arrive while an fsync is in
// progress are made durable together by the next single write and fsync,
// once that one returns (group commit): concurrent callers share fsyncs,
// and no record is reported durable before it was written and synced.
// After a failed write or fsync it refuses every later call: what reached
// the disk is unknown.
func (j *FileJournal) Record(entries ...Entry) error {
	j.mu.Lock()
	if err := j.usable(); err != nil {
		j.mu.Unlock()
		return err
	}
	_, staged, err := CheckEntries(entries, j.latest)
	if err != nil {
		j.mu.Unlock()
		return fmt.Errorf("meterfile: journal %s: not recorded: %w", j.path, err)
	}
	g := j.next
	g.entries = append(g.entries, entries...)
	for k, e := range staged {
		j.queued[k] = e
	}
	if !j.writing {
		j.writing = true
		j.mu.Unlock()
		j.commit(g)
		return g.err
	}
	j.mu.Unlock()
	select {
	case <-g.done:
	case <-g.lead: // the previous group is durable: write this one
		j.commit(g)
	}
	return g.err
}

// latest is the last entry of k, counting those queued for the next write.
func (j *FileJournal) latest(k Key) (Entry, bool) {
	if e, ok := j.queued[k]; ok {
		return e, true
	}
	e, ok := j.last[k]
	return e, ok
}

// usable is the error that refuses every Record, or nil.
func (j *FileJournal) usable() error {
	switch {
	case j.broken != nil:
		return j.broken
	case j.f == nil:
		return fmt.Errorf("meterfile: journal %s: %w", j.path, os.ErrClosed)
	}
	return nil
}

// commit writes g, which its caller leads: records arriving meanwhile go to
// a new group, which commit hands to one of its callers once g is done.
func (j *FileJournal) commit(g *group) {
	j.mu.Lock()
	j.next = newGroup()
	recs := make([]any, len(g.entries))
	for i, e := range g.entries {
		recs[i] = record{Seq: j.lines + 1 + i, Entry: e}
	}
	err := j.usable()
	j.mu.Unlock()

	if err == nil {
		err = j.append(recs...)
	}

	j.mu.Lock()
	defer j.mu.Unlock()
	if err == nil {
		for _, e := range g.entries {
			j.last[e.Key()] = e
		}
	}
	clear(j.queued) // what is still queued is the next group's
	for _, e := range j.next.entries {
		j.queued[e.Key()] = e
	}
	g.err = err
	close(g.done)
	if len(j.next.entries) == 0 {
		j.writing = false
		return
	}
	j.next.lead <- struct{}{} // writing stays true: the receiver writes it
}

// append writes records as lines and syncs the file. Once a write or a
// sync failed, it refuses every later call. Only one append runs at a
// time: the header's, before the journal is shared, or a group's.
func (j *FileJournal) append(recs ...any) error {
	var buf bytes.Buffer
	for _, r := range recs {
		raw, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("meterfile: journal %s: %w", j.path, err)
		}
		// Built by hand so that the record's bytes are exactly those summed.
		fmt.Fprintf(&buf, `{"crc":"%08x","record":%s}`+"\n", crc32.Checksum(raw, castagnoli), raw)
	}
	fail := func(err error) error {
		j.mu.Lock()
		defer j.mu.Unlock()
		if j.broken == nil {
			j.broken = err
		}
		return j.broken
	}
	if _, err := j.f.Write(buf.Bytes()); err != nil {
		return fail(fmt.Errorf("meterfile: writing journal %s: %w", j.path, err))
	}
	if err := j.sync(j.f); err != nil {
		return fail(fmt.Errorf("meterfile: syncing journal %s: %w", j.path, err))
	}
	j.mu.Lock()
	j.lines += len(recs)
	j.mu.Unlock()
	return nil
}

// Close releases the journal and its lock.
func (j *FileJournal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// syncDir makes a directory's entries durable with sync.
func syncDir(dir string, sync func(*os.File) error) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return sync(d)
}
