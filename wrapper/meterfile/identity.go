package meterfile

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/exopartner/exopartner/wrapper"
)

// This file is the rule of transaction identity, in one place, for every
// [Journal]: what a transaction is ([Key]), what the journal's entry for it
// means for a run (judge), and which entry may follow which
// ([CheckTransition]).

// Key is the identity of a transaction: what a [Journal] looks entries up
// by.
//
// With a batch, a transaction is its organization and batch, whatever its
// rows: the content ([Transaction.ID]) is kept in the journal only to tell
// that a rerun brings other rows for a batch already sent. Without a batch
// (a file with no batch column), a transaction is its content: the same rows
// for the same organization are the same transaction.
//
// A Key is comparable: a journal can use it as a map key, or as the unique
// key of a table (organization, batch, content), content being "" whenever
// batch is not.
type Key struct {
	Organization wrapper.ID
	Batch        string // "" when the transaction has no batch
	Content      string // [Transaction.ID] when Batch is "", else ""
}

// Key is the transaction's identity in a journal. Its [Transaction.ID]
// is computed only when the key holds it (no batch); where the ID is at
// hand, keyOf(t.Organization, t.Batch, id) is the same key.
func (t Transaction) Key() Key {
	if t.Batch != "" {
		return keyOf(t.Organization, t.Batch, "")
	}
	return keyOf(t.Organization, "", t.ID())
}

// Key is the identity of the transaction the entry is about.
func (e Entry) Key() Key { return keyOf(e.Organization, e.Batch, e.Transaction) }

func keyOf(org wrapper.ID, batch, content string) Key {
	if batch != "" {
		return Key{Organization: org, Batch: batch}
	}
	return Key{Organization: org, Content: content}
}

// String names the transaction for people: "batch INV-7 of ORG", or
// "transaction ID of ORG".
func (k Key) String() string {
	if k.Batch != "" {
		return "batch " + quoteIfNeeded(k.Batch) + " of " + k.Organization.String()
	}
	return "transaction " + k.Content + " of " + k.Organization.String()
}

// quoteIfNeeded is s, quoted only when it holds what a terminal or a reader
// could take for something else.
func quoteIfNeeded(s string) string {
	if q := strconv.Quote(s); q != `"`+s+`"` {
		return q
	}
	return s
}

// sent reports whether a transaction in state s may have been applied: its
// request left (sent, unknown) or was acknowledged (applied).
func (s State) sent() bool { return s == StateSent || s == StateUnknown || s == StateApplied }

// awaitsReconciliation reports whether a transaction in state s was sent
// without a known outcome (sent, unknown): it is sent again only with
// [Options.ResendUnknown], or marked applied ([Options.MarkApplied]).
func (s State) awaitsReconciliation() bool { return s == StateSent || s == StateUnknown }

// judge is what the journal's last entry for t's key (prior, when found)
// makes of t, whose content is id: the state t is in for this run, and
// whether t must first be journaled as pending (with its rows).
//
//   - No entry: t is new; it is journaled as pending.
//   - An entry of the same content: t is in that entry's state.
//   - An entry of other rows that certainly were not applied (pending or
//     failed): t's rows replace them; t is journaled as pending.
//   - An entry of other rows that may have been applied (sent, unknown or
//     applied): t is a bad line of its file, column batch. Only a batch can
//     meet other rows under its key: without a batch, the key is the
//     content.
func judge(t Transaction, id string, prior Entry, found bool) (State, bool, *LineError) {
	switch {
	case !found:
		return StatePending, true, nil
	case prior.Transaction == id:
		return prior.State, false, nil
	case !prior.State.sent():
		return StatePending, true, nil
	}
	return "", false, &LineError{File: t.File, Line: t.Line, Column: ColumnBatch, Reason: fmt.Sprintf(
		"%s of %s was already sent with other rows (%s); put new rows in a new batch",
		quoteIfNeeded(t.Batch), t.Organization, when(prior))}
}

