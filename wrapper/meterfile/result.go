package meterfile

import "errors"

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
