package meterfile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// DefaultConcurrency is the CLI's number of transactions in flight; see
// [Options.Concurrency].
const DefaultConcurrency = 8

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
	// Concurrency is how many transactions are in flight at once, at most
	// (values below 1 mean 1: one after the other, in order). The CLI's
	// default is 8. The rules hold per transaction whatever it is; a 429
	// pauses every request of the client, so a throttled API is not
	// pressed harder.
	Concurrency int
	// Progress, when set, is called with each result as it is decided: in
	// the order of the transactions with a Concurrency of 1, in completion
	// order otherwise. It is never called concurrently.
	Progress func(Result)
}

// Run sends each transaction at most once across runs sharing the journal,
// at most [Options.Concurrency] at a time: see the package documentation
// for the rules, which hold for each transaction whatever the concurrency.
// Before anything is sent or journaled, it looks every transaction up: when
// a batch already sent (applied, sent or unknown) comes back with other
// rows, it returns a [LineErrors] (column batch, matching
// [wrapper.ErrInvalidInput]) and sends nothing. Then every new transaction
// is journaled as pending, in one Record, and each transaction is claimed
// ([Journal]'s Claim) and judged again from what the claim found, so that
// two runs sharing a journal never send the same transaction: one that
// another run holds is taken up after the others, once that run is done
// with it (it is then skipped when that run applied it).
//
// It returns an error, with the results decided so far, when the journal
// fails (nothing more is sent: the journal could not vouch for it; the
// requests in flight finish and their outcomes are recorded) or ctx is
// done (nothing more is sent; the requests in flight end with ctx, and are
// journaled as what their error says: unknown when they may have been
// applied); transactions not reached stay as they were and a rerun takes
// them up. A transaction sent whose outcome the journal could not record is
// among those results, as [OutcomeUnknown]. Transactions the API refused
// or whose outcome is unknown are results, not errors: see
// [Report.Reconcile]. The results are in the order of txs.
func Run(ctx context.Context, c *wrapper.Client, j Journal, txs []Transaction, opts Options) (Report, error) {
	ids, err := identify(txs)
	if err != nil {
		return Report{}, err
	}
	states, err := prepareRetrying(j, txs, ids, opts)
	if err != nil {
		return Report{}, err
	}
	r := newRunner(c, j, txs, ids, states, opts)
	r.run(ctx)
	return r.collect(ctx)
}

// ErrCannotMark is matched by the error of [Run] when [Options.MarkApplied]
// names a transaction that is not awaiting reconciliation. Nothing is
// journaled or sent then.
var ErrCannotMark = errors.New("cannot mark applied")

// identify returns the [Transaction.ID] of each transaction, or an error
// when two of them are the same transaction (one [Key]).
func identify(txs []Transaction) ([]string, error) {
	ids := make([]string, len(txs))
	byKey := map[Key]int{}
	for i, t := range txs {
		ids[i] = t.ID()
		k := keyOf(t.Organization, t.Batch, ids[i])
		if n, dup := byKey[k]; dup {
			return nil, fmt.Errorf("meterfile: transactions %d and %d are the same transaction (%s)", n, i, k)
		}
		byKey[k] = i
	}
	return ids, nil
}

// prepareRetrying is prepare, tried again when another run sharing the
// journal recorded some of the same transactions between the lookups and
// the pending records: the journal then refuses the records
// (ErrTransition), and they are looked up again, three times at most.
func prepareRetrying(j Journal, txs []Transaction, ids []string, opts Options) ([]State, error) {
	for attempt := 1; ; attempt++ {
		states, err := prepare(j, txs, ids, opts)
		if !errors.Is(err, ErrTransition) || attempt == 3 {
			return states, err
		}
	}
}

// prepare looks every transaction up and judges it, checks the marks,
// and journals the new transactions as pending, in one Record. It returns
// each transaction's state as the lookups found it.
func prepare(j Journal, txs []Transaction, ids []string, opts Options) ([]State, error) {
	priors, found, err := lookupAll(j, txs, ids)
	if err != nil {
		return nil, fmt.Errorf("meterfile: journal: %w", err)
	}
	states, pending, err := judgeAll(txs, ids, priors, found)
	if err != nil {
		return nil, err
	}
	if err := checkMarks(txs, ids, states, opts.MarkApplied); err != nil {
		return nil, err
	}
	// Every new transaction is journaled before the first request leaves.
	if len(pending) > 0 {
		if err := j.Record(pending...); err != nil {
			return nil, fmt.Errorf("meterfile: journal: %w", err)
		}
	}
	return states, nil
}

// lookupAll looks every transaction up, at once when the journal can.
func lookupAll(j Journal, txs []Transaction, ids []string) ([]Entry, []bool, error) {
	keys := make([]Key, len(txs))
	for i, t := range txs {
		keys[i] = keyOf(t.Organization, t.Batch, ids[i])
	}
	if bl, ok := j.(BatchLookup); ok {
		return bl.LookupBatch(keys)
	}
	entries, found := make([]Entry, len(keys)), make([]bool, len(keys))
	for i, k := range keys {
		var err error
		if entries[i], found[i], err = j.Lookup(k); err != nil {
			return nil, nil, err
		}
	}
	return entries, found, nil
}

// judgeAll judges each transaction from its lookup (priors[i], when
// found[i]): its state, and the pending entries of those to journal first.
// A batch already sent that comes back with other rows is a bad line: they
// are returned as a [LineErrors], the first maxProblems of them.
func judgeAll(txs []Transaction, ids []string, priors []Entry, found []bool) ([]State, []Entry, error) {
	states := make([]State, len(txs))
	var pending []Entry
	var bad LineErrors
	now := time.Now().UTC()
	for i, t := range txs {
		state, fresh, le := judge(t, ids[i], priors[i], found[i])
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
		return nil, nil, bad
	}
	return states, pending, nil
}

// checkMarks checks that each transaction marks names ([Options.MarkApplied])
// is one of txs awaiting reconciliation (sent or unknown); its error
// matches [ErrCannotMark].
func checkMarks(txs []Transaction, ids []string, states []State, marks []string) error {
	if len(marks) == 0 {
		return nil
	}
	byID := make(map[string]int, len(ids))
	for i, id := range ids {
		byID[id] = i
	}
	for _, id := range marks {
		i, ok := byID[id]
		switch {
		case !ok:
			return fmt.Errorf("meterfile: %w: %s is not a transaction of this file", ErrCannotMark, id)
		case !states[i].awaitsReconciliation():
			return fmt.Errorf("meterfile: %w: %s (%s:%d) is %s, not awaiting reconciliation",
				ErrCannotMark, id, txs[i].File, txs[i].Line, states[i])
		}
	}
	return nil
}

// entry is the journal entry of transaction t (ID id) in state s; a pending
// entry carries t's rows, so that the journal alone tells what t was.
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
