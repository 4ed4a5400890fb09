package report

import (
	"errors"
	"math"

	"github.com/shopspring/decimal"
)

// Amount converts an amount as the client decoded it (float64) back to the
// decimal the API sent.
//
// It takes the shortest decimal that parses back to the same float64
// (decimal.NewFromFloat, like strconv.FormatFloat with precision -1). Any
// decimal of up to 15 significant digits survives the trip through float64
// and comes back as itself: "0.1" is recovered as 0.1, not as the binary
// value 0.1000000000000000055511151231257827. Money and metered quantities
// (a few decimal places, far fewer than 15 significant digits) are
// therefore recovered exactly, and their decimal sums carry no float drift.
// Only an amount sent with 16 or more significant digits may come back as a
// neighbouring decimal: float64 cannot hold it, whoever decodes it.
//
// Non-finite values cannot come from JSON; they are refused rather than
// turned into a wrong number.
func Amount(f float64) (decimal.Decimal, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return decimal.Decimal{}, errNotFinite
	}
	return decimal.NewFromFloat(f), nil
}

var errNotFinite = errors.New("not a finite number")

// Money formats a money amount exactly, with at least two decimal places
// ("1000.00", "0.10", "0.125"): never rounded.
func Money(d decimal.Decimal) string {
	return d.StringFixed(max(2, -d.Exponent()))
}
