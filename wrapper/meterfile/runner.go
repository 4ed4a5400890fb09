package meterfile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// How a run keeps each transaction sent at most once, whatever the
// concurrency, and where:
//
//   - Every new transaction is durable as pending before the first request
//     leaves (prepare).
//   - A transaction is claimed before it is decided, and decided again from
//     what the claim found, so that two runs sharing a journal never both
//     send it (do, underClaim).
//   - It is durable as sent before its request leaves (send).
//   - Its outcome is recorded as it arrives, and nothing is reported applied
//     before that record is durable: an outcome that could not be recorded
//     is reported unknown, as the journal, which says sent, has it (send).
//   - After a journal failure nothing more is sent (halted, sendIfRunning);
//     the requests in flight finish and their outcomes are recorded.

// runner carries the transactions out once prepare journaled them.
type runner struct {
	c      *wrapper.Client
	j      Journal
	txs    []Transaction
	ids    []string
	states []State // as prepare found them
	opts   Options
	mark   map[string]bool

	mu      sync.Mutex // guards what follows, and serialises Progress
	results []*Result  // by transaction; nil: not reached
	err     error      // the first journal failure: nothing more is sent
}

func newRunner(c *wrapper.Client, j Journal, txs []Transaction, ids []string, states []State, opts Options) *runner {
	r := &runner{c: c, j: j, txs: txs, ids: ids, states: states, opts: opts,
		results: make([]*Result, len(txs)), mark: map[string]bool{}}
	for _, id := range opts.MarkApplied {
		r.mark[id] = true
	}
	return r
}

// run hands the transactions to the workers in order, then those another
// run held when their turn came, waiting for each claim this time.
func (r *runner) run(ctx context.Context) {
	all := make([]int, len(r.txs))
	for i := range all {
		all[i] = i
	}
	if held := r.pass(ctx, all, false); len(held) > 0 {
		r.pass(ctx, held, true)
	}
}

// collect returns the results decided, in the order of the transactions,
// and the run's error: its first journal failure, else ctx's cause when a
// transaction was not reached.
func (r *runner) collect(ctx context.Context) (Report, error) {
	var rep Report
	for _, res := range r.results {
		if res != nil {
			rep.Results = append(rep.Results, *res)
		}
	}
	if r.err != nil {
		return rep, r.err
	}
	for i, res := range r.results {
		if res == nil { // not reached: ctx ended
			return rep, fmt.Errorf("meterfile: stopped before %s:%d: %w", r.txs[i].File, r.txs[i].Line, context.Cause(ctx))
		}
	}
	return rep, nil
}

// pass carries items out with at most Options.Concurrency workers, and
// returns those another run held (never with wait), in order.
func (r *runner) pass(ctx context.Context, items []int, wait bool) []int {
	work := make(chan int)
	var held heldItems
	var wg sync.WaitGroup
	for range max(1, min(r.opts.Concurrency, len(items))) {
		wg.Go(func() { r.work(ctx, work, wait, &held) })
	}
	for _, i := range items {
		if r.halted(ctx) {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	return held.sorted()
}

// work is one worker: it carries out the items of work until work is
// closed, and adds those another run held to held.
func (r *runner) work(ctx context.Context, work <-chan int, wait bool, held *heldItems) {
	for i := range work {
		if r.do(ctx, i, wait) {
			held.add(i)
		}
	}
}

// heldItems are the transactions another run held, left for later.
type heldItems struct {
	mu    sync.Mutex
	items []int
}

func (h *heldItems) add(i int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.items = append(h.items, i)
}

func (h *heldItems) sorted() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	slices.Sort(h.items)
	return h.items
}

// halted reports whether nothing more may be sent: ctx is done, or the
// journal failed.
func (r *runner) halted(ctx context.Context) bool { return ctx.Err() != nil || r.stopped() }

func (r *runner) stopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err != nil
}

// fail records the first journal failure.
func (r *runner) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

// decide records the result of transaction i and passes it to Progress.
func (r *runner) decide(i int, res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[i] = &res
	if r.opts.Progress != nil {
		r.opts.Progress(res)
	}
}

// result is transaction i's result with outcome o, and why (err).
func (r *runner) result(i int, o Outcome, err error) Result {
	return Result{Transaction: r.txs[i], ID: r.ids[i], Outcome: o, Err: err}
}

// do carries transaction i out under its claim. It reports true when
// another run holds the claim (and wait is false): i is left for later.
func (r *runner) do(ctx context.Context, i int, wait bool) (held bool) {
	if r.halted(ctx) {
		return false
	}
	if r.states[i] == StateApplied { // final: nothing to claim
		r.decide(i, r.result(i, OutcomeSkipped, nil))
		return false
	}
	k := keyOf(r.txs[i].Organization, r.txs[i].Batch, r.ids[i])
	prior, found, err := r.j.Claim(ctx, k, wait)
	switch {
	case errors.Is(err, ErrClaimed) && !wait:
		return true
	case err != nil && ctx.Err() != nil:
		return false // not reached
	case err != nil:
		r.fail(notSent(err, r.txs[i]))
		return false
	}
	defer r.j.Release(k) // once the outcome is recorded
	if res, ok := r.underClaim(ctx, i, prior, found); ok {
		r.decide(i, res)
	}
	return false
}

