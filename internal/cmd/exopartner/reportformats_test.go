package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/exopartner/exopartner/wrapper/partnertest"
	usagereport "github.com/exopartner/exopartner/wrapper/report"
)

// TestUsageReportXLSX: --format xlsx --output-file writes a workbook that
// reads back with the report's rows (amounts as numbers) and totals; a
// listing that fails leaves the previous file in place, as for CSV.
// Without --output-file the workbook goes to stdout when it is not a
// terminal.
func TestUsageReportXLSX(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	srv.AddOrganizations(2)
	path := filepath.Join(t.TempDir(), "usage.xlsx")
	writeFile(t, path, "the previous report")
	args := []string{"usage-report", "--period", lastMonth, "--format", "xlsx", "--output-file", path}

	srv.InjectFault("list-distributor-organizations", 1, partnertest.Fault{Status: http.StatusForbidden})
	if r := runCLI(t, envOf(srv), args...); r.code != 1 {
		t.Fatalf("listing failed: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "the previous report" {
		t.Fatalf("after a failed listing: %q, %v; want the previous report", data, err)
	}

	r := runCLI(t, envOf(srv), args...)
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(usagereport.SheetUsage, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) < 3 || !slices.Equal(rows[0], usagereport.Columns()) {
		t.Fatalf("Usage: %q, %v", rows, err)
	}
	csv := runOK(t, srv, "usage-report", "--period", lastMonth, "--format", "csv")
	if got, want := len(rows)-1, strings.Count(csv, "\n")-1; got != want {
		t.Errorf("%d rows in the workbook, %d in the CSV", got, want)
	}
	totals, err := f.GetRows(usagereport.SheetTotals)
	if err != nil || len(totals) != 2 || totals[1][0] != lastMonth || totals[1][1] != "CHF" {
		t.Errorf("Totals: %q, %v", totals, err)
	}
	cell, _ := excelize.CoordinatesToCellName(slices.Index(usagereport.Columns(), "total-excl-vat")+1, 2)
	if typ, _ := f.GetCellType(usagereport.SheetUsage, cell); typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
		t.Errorf("%s is text, want a number", cell)
	}

	r = runCLI(t, envOf(srv), "usage-report", "--period", lastMonth, "--format", "xlsx")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "PK\x03\x04") {
		t.Errorf("to a pipe: exit %d, %d bytes starting %q", r.code, len(r.stdout), r.stdout[:min(4, len(r.stdout))])
	}
	if _, err := excelize.OpenReader(bytes.NewReader([]byte(r.stdout))); err != nil {
		t.Errorf("the workbook on stdout does not open: %v", err)
	}
}

// TestUsageReportCSVDelimiterBOM: --delimiter ";" --bom is the CSV a
// Swiss or German Excel opens in columns with its accents, and the same
// cells as the default CSV; --delimiter tab uses TAB.
func TestUsageReportCSVDelimiterBOM(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	srv.AddOrganizations(2)
	plain := runOK(t, srv, "usage-report", "--period", lastMonth)
	semi := runOK(t, srv, "usage-report", "--period", lastMonth, "--delimiter", ";", "--bom")
	if want := "\ufeff" + strings.ReplaceAll(plain, ",", ";"); semi != want {
		t.Errorf("--delimiter ; --bom:\n%q\nwant\n%q", semi, want)
	}
	if tab := runOK(t, srv, "usage-report", "--period", lastMonth, "--delimiter", "tab"); tab != strings.ReplaceAll(plain, ",", "\t") {
		t.Errorf("--delimiter tab:\n%q", tab)
	}
}

// TestUsageReportFormatFlagsBadUsage: a flag of one format given with
// another, and a separator that is not one, are exit 2 with nothing sent.
func TestUsageReportFormatFlagsBadUsage(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "json", "--delimiter", ";"}, "exopartner: usage-report: --delimiter applies to --format csv, not json\n"},
		{[]string{"--format", "xlsx", "--bom"}, "exopartner: usage-report: --bom applies to --format csv, not xlsx\n"},
		{[]string{"--wide"}, "exopartner: usage-report: --wide applies to --format table, not csv\n"},
		{[]string{"--delimiter", "|"}, `exopartner: usage-report: --delimiter "|": want ",", ";" or tab` + "\n"},
		{[]string{"--format", "ods"}, `exopartner: usage-report: --format "ods": want csv, json, table or xlsx` + "\n"},
	} {
		r := runCLI(t, envOf(srv), append([]string{"usage-report", "--period", lastMonth}, tc.args...)...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", tc.args, r.code, r.stderr, tc.want)
		}
	}

	// A workbook is not for a terminal (a character device such as
	// /dev/null stands for one here): nothing is sent.
	tty, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	if !isTerminal(tty) {
		t.Skipf("%s is not a character device here", os.DevNull)
	}
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"usage-report", "--period", lastMonth, "--format", "xlsx"}, tty, &stderr, envOf(srv))
	if want := "exopartner: usage-report: --format xlsx writes a binary workbook: give --output-file PATH.xlsx, or redirect stdout to a file\n"; code != 2 ||
		!strings.HasPrefix(stderr.String(), want) {
		t.Errorf("to a terminal: exit %d, stderr %q; want 2, %q", code, stderr.String(), want)
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}
