package meterfile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// Outcome is what [Run] did with a transaction.
type Outcome string

// The outcomes of a transaction in one run.
const (
	// OutcomeApplied: sent in this run and acknowledged by the API.
	OutcomeApplied Outcome = "applied"
	// OutcomeSkipped: applied by an earlier run; not sent.
	OutcomeSkipped Outcome = "skipped"
	// OutcomeUnknown: sent in this run; it may or may not have been applied.
	OutcomeUnknown Outcome = "unknown"
	// OutcomeRefused: an earlier run sent it without learning the outcome;
	// not sent again because [Options.ResendUnknown] is not set.
	OutcomeRefused Outcome = "refused"
	// OutcomeMarked: an earlier run sent it without learning the outcome;
	// reconciliation showed it applied ([Options.MarkApplied]), and it is
	// now journaled as applied without being sent.
	OutcomeMarked Outcome = "marked-applied"
	// OutcomeFailed: sent in this run and refused by the API, or not sent
	// at all: certainly not applied; a rerun sends it again.
	OutcomeFailed Outcome = "failed"
)

// NeedsReconciliation reports whether a person must look at the
// transaction: unknown, refused and failed.
func (o Outcome) NeedsReconciliation() bool {
	return o == OutcomeUnknown || o == OutcomeRefused || o == OutcomeFailed
}

// ErrUnknownNotResent is the error of a [Result] whose outcome is
// [OutcomeRefused].
var ErrUnknownNotResent = errors.New("an earlier run sent it and its outcome is unknown: " +
	"check the organization's usage, and resend it only if it was not applied")

// ErrCannotMark is matched by the error of [Run] when [Options.MarkApplied]
// names a transaction that is not awaiting reconciliation. Nothing is
// journaled or sent then.
var ErrCannotMark = errors.New("cannot mark applied")

// Result is the outcome of one transaction.
type Result struct {
	Transaction Transaction
	ID          string // Transaction.ID()
	Outcome     Outcome
	Err         error // why, for unknown, refused and failed
}

// Report is what one [Run] did, one result per transaction it reached, in
// order.
type Report struct {
	Results []Result
}

// Reconcile returns the results that are neither applied nor skipped: the
// transactions a person must look at.
func (r Report) Reconcile() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Outcome.NeedsReconciliation() {
			out = append(out, res)
		}
	}
	return out
}

// Options tune [Run].
type Options struct {
	// ResendUnknown sends again the transactions whose earlier request left
	// without a known outcome. Set it only once reconciliation has shown
	// that they were not applied: otherwise they are billed twice.
	ResendUnknown bool
	// MarkApplied lists transactions (by [Transaction.ID]) that an earlier
	// run sent without learning the outcome and that reconciliation showed
	// applied: they are journaled as applied and never sent again. Each must
	// be a transaction of the run in state sent or unknown.
	MarkApplied []string
	// Progress, when set, is called with each result as it is decided.
	Progress func(Result)
}