// underClaim decides transaction i again from its entry as the claim found
// it (prior, when found), and carries the decision out. It returns i's
// result, or false when there is none: a journal failure, or one since
// that kept i from being sent; i is then not reached.
func (r *runner) underClaim(ctx context.Context, i int, prior Entry, found bool) (Result, bool) {
	t, id := r.txs[i], r.ids[i]
	// Judged again under the claim: another run may have moved it since
	// prepare looked it up.
	state, fresh, le := judge(t, id, prior, found)
	if le != nil { // not sent: its batch was sent meanwhile with other rows
		return r.result(i, OutcomeFailed, le), true
	}
	if fresh { // another run's rows, never applied, replaced ours meanwhile
		if err := r.j.Record(entry(t, id, StatePending, time.Now().UTC(), nil)); err != nil {
			r.fail(notSent(err, t))
			return Result{}, false
		}
	}
	switch {
	case state == StateApplied:
		return r.result(i, OutcomeSkipped, nil), true
	case state.awaitsReconciliation() && r.mark[id]:
		return r.markApplied(i)
	case state.awaitsReconciliation() && !r.opts.ResendUnknown:
		return r.result(i, OutcomeRefused, ErrUnknownNotResent), true
	}
	return r.sendIfRunning(ctx, i)
}

// markApplied journals transaction i as applied, as reconciliation showed
// it, without sending it.
func (r *runner) markApplied(i int) (Result, bool) {
	e := entry(r.txs[i], r.ids[i], StateApplied, time.Now().UTC(), nil)
	e.Error = "marked applied after reconciliation"
	if err := recordLast(r.j, e); err != nil {
		r.fail(fmt.Errorf("meterfile: journal: %w", err))
		return Result{}, false
	}
	return r.result(i, OutcomeMarked, nil), true
}

// sendIfRunning sends transaction i unless the journal failed since.
func (r *runner) sendIfRunning(ctx context.Context, i int) (Result, bool) {
	if r.stopped() { // a journal failure since: send nothing more
		return Result{}, false
	}
	res, err := send(ctx, r.c, r.j, r.txs[i], r.ids[i])
	if err != nil {
		r.fail(err)
		if res.Outcome == "" { // not sent
			return Result{}, false
		}
		// sent: a person must reconcile it
	}
	return res, true
}

// send journals a transaction as sent, sends it and journals the outcome.
// Its error is a journal failure; the API's answer is in the result. When
// the outcome could not be journaled, the result is [OutcomeUnknown] (the
// journal says sent, so a rerun treats it as such) and says what the API
// answered; when the transaction was not sent, the result has no outcome.
func send(ctx context.Context, c *wrapper.Client, j Journal, t Transaction, id string) (Result, error) {
	res := Result{Transaction: t, ID: id}
	// Durable as sent before the request leaves: from here on, a crash
	// leaves it sent, an unknown outcome, never "not sent".
	if err := j.Record(entry(t, id, StateSent, time.Now().UTC(), nil)); err != nil {
		return res, notSent(err, t)
	}
	err := c.ApplyMetering(ctx, t.Organization, t.Usage)
	state, outcome := outcomeOf(err)
	res.Outcome, res.Err = outcome, err
	// The outcome recorded as it arrives, and reported only once durable.
	if jerr := recordLast(j, entry(t, id, state, time.Now().UTC(), err)); jerr != nil {
		return notRecorded(res, jerr)
	}
	return res, nil
}

// recordLast records e, the last entry of its key's claim: with the claim's
// release when the journal does both at once ([RecordReleaser]; do releases
// the claim all the same, which is then nothing to do).
func recordLast(j Journal, e Entry) error {
	if rr, ok := j.(RecordReleaser); ok {
		return rr.RecordRelease(e)
	}
	return j.Record(e)
}

// outcomeOf is what the API's answer to a request sent makes of its
// transaction: applied, unknown (it may have been applied) or failed
// (certainly not applied).
func outcomeOf(err error) (State, Outcome) {
	switch {
	case err == nil:
		return StateApplied, OutcomeApplied
	case errors.Is(err, wrapper.ErrOutcomeUnknown):
		return StateUnknown, OutcomeUnknown
	}
	return StateFailed, OutcomeFailed
}

// notRecorded turns res, sent and answered, into the result of an outcome
// the journal could not record (jerr): unknown, saying what the API
// answered, with the journal failure for the run.
func notRecorded(res Result, jerr error) (Result, error) {
	answer := "it was applied"
	if res.Err != nil {
		answer = res.Err.Error()
	}
	res.Outcome, res.Err = OutcomeUnknown, fmt.Errorf("sent, but its outcome could not be journaled (the API answered: %s): %w", answer, jerr)
	t := res.Transaction
	return res, fmt.Errorf("meterfile: journal: %w (%s:%d was sent, outcome %s, not recorded: a rerun treats it as unknown)",
		jerr, t.File, t.Line, res.Outcome)
}

// notSent is the run's error for a journal failure that kept t from being
// sent.
func notSent(err error, t Transaction) error {
	return fmt.Errorf("meterfile: journal: %w (%s:%d was not sent)", err, t.File, t.Line)
}
