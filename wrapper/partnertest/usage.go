package partnertest

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/contract"
)

// Currency is the currency of every usage statement the fake produces.
const Currency = "CHF"

// VATRate is the VAT the fake adds to usage totals (Swiss standard rate).
const VATRate = 0.081

// UnitPrice returns what the fake charges, in [Currency], per unit of a
// product: a fixed price between 0.001 and 1.000 derived from the product
// name, so that tests can compute expected totals.
//
// The fake's statements follow this model, rounding half away from zero
// (math.Round): a line's quantity is the sum of the quantities metered for
// its product and variable in the month; its total-excl-vat is
// quantity × UnitPrice rounded to cents; its total-incl-vat is
// total-excl-vat × (1 + [VATRate]) rounded to cents. A statement's totals
// are the sums of its lines' totals, rounded to cents.
func UnitPrice(product string) float64 {
	h := fnv.New32a()
	h.Write([]byte(product))
	return float64(h.Sum32()%1000+1) / 1000
}

// statement and line are the usage types users of package wrapper get.
type (
	statement = api.UsageStatement
	line      = api.UsageLine
)

// periodOf is the YYYY-MM month of t in UTC.
func periodOf(t time.Time) string { return t.UTC().Format("2006-01") }

// listUsage answers the statements of one organization for one month
// (default: the current one). The current month, and any month in which
// metering was applied, aggregate the stored metering; earlier months get
// synthetic statements that depend only on (id, period); later months have
// none.
func (a *API) listUsage(c *call) answer {
	id := c.id()
	current := periodOf(c.now)
	period := c.r.URL.Query().Get("period")
	if period == "" {
		period = current
	}
	start, _ := time.Parse("2006-01", period) // validated against the spec's pattern

	a.mu.Lock()
	if _, ans, ok := a.lookupLocked(id); !ok {
		a.mu.Unlock()
		return ans
	}
	var usage []api.UsageRecord
	metered := false
	for _, m := range a.metering[id] {
		if m.period == period {
			usage, metered = append(usage, m.data), true
		}
	}
	a.mu.Unlock()

	statements := []statement{}
	switch {
	case period == current || metered:
		statements = append(statements, newStatement(id, start, aggregate(usage, quantityStep())))
	case period < current:
		statements = append(statements, newStatement(id, start, synthetic(id, period, quantityStep())))
	}
	return jsonAnswer(http.StatusOK, statements)
}

// aggregate sums quantities per product and variable, in that order; step
// is the spec's multipleOf of a quantity.
func aggregate(usage []api.UsageRecord, step contract.Step) []line {
	type key struct{ product, variable string }
	// Summed exactly, in units of 1/step.Scale (hundred-thousandths for a
	// multipleOf of 0.00001): every stored quantity passed the spec's exact
	// multipleOf, so q*Scale is an integer up to the float64's
	// representation error, which math.Round removes (nothing else). A
	// float64 sum would drift (0.1+0.2).
	sums := make(map[key]int64)
	for _, u := range usage {
		k := key{u.Product, u.Variable}
		sums[k] += int64(math.Round(u.Quantity * step.Scale))
	}
	keys := make([]key, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y key) int {
		return cmp.Or(cmp.Compare(x.product, y.product), cmp.Compare(x.variable, y.variable))
	})
	lines := make([]line, 0, len(keys))
	for _, k := range keys {
		lines = append(lines, newLine(k.product, k.variable, float64(sums[k])/step.Scale))
	}
	return lines
}

// quantityStep is the spec's multipleOf of a metering quantity. The
// embedded document is part of the build: failing to read it is a build
// defect, as for contract.MustDoc.
func quantityStep() contract.Step {
	step, err := contract.QuantityStep()
	if err != nil {
		panic(err)
	}
	return step
}

// syntheticProducts are what synthetic statements are made of.
var syntheticProducts = []struct{ product, variable string }{
	{"compute", "instance-hours"},
	{"sos", "storage-gib-hours"},
	{"dbaas", "node-hours"},
	{"sks", "cluster-hours"},
	{"block-storage", "volume-gib-hours"},
	{"bandwidth", "egress-gib"},
}

// synthetic returns 1 to 4 line items derived from (id, period) alone,
// each a quantity below 1000 that could have been metered: a multiple of
// the spec's step.
func synthetic(id uuid.UUID, period string, step contract.Step) []line {
	below := max(1, int(1000*step.Scale/float64(step.Units()))) // multiples of the step below 1000
	sum := sha256.Sum256([]byte(id.String() + "|" + period))
	rng := rand.New(rand.NewPCG(binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])))
	picks := rng.Perm(len(syntheticProducts))[:1+rng.IntN(4)]
	slices.Sort(picks)
	lines := make([]line, 0, len(picks))
	for _, i := range picks {
		p := syntheticProducts[i]
		lines = append(lines, newLine(p.product, p.variable, float64(int64(rng.IntN(below))*step.Units())/step.Scale))
	}
	return lines
}

// newLine prices a quantity; the totals are rounded to cents, as on a bill.
func newLine(product, variable string, quantity float64) line {
	excl := round(quantity*UnitPrice(product), 100)
	incl := round(excl*(1+VATRate), 100)
	desc := product + " " + variable
	unit := "unit"
	return line{Product: product, Variable: variable, Description: desc, Quantity: quantity, Unit: unit, TotalExclVAT: excl, TotalInclVAT: incl}
}

// newStatement wraps line items in the month's statement.
func newStatement(id uuid.UUID, start time.Time, lines []line) statement {
	var excl, incl float64
	for _, l := range lines {
		excl += l.TotalExclVAT
		incl += l.TotalInclVAT
	}
	excl, incl = round(excl, 100), round(incl, 100)
	end := start.AddDate(0, 1, 0)
	code := fmt.Sprintf("USG-%s-%s", start.Format("200601"), id.String()[:8])
	return statement{Code: code, Currency: Currency, StartDate: start, EndDate: end, TotalExclVAT: excl, TotalInclVAT: incl, Usage: lines}
}

// round rounds x to 1/per (per = 100: cents).
func round(x, per float64) float64 { return math.Round(x*per) / per }
