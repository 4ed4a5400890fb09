package wrapper

import (
	"fmt"
	"time"
)

// Period is a calendar month, written YYYY-MM on the wire. The zero Period
// means "the current month" to [Client.ListUsage].
type Period struct {
	Year  int
	Month time.Month
}

// NewPeriod returns the period of the given year and month. An out-of-range
// month is reported as a *ValidationError when the period is used.
func NewPeriod(year int, month time.Month) Period { return Period{Year: year, Month: month} }

// PeriodOf returns the month t falls in, in t's location.
func PeriodOf(t time.Time) Period { return Period{Year: t.Year(), Month: t.Month()} }

// ParsePeriod parses "YYYY-MM" with a month from 01 to 12. Anything else is
// a *ValidationError for field "period".
func ParsePeriod(s string) (Period, error) {
	if err := validatePeriod("", s); err != nil {
		return Period{}, err
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Period{}, invalid("", "period", "must be YYYY-MM with a month from 01 to 12")
	}
	return PeriodOf(t), nil
}

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p == Period{} }

// String returns p as YYYY-MM, or "" for the zero Period.
func (p Period) String() string {
	if p.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month))
}

// Start returns the first instant of the period, in UTC.
func (p Period) Start() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC) }
