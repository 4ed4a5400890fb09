package report

import (
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/exopartner/exopartner/internal/safetext"
)

// Sheet names of the workbook [WriteXLSX] writes.
const (
	SheetUsage  = "Usage"
	SheetTotals = "Totals"
)

// Number formats of the workbook: amounts with at least two decimals (as
// [Money] prints them), dates in ISO order; both in UTC, as the API sends
// them. A format changes what a cell shows, never its value.
const (
	moneyFormat = "#,##0.00###"
	dateFormat  = "yyyy-mm-dd hh:mm"
)

// WriteXLSX writes the report as an Excel workbook (Office Open XML, with
// github.com/xuri/excelize/v2), which opens the same in every locale:
//
//   - the sheet "Usage": a header of [Columns], frozen, then one row per
//     row, from [Row.Cells]: quantity, total-excl-vat and total-incl-vat
//     are numbers, start-date and end-date are dates (the time of day as
//     the API sent it, in UTC; empty when it sent none), and every other
//     cell is text, written as a string:
//     a workbook cell written so is never a formula, whatever it begins
//     with ("=HYPERLINK(…)" is shown as those characters), so text is kept
//     as the API sent it, without the ' that [WriteCSV] adds;
//   - the sheet "Totals": period, currency, total-excl-vat, total-incl-vat
//     per currency (frozen header); below them, when there are any, the
//     [Discrepancy] statements with both figures, then the organizations
//     whose usage could not be read.
//
// Numbers are the exact decimals of the report; a spreadsheet holds them
// as float64, which keeps every amount of up to 15 significant digits.
func WriteXLSX(w io.Writer, r *Report) (err error) {
	f := excelize.NewFile()
	defer func() { err = errors.Join(err, f.Close()) }()
	if err := f.SetSheetName("Sheet1", SheetUsage); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetTotals); err != nil {
		return err
	}
	// Set before the rows are streamed: set after, either would make
	// excelize read the whole streamed sheet back (and the filter would be
	// lost).
	f.SetActiveSheet(0)
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := writeUsageSheet(f, st, r); err != nil {
		return err
	}
	if err := writeTotalsSheet(f, st, r); err != nil {
		return err
	}
	return f.Write(w)
}

// styles are the workbook's cell styles.
type styles struct{ header, money, date, title int }

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var errs []error
	add := func(style *excelize.Style) int {
		id, err := f.NewStyle(style)
		errs = append(errs, err)
		return id
	}
	money, date := moneyFormat, dateFormat
	s.header = add(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	s.title = add(&excelize.Style{Font: &excelize.Font{Bold: true}})
	s.money = add(&excelize.Style{CustomNumFmt: &money})
	s.date = add(&excelize.Style{CustomNumFmt: &date})
	return s, errors.Join(errs...)
}

