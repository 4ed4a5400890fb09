package meterfile

import (
	"context"
	"errors"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// State is where a transaction stands in the journal.
type State string

// The states of a transaction. A transaction moves pending → sent →
// applied, unknown or failed; from unknown (or from a sent left behind by a
// crash) only with [Options.ResendUnknown]; from failed by a plain rerun.
const (
	// StatePending: journaled, its request not sent yet.
	StatePending State = "pending"
	// StateSent: its request is about to leave or has left; no outcome was
	// recorded. Found on reopening, it means a crash mid-request: the
	// outcome is unknown.
	StateSent State = "sent"
	// StateApplied: the API acknowledged it. It is never sent again.
	StateApplied State = "applied"
	// StateUnknown: its request may have been applied (a 5xx answer, a
	// connection lost after sending). It is not sent again unless
	// reconciliation shows it was not applied.
	StateUnknown State = "unknown"
	// StateFailed: the API refused it or it could not be sent: it was
	// certainly not applied and a rerun sends it again.
	StateFailed State = "failed"
)

// States lists every state, in the order a transaction meets them.
func States() []State {
	return []State{StatePending, StateSent, StateApplied, StateUnknown, StateFailed}
}

func (s State) valid() bool {
	switch s {
	case StatePending, StateSent, StateApplied, StateUnknown, StateFailed:
		return true
	}
	return false
}

// Entry is one record of the journal: a transaction's state at a time.
// The last entry of a transaction's [Key] is its state.
type Entry struct {
	// Transaction is the content of the transaction: its [Transaction.ID].
	// With a batch it tells whether a rerun brings the rows already sent;
	// without one it is the transaction's identity.
	Transaction  string     `json:"transaction"`
	State        State      `json:"state"`
	Organization wrapper.ID `json:"organization"`
	Batch        string     `json:"batch,omitempty"`
	Time         time.Time  `json:"time"`
	// Usage is the transaction's content, kept with its pending entry so
	// that the journal alone tells what an unknown transaction was.
	Usage []Usage `json:"usage,omitempty"`
	// Error is why the request failed or why its outcome is unknown.
	Error string `json:"error,omitempty"`
}

// Usage is one usage row as the journal keeps it.
type Usage struct {
	Product  string  `json:"product"`
	Variable string  `json:"variable"`
	Quantity float64 `json:"quantity"`
}

// Journal records the state of metering transactions durably, by [Key].
// [OpenFile] provides one backed by a file, and package pgjournal one in
// PostgreSQL, shared by runs on several machines; another store only has to
// keep the same promises. The rules are not the journal's to implement:
// [Run] decides from the entry Lookup or Claim returns what a transaction
// is (sent, skipped, or a bad line when a batch already sent comes back
// with other rows), and [CheckTransition] is which entry may follow which,
// for a journal to check what it records and what it reads back.
//
// A Journal is used by several goroutines at once (one per transaction in
// flight, [Options.Concurrency]).
type Journal interface {
	// Lookup returns the last entry recorded for a key, and false when
	// there is none.
	Lookup(k Key) (Entry, bool, error)
	// Record appends entries in order. It returns only once they are
	// durable: a crash after it returns must not lose them. It refuses,
	// recording none of them, entries that [CheckTransition] refuses after
	// the last entry of their key (or after an earlier one of entries:
	// [CheckEntries]); its error then matches [ErrTransition]. When it fails otherwise, none or
	// some of them may be durable; a journal that cannot then tell what it
	// holds (a file whose tail is unknown) must refuse every later Record.
	Record(entries ...Entry) error
	// Claim reserves k for this run until Release, so that no other run
	// sharing the journal sends it meanwhile, and returns k's last entry as
	// the claim found it: what Run judges the transaction by. When another
	// run holds k, Claim returns an error matching [ErrClaimed] at once, or
	// with wait set, waits until that run releases k (or dies: its claim
	// ends with it) or ctx ends. A claim must not outlive its run: a run
	// that died leaves its transactions in the state it last recorded
	// (sent, for one in flight: its outcome is unknown). A journal only one
	// process can open (a [FileJournal]) has no other run to exclude.
	Claim(ctx context.Context, k Key, wait bool) (Entry, bool, error)
	// Release ends the claim on k. Run releases a claim once the
	// transaction's outcome is recorded, or once it decided to leave it.
	// Releasing a key that is not claimed does nothing.
	Release(k Key)
}

// RecordReleaser is implemented by a [Journal] that records an entry and
// ends the claim on its key cheaper together than apart (a database: in
// one round trip). [Run] uses it, when there, to record a transaction's
// outcome, the last entry of its claim. A wrapper of a Journal that
// overrides Record must override RecordRelease too, or hide it.
type RecordReleaser interface {
	// RecordRelease is Record(e) then Release(e.Key()): it returns once e
	// is durable (the claim ends only then), or with Record's error (the
	// claim ends all the same). Another run claiming the key next finds e.
	RecordRelease(e Entry) error
}

// BatchLookup is implemented by a [Journal] that looks many keys up at
// once cheaper than one by one (a database, in one query). [Run] uses it,
// when there, to look every transaction of the file up before anything
// is sent.
type BatchLookup interface {
	// LookupBatch is Lookup of each key: entries[i] and found[i] are
	// Lookup(keys[i]).
	LookupBatch(keys []Key) (entries []Entry, found []bool, err error)
}

// ErrClaimed is matched by the error of a [Journal]'s Claim when another
// run holds the transaction.
var ErrClaimed = errors.New("transaction claimed by another run")