// when says how far an entry went, and when: "applied 2026-12-01T10:00Z".
func when(e Entry) string {
	at := e.Time.UTC().Format("2006-01-02T15:04Z")
	switch e.State {
	case StateSent:
		return "sent " + at + ", no outcome recorded"
	case StateUnknown:
		return "outcome unknown " + at
	}
	return string(e.State) + " " + at
}

// ErrTransition is matched by the error of [CheckTransition], and of a
// [Journal]'s Record asked to record an entry that cannot follow the last
// one of its transaction.
var ErrTransition = errors.New("not a possible transition")

// next lists the states that may follow each state for the same content.
var next = map[State][]State{
	StatePending: {StateSent},
	StateSent:    {StateSent, StateApplied, StateUnknown, StateFailed}, // sent again with Options.ResendUnknown
	StateUnknown: {StateSent, StateApplied},                            // resent, or marked applied
	StateFailed:  {StateSent},
	StateApplied: nil, // never sent again
}

// Follows is the entry that an entry of a Record follows: the last entry
// of its key, when Found.
type Follows struct {
	Entry Entry
	Found bool
}

// CheckEntries checks the entries of one [Journal] Record, in order, with
// [CheckTransition]: each must follow the entry before it of its key in
// entries, or else last(k), the journal's last entry of its key k (false:
// none). It returns what each entry follows, and the last entry of each
// key once they are recorded. Its error matches [ErrTransition]; the
// journal then records none of them.
func CheckEntries(entries []Entry, last func(k Key) (Entry, bool)) ([]Follows, map[Key]Entry, error) {
	follows := make([]Follows, len(entries))
	staged := make(map[Key]Entry, len(entries))
	for i, e := range entries {
		k := e.Key()
		prev, found := staged[k]
		if !found {
			prev, found = last(k)
		}
		if err := CheckTransition(prev, found, e); err != nil {
			return nil, nil, err
		}
		follows[i] = Follows{Entry: prev, Found: found}
		staged[k] = e
	}
	return follows, staged, nil
}

// CheckTransition reports whether entry e may follow prev, the last entry
// of the same [Key] (found false: there is none), as [Run] writes them:
//
//	(none) → pending → sent → applied | unknown | failed
//	sent → sent, unknown → sent    resent ([Options.ResendUnknown])
//	sent | unknown → applied       marked applied ([Options.MarkApplied])
//	failed → sent                  a rerun sends it again
//	pending | failed → pending     a batch's new rows, replacing rows never applied
//
// Nothing follows applied, and nothing goes back to pending once sent. Its
// error matches [ErrTransition]. A journal checks each entry with it before
// recording it, and a journal read back from storage checks each entry read.
func CheckTransition(prev Entry, found bool, e Entry) error {
	if !e.State.valid() {
		return fmt.Errorf("%w: %s: unknown state %q", ErrTransition, e.Key(), e.State)
	}
	switch {
	case !found:
		if e.State == StatePending {
			return nil
		}
		return fmt.Errorf("%w: %s: its first entry is %s, not pending", ErrTransition, e.Key(), e.State)
	case prev.Key() != e.Key():
		return fmt.Errorf("%w: entries of %s and %s", ErrTransition, prev.Key(), e.Key())
	case prev.Transaction != e.Transaction:
		if e.State == StatePending && !prev.State.sent() {
			return nil
		}
		if e.State == StatePending {
			return fmt.Errorf("%w: %s: other rows after it was %s", ErrTransition, e.Key(), prev.State)
		}
		return fmt.Errorf("%w: %s: %s for rows never journaled as pending", ErrTransition, e.Key(), e.State)
	}
	for _, s := range next[prev.State] {
		if s == e.State {
			return nil
		}
	}
	return fmt.Errorf("%w: %s: %s after %s", ErrTransition, e.Key(), e.State, prev.State)
}