// writeUsageSheet streams the rows: a report of 100 000 rows does not
// hold a cell object per cell.
func writeUsageSheet(f *excelize.File, st styles, r *Report) error {
	if len(r.Rows) > 0 { // the header's filter, over every row
		last, _ := excelize.CoordinatesToCellName(len(columns), len(r.Rows)+1)
		if err := f.AutoFilter(SheetUsage, "A1:"+last, nil); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(SheetUsage)
	if err != nil {
		return err
	}
	// Widths first (the stream writer wants them before any row): the
	// longest text of each column, within bounds.
	widths := make([]int, len(columns))
	for i, c := range columns {
		widths[i] = len(c)
	}
	for _, row := range r.Rows {
		for i, c := range row.Cells() {
			widths[i] = max(widths[i], utf8.RuneCountInString(c.Text))
		}
	}
	for i, n := range widths {
		if err := sw.SetColWidth(i+1, i+1, float64(min(max(n, 8), 60)+2)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	if err := sw.SetRow("A1", headerCells(columns, st.header)); err != nil {
		return err
	}
	values := make([]any, len(columns))
	for n, row := range r.Rows {
		for i, c := range row.Cells() {
			if values[i], err = st.value(c); err != nil {
				return fmt.Errorf("report: row %d, %s: %w", n+1, columns[i], err)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// value is a cell of the Usage sheet as the workbook gets it: a number, a
// date, or a string.
func (st styles) value(c Cell) (any, error) {
	switch {
	case c.Number:
		d, err := decimal.NewFromString(c.Text)
		if err != nil {
			return nil, err
		}
		if c.Money {
			return excelize.Cell{StyleID: st.money, Value: d.InexactFloat64()}, nil
		}
		return excelize.Cell{Value: d.InexactFloat64()}, nil
	case c.Date && c.Text == "":
		return nil, nil
	case c.Date:
		t, err := time.Parse(time.RFC3339, c.Text)
		if err != nil {
			return nil, err
		}
		return excelize.Cell{StyleID: st.date, Value: t}, nil
	}
	return workbookText(c.Text), nil // an inline string: never a formula
}

// workbookText is s as a workbook cell can hold it. XML 1.0 cannot carry
// the C0 control characters but TAB, LF and CR, nor U+FFFE, U+FFFF or
// bytes that are not UTF-8: a text with any of them is written with its
// control characters as Go escapes (\x1b), as the terminal shows it, rather
// than with the U+FFFD the XML encoder would put in their place.
func workbookText(s string) string {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xfffe || r == 0xffff || r == utf8.RuneError {
			return safetext.Terminal(s)
		}
	}
	return s
}

// writeTotalsSheet writes the totals, then the discrepancies and the
// organizations that could not be read, each under a title and header.
func writeTotalsSheet(f *excelize.File, st styles, r *Report) error {
	row := 0
	var errs []error
	put := func(values ...any) {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		errs = append(errs, f.SetSheetRow(SheetTotals, cell, &values))
	}
	style := func(id, cols int) {
		first, _ := excelize.CoordinatesToCellName(1, row)
		last, _ := excelize.CoordinatesToCellName(cols, row)
		errs = append(errs, f.SetCellStyle(SheetTotals, first, last, id))
	}
	money := func(d decimal.Decimal) any { return d.InexactFloat64() }
	moneyCells := func(row int, cols ...int) {
		for _, c := range cols {
			cell, _ := excelize.CoordinatesToCellName(c, row)
			errs = append(errs, f.SetCellStyle(SheetTotals, cell, cell, st.money))
		}
	}

	header := []string{"period", "currency", "total-excl-vat", "total-incl-vat"}
	put(anys(header)...)
	style(st.header, len(header))
	for _, t := range r.Totals {
		put(r.Period.String(), workbookText(t.Currency), money(t.TotalExclVAT), money(t.TotalInclVAT))
		moneyCells(row, 3, 4)
	}
	if len(r.Discrepancies) > 0 {
		row++
		put(fmt.Sprintf("Discrepancies: %d statement(s) whose lines do not add up to their own totals "+
			"(the totals above are the statements', what Exoscale bills)", len(r.Discrepancies)))
		style(st.title, 1)
		header := []string{"organization", "client-id", "code", "currency", "lines",
			"total-excl-vat", "total-incl-vat", "lines-excl-vat", "lines-incl-vat"}
		put(anys(header)...)
		style(st.header, len(header))
		for _, d := range r.Discrepancies {
			put(d.Organization.String(), workbookText(d.ClientID), workbookText(d.Code), workbookText(d.Currency), d.Lines,
				money(d.TotalExclVAT), money(d.TotalInclVAT), money(d.LinesExclVAT), money(d.LinesInclVAT))
			moneyCells(row, 6, 7, 8, 9)
		}
	}
	if len(r.Failed) > 0 {
		row++
		put(fmt.Sprintf("Not read: the usage of %d of %d organization(s) could not be read; their rows are missing",
			len(r.Failed), r.Organizations))
		style(st.title, 1)
		put("organization", "client-id", "error")
		style(st.header, 3)
		for _, fl := range r.Failed {
			put(fl.Organization.String(), workbookText(fl.ClientID), workbookText(fl.Err.Error()))
		}
	}
	errs = append(errs, f.SetPanes(SheetTotals, frozenHeader()),
		f.SetColWidth(SheetTotals, "A", "A", 38), f.SetColWidth(SheetTotals, "B", "I", 16))
	return errors.Join(errs...)
}

// frozenHeader freezes the first row.
func frozenHeader() *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
}

func headerCells(names []string, style int) []any {
	cells := make([]any, len(names))
	for i, n := range names {
		cells[i] = excelize.Cell{StyleID: style, Value: n}
	}
	return cells
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
