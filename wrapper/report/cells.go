package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/exopartner/exopartner/internal/csvdialect"
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

// Cell is one cell of a row as written for people: its text, and what
// kind of value it is.
type Cell struct {
	// Text is the value: a number printed exactly (quantity as its
	// shortest decimal, amounts by [Money]), a date in RFC 3339 ("" when
	// the API sent none), or the text as the API sent it.
	Text string

	// Number marks the numeric columns (quantity, total-excl-vat,
	// total-incl-vat). Writers leave them as they are; every other cell is
	// text, which a CSV writer neutralises ([WriteCSV]).
	Number bool

	// Money marks the amounts (total-excl-vat, total-incl-vat), which are
	// also Number.
	Money bool

	// Date marks the dates (start-date, end-date): Text is RFC 3339, or
	// "" when the API sent none. [WriteXLSX] writes them as dates.
	Date bool
}

// Cells returns the row's cells in [Columns] order, as the API sent them.
// They are not yet safe to open: [WriteCSV] neutralises the text cells for
// a spreadsheet; the command line escapes them for a terminal.
func (r Row) Cells() []Cell {
	text := func(s string) Cell { return Cell{Text: s} }
	money := func(d decimal.Decimal) Cell { return Cell{Text: Money(d), Number: true, Money: true} }
	return []Cell{
		text(r.Organization.String()), text(r.ClientID), text(r.Name), text(r.Country), text(string(r.Status)),
		text(r.Code), text(r.Currency), date(r.StartDate), date(r.EndDate),
		text(r.Product), text(r.Variable), text(r.Description),
		{Text: r.Quantity.String(), Number: true}, text(r.Unit),
		money(r.TotalExclVAT), money(r.TotalInclVAT),
	}
}

// date is a date cell: t in RFC 3339 as the API sent it, "" for the zero
// time.
func date(t time.Time) Cell {
	if t.IsZero() {
		return Cell{Date: true}
	}
	return Cell{Text: t.Format(time.RFC3339), Date: true}
}

// SpreadsheetText returns the text of c as a spreadsheet must get it: a
// number as it is, text neutralised against formula injection (OWASP): a
// text cell that begins with =, +, -, @, TAB or CR is prefixed with a single
// quote ('), so that "=HYPERLINK(…)" or "@SUM(…)" from the API reaches
// Excel as text, never as a formula. Every CSV writer of the report uses
// it; [WriteXLSX] needs none of it, since it writes text cells as strings,
// which a workbook never runs.
func (c Cell) SpreadsheetText() string {
	if c.Number {
		return c.Text
	}
	return safetext.Cell(c.Text)
}

// WriteCSV writes the report's rows as CSV (RFC 4180, comma, LF line ends,
// UTF-8 without a byte order mark): a header of [Columns], then one line
// per row, each cell as [Cell.SpreadsheetText] gives it. The numeric
// columns (quantity, total-excl-vat, total-incl-vat) are written as they
// are, so a negative amount stays a number; every text cell that begins
// with =, +, -, @, TAB or CR gets a leading '. Totals, discrepancies and
// failures are not in the CSV: the caller reports them. [WriteCSVWith]
// writes the same for a spreadsheet in another locale; [WriteXLSX] writes
// a workbook.
func WriteCSV(w io.Writer, r *Report) error { return WriteCSVWith(w, r, CSVOptions{}) }

// CSVOptions choose the dialect [WriteCSVWith] writes. The zero value is
// [WriteCSV]'s.
type CSVOptions struct {
	// Comma separates the fields: ',' (also the zero value), ';' (what
	// Excel reads as columns in a Swiss, German or Austrian locale) or
	// '\t'.
	Comma rune

	// BOM starts the file with a UTF-8 byte order mark, without which
	// Excel reads a CSV file in the Windows code page ("ZÃ¼rich" for
	// "Zürich").
	BOM bool
}

// WriteCSVWith is [WriteCSV] with the separator and byte order mark of
// opts; a Comma other than ',', ';' or '\t' is an error and nothing is
// written. The cells are the same: numbers keep their decimal point, so
// a spreadsheet whose decimal separator is the comma may read them as
// text; [WriteXLSX] writes numbers that every locale reads.
func WriteCSVWith(w io.Writer, r *Report, opts CSVOptions) error {
	if opts.Comma == 0 {
		opts.Comma = ','
	}
	if !slices.Contains(csvdialect.Separators, opts.Comma) { // the separators the readers accept
		return fmt.Errorf("report: CSV separator %q: want ',', ';' or '\\t'", opts.Comma)
	}
	if opts.BOM {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Comma = opts.Comma
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
