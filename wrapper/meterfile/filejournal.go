package meterfile

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
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

// FileJournal is a [Journal] in an append-only file of JSON lines, one
// record per line, each with a CRC-32C of its content:
//
//	{"crc":"1c291ca3","record":{"transaction":"…","state":"sent",…}}
//
// Each [FileJournal.Record] is one write followed by fsync. The file is
// locked against other processes while open (on Unix systems).
//
// On opening, a last line without its newline is the trace of a crash in
// the middle of an append: that record was never made durable, so the run
// that wrote it did not act on it (it acts only after fsync returns), and
// it is dropped as never written. Any other damage is an [ErrCorrupt]
// error: the journal is never silently read as empty or partial.
type FileJournal struct {
	mu     sync.Mutex
	path   string
	f      *os.File
	last   map[string]Entry
	broken error // set when a write failed: the file's tail is unknown
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

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// OpenFile opens the journal at path, creating it (and making its creation
// durable: the file and its directory are fsynced) when it does not exist.
// Close it when done.
func OpenFile(path string) (*FileJournal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	created := false
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
		created = true
	}
	if err != nil {
		return nil, fmt.Errorf("meterfile: opening journal: %w", err)
	}
	j := &FileJournal{path: path, f: f, last: map[string]Entry{}}
	if err := j.open(created); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

func (j *FileJournal) open(created bool) error {
	if err := lock(j.f); err != nil {
		return fmt.Errorf("meterfile: journal %s: %w", j.path, err)
	}
	if created {
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("meterfile: journal %s: %w", j.path, err)
		}
		if err := syncDir(filepath.Dir(j.path)); err != nil {
			return fmt.Errorf("meterfile: journal %s: making its creation durable: %w", j.path, err)
		}
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
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("meterfile: journal %s: %w", j.path, err)
		}
	}
	lines := bytes.Split(data[:keep], []byte("\n"))
	lines = lines[:len(lines)-1] // the empty piece after the last newline
	if len(lines) == 0 {         // new, or created by a run that crashed before its header was durable
		if err := syncDir(filepath.Dir(j.path)); err != nil {
			return fmt.Errorf("meterfile: journal %s: making its creation durable: %w", j.path, err)
		}
		return j.append(header{Format: journalFormat, Version: 1})
	}
	for i, line := range lines {
		if err := j.load(i+1, line); err != nil {
			return fmt.Errorf("meterfile: journal %s:%d: %w; it was not opened: restore it or move it aside "+
				"(it records what was billed; a new journal would send everything again)", j.path, i+1, err)
		}
	}
	return nil
}

// load checks and applies line n of the file.
func (j *FileJournal) load(n int, line []byte) error {
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
		if h.Version != 1 {
			return fmt.Errorf("%w: version %d is not supported (want 1)", ErrCorrupt, h.Version)
		}
		return nil
	}
	var e Entry
	if err := json.Unmarshal(env.Record, &e); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if id, err := hex.DecodeString(e.Transaction); err != nil || len(id) != 32 {
		return fmt.Errorf("%w: bad transaction id %q", ErrCorrupt, e.Transaction)
	}
	if !e.State.valid() {
		return fmt.Errorf("%w: unknown state %q", ErrCorrupt, e.State)
	}
	j.last[e.Transaction] = e
	return nil
}

// Lookup implements [Journal].
func (j *FileJournal) Lookup(id string) (Entry, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.last[id]
	return e, ok, nil
}

// Record implements [Journal]: the entries are written with one write and
// made durable with fsync before it returns.
func (j *FileJournal) Record(entries ...Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	recs := make([]any, len(entries))
	for i, e := range entries {
		recs[i] = e
	}
	if err := j.append(recs...); err != nil {
		return err
	}
	for _, e := range entries {
		j.last[e.Transaction] = e
	}
	return nil
}

// append writes records as lines and syncs the file.
func (j *FileJournal) append(recs ...any) error {
	if j.broken != nil {
		return j.broken
	}
	if j.f == nil {
		return fmt.Errorf("meterfile: journal %s: %w", j.path, os.ErrClosed)
	}
	var buf bytes.Buffer
	for _, r := range recs {
		raw, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("meterfile: journal %s: %w", j.path, err)
		}
		// Built by hand so that the record's bytes are exactly those summed.
		fmt.Fprintf(&buf, `{"crc":"%08x","record":%s}`+"\n", crc32.Checksum(raw, castagnoli), raw)
	}
	if _, err := j.f.Write(buf.Bytes()); err != nil {
		j.broken = fmt.Errorf("meterfile: writing journal %s: %w", j.path, err)
		return j.broken
	}
	if err := j.f.Sync(); err != nil {
		j.broken = fmt.Errorf("meterfile: syncing journal %s: %w", j.path, err)
		return j.broken
	}
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

// syncDir makes a directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
