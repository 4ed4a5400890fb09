package pgjournal_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/meterfile/pgjournal"
)

// TestPendingEntriesOfTwoRunsNeverDeadlock: two runs journaling the same
// new transactions at once, in opposite orders (two files sharing
// organizations and batches), never deadlock: one waits for the other,
// and the second finds the rows the first made (ErrTransition, which Run
// takes as "look again").
func TestPendingEntriesOfTwoRunsNeverDeadlock(t *testing.T) {
	f := newFixture(t, 1)
	a, b := f.open(t), f.open(t)
	const n = 2000
	for round := range 3 {
		entries := make([]meterfile.Entry, n)
		for i := range entries {
			entries[i] = meterfile.Entry{Transaction: strings.Repeat("a", 64), State: meterfile.StatePending,
				Organization: wrapper.MustParseID(fmt.Sprintf("6f1c2b1e-0a59-4a8e-9d0e-%012d", i)),
				Batch:        fmt.Sprintf("INV-%d", round), Time: time.Now().UTC(),
				Usage: []meterfile.Usage{{Product: "p", Variable: "v", Quantity: 1}}}
		}
		reversed := slices.Clone(entries)
		slices.Reverse(reversed)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, run := range []struct {
			j       *pgjournal.Journal
			entries []meterfile.Entry
		}{{a, entries}, {b, reversed}} {
			wg.Go(func() { errs[i] = run.j.Record(run.entries...) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil && !errors.Is(err, meterfile.ErrTransition) {
				t.Errorf("round %d, run %d: %v", round, i, err)
			}
		}
		if errs[0] != nil && errs[1] != nil {
			t.Errorf("round %d: neither run journaled its entries: %v; %v", round, errs[0], errs[1])
		}
	}
}
