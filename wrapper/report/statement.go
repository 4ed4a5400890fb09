package report

import (
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// statementParts is the one place that reads a statement's dates and
// lines, so that a rename of those fields touches only this function.
func statementParts(s wrapper.UsageStatement) (start, end time.Time, lines []wrapper.UsageLine) {
	return s.StartDate, s.EndDate, s.Usage
}
