package report

import (
	"encoding/csv"
	"io"
	"slices"
	"time"

	"github.com/exopartner/exopartner/internal/safetext"
)

// columns are the report's columns, in order: the CSV header, and the keys
// of the command line's JSON rows.
var columns = []string{"organization", "client-id", "name", "country", "status", "code", "currency", "start-date",
	"end-date", "product", "variable", "description", "quantity", "unit", "total-excl-vat", "total-incl-vat"}

// Columns returns the report's columns in order: organization, client-id,
// name, country, status, code, currency, start-date, end-date, product,
// variable, description, quantity, unit, total-excl-vat, total-incl-vat.
// [Row.Cells] gives a row's cells in this order.
func Columns() []string { return slices.Clone(columns) }

// Cell is one cell of a row as written for people: its text, and whether it
// is a number.
type Cell struct {
	// Text is the value: a number printed exactly (quantity as its
	// shortest decimal, amounts by [Money]), a date in RFC 3339 ("" when
	// the API sent none), or the text as the API sent it.
	Text string

	// Number marks the numeric columns (quantity, total-excl-vat,
	// total-incl-vat). Writers leave them as they are; every other cell is
	// text, which a spreadsheet writer neutralises ([WriteCSV]).
	Number bool
}

// Cells returns the row's cells in [Columns] order, as the API sent them.
// They are not yet safe to open: [WriteCSV] neutralises the text cells for
// a spreadsheet; the command line escapes them for a terminal.
func (r Row) Cells() []Cell {
	text := func(s string) Cell { return Cell{Text: s} }
	return []Cell{
		text(r.Organization.String()), text(r.ClientID), text(r.Name), text(r.Country), text(string(r.Status)),
		text(r.Code), text(r.Currency), text(date(r.StartDate)), text(date(r.EndDate)),
		text(r.Product), text(r.Variable), text(r.Description),
		{Text: r.Quantity.String(), Number: true}, text(r.Unit),
		{Text: Money(r.TotalExclVAT), Number: true}, {Text: Money(r.TotalInclVAT), Number: true},
	}
}

// date is t in RFC 3339, "" for the zero time.
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// SpreadsheetText returns the text of c as a spreadsheet must get it: a
// number as it is, text neutralised against formula injection (OWASP): a
// text cell that begins with =, +, -, @, TAB or CR is prefixed with a single
// quote ('), so that "=HYPERLINK(…)" or "@SUM(…)" from the API reaches
// Excel as text, never as a formula. Every spreadsheet writer of the
// report uses it.
func (c Cell) SpreadsheetText() string {
	if c.Number {
		return c.Text
	}
	return safetext.Cell(c.Text)
}

// WriteCSV writes the report's rows as CSV (RFC 4180, comma, LF line ends):
// a header of [Columns], then one line per row, each cell as
// [Cell.SpreadsheetText] gives it. The numeric columns (quantity,
// total-excl-vat, total-incl-vat) are written as they are, so a negative
// amount stays a number; every text cell that begins with =, +, -, @, TAB or
// CR gets a leading '. Totals, discrepancies and failures are not in the
// CSV: the caller reports them.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return err
	}
	record := make([]string, len(columns))
	for _, row := range r.Rows {
		for i, c := range row.Cells() {
			record[i] = c.SpreadsheetText()
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
