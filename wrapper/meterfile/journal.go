package meterfile

import (
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
// [OpenFile] provides one backed by a file; another store (a database
// table, say) only has to keep the same promises. The rules are not the
// journal's to implement: [Run] decides from the entry Lookup returns what
// a transaction is (sent, skipped, or a bad line when a batch already sent
// comes back with other rows), and [CheckTransition] is which entry may
// follow which, for a journal to check what it records and what it reads
// back.
type Journal interface {
	// Lookup returns the last entry recorded for a key, and false when
	// there is none.
	Lookup(k Key) (Entry, bool, error)
	// Record appends entries in order. It returns only once they are
	// durable: a crash after it returns must not lose them. It refuses,
	// recording none of them, entries that [CheckTransition] refuses after
	// the last entry of their key (or after an earlier one of entries).
	// When it fails otherwise, none or some of them may be durable, and the
	// journal must refuse every later Record.
	Record(entries ...Entry) error
}