// Run sends each transaction at most once across runs sharing the journal,
// one after the other, in order: see the package documentation for the
// rules. Before anything is sent or journaled, it looks every transaction
// up: when a batch already sent (applied, sent or unknown) comes back with
// other rows, it returns a [LineErrors] (column batch, matching
// [wrapper.ErrInvalidInput]) and sends nothing.
//
// It returns an error, with the results decided so far, when the journal
// fails (nothing more is sent: the journal could not vouch for it) or ctx
// is done; transactions not reached stay as they were and a rerun takes
// them up. A transaction sent whose outcome the journal could not record is
// among those results, as [OutcomeUnknown]. Transactions the API refused
// or whose outcome is unknown are results, not errors: see
// [Report.Reconcile].
func Run(ctx context.Context, c *wrapper.Client, j Journal, txs []Transaction, opts Options) (Report, error) {
	var rep Report
	ids := make([]string, len(txs))
	states := make([]State, len(txs))
	byKey := map[Key]int{}
	byID := map[string]int{}
	var pending []Entry
	var bad LineErrors
	now := time.Now().UTC()
	for i, t := range txs {
		ids[i] = t.ID()
		k := t.Key()
		if n, dup := byKey[k]; dup {
			return rep, fmt.Errorf("meterfile: transactions %d and %d are the same transaction (%s)", n, i, k)
		}
		byKey[k], byID[ids[i]] = i, i
		prior, found, err := j.Lookup(k)
		if err != nil {
			return rep, fmt.Errorf("meterfile: journal: %w", err)
		}
		state, fresh, le := judge(t, ids[i], prior, found)
		if le != nil {
			if len(bad) < maxProblems {
				bad = append(bad, le)
			}
			continue
		}
		states[i] = state
		if fresh {
			pending = append(pending, entry(t, ids[i], StatePending, now, nil))
		}
	}
	if len(bad) > 0 {
		return rep, bad
	}
	mark := map[string]bool{}
	for _, id := range opts.MarkApplied {
		i, ok := byID[id]
		switch {
		case !ok:
			return rep, fmt.Errorf("meterfile: %w: %s is not a transaction of this file", ErrCannotMark, id)
		case states[i] != StateSent && states[i] != StateUnknown:
			return rep, fmt.Errorf("meterfile: %w: %s (%s:%d) is %s, not awaiting reconciliation",
				ErrCannotMark, id, txs[i].File, txs[i].Line, states[i])
		}
		mark[id] = true
	}
	// Every new transaction is journaled before the first request leaves.
	if len(pending) > 0 {
		if err := j.Record(pending...); err != nil {
			return rep, fmt.Errorf("meterfile: journal: %w", err)
		}
	}
	for i, t := range txs {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("meterfile: stopped before %s:%d: %w", t.File, t.Line, err)
		}
		res := Result{Transaction: t, ID: ids[i]}
		state := states[i]
		switch {
		case state == StateApplied:
			res.Outcome = OutcomeSkipped
		case mark[ids[i]]:
			e := entry(t, ids[i], StateApplied, time.Now().UTC(), nil)
			e.Error = "marked applied after reconciliation"
			if err := j.Record(e); err != nil {
				return rep, fmt.Errorf("meterfile: journal: %w", err)
			}
			res.Outcome = OutcomeMarked
		case (state == StateSent || state == StateUnknown) && !opts.ResendUnknown:
			res.Outcome, res.Err = OutcomeRefused, ErrUnknownNotResent
		default:
			var err error
			if res, err = send(ctx, c, j, t, ids[i]); err != nil {
				if res.Outcome != "" { // sent: a person must reconcile it
					rep.Results = append(rep.Results, res)
					if opts.Progress != nil {
						opts.Progress(res)
					}
				}
				return rep, err
			}
		}
		rep.Results = append(rep.Results, res)
		if opts.Progress != nil {
			opts.Progress(res)
		}
	}
	return rep, nil
}

// send journals a transaction as sent, sends it and journals the outcome.
// Its error is a journal failure; the API's answer is in the result. When
// the outcome could not be journaled, the result is [OutcomeUnknown] (the
// journal says sent, so a rerun treats it as such) and says what the API
// answered; when the transaction was not sent, the result has no outcome.
func send(ctx context.Context, c *wrapper.Client, j Journal, t Transaction, id string) (Result, error) {
	res := Result{Transaction: t, ID: id}
	if err := j.Record(entry(t, id, StateSent, time.Now().UTC(), nil)); err != nil {
		return res, fmt.Errorf("meterfile: journal: %w (%s:%d was not sent)", err, t.File, t.Line)
	}
	err := c.ApplyMetering(ctx, t.Organization, t.Usage)
	state := StateApplied
	res.Outcome = OutcomeApplied
	switch {
	case errors.Is(err, wrapper.ErrOutcomeUnknown):
		state, res.Outcome, res.Err = StateUnknown, OutcomeUnknown, err
	case err != nil:
		state, res.Outcome, res.Err = StateFailed, OutcomeFailed, err
	}
	if jerr := j.Record(entry(t, id, state, time.Now().UTC(), err)); jerr != nil {
		answer := "it was applied"
		if err != nil {
			answer = err.Error()
		}
		res.Outcome, res.Err = OutcomeUnknown, fmt.Errorf("sent, but its outcome could not be journaled (the API answered: %s): %w", answer, jerr)
		return res, fmt.Errorf("meterfile: journal: %w (%s:%d was sent, outcome %s, not recorded: a rerun treats it as unknown)",
			jerr, t.File, t.Line, res.Outcome)
	}
	return res, nil
}

func entry(t Transaction, id string, s State, now time.Time, err error) Entry {
	e := Entry{Transaction: id, State: s, Organization: t.Organization, Batch: t.Batch, Time: now}
	if s == StatePending {
		e.Usage = make([]Usage, len(t.Usage))
		for i, u := range t.Usage {
			e.Usage[i] = Usage{Product: u.Product, Variable: u.Variable, Quantity: u.Quantity}
		}
	}
	if err != nil {
		e.Error = err.Error()
	}
	return e
}
