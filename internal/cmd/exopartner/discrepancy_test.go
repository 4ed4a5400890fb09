package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// A statement whose three lines of 3.33 do not add up to its 10.00, and
// one with totals and no lines.
const discrepantStatements = `[
 {"code": "S-1", "currency": "CHF", "total-excl-vat": 10.00, "total-incl-vat": 10.81, "usage": [
  {"product": "compute", "variable": "h", "quantity": 1, "total-excl-vat": 3.33, "total-incl-vat": 3.60},
  {"product": "compute", "variable": "h", "quantity": 1, "total-excl-vat": 3.33, "total-incl-vat": 3.60},
  {"product": "compute", "variable": "h", "quantity": 1, "total-excl-vat": 3.33, "total-incl-vat": 3.60}]},
 {"code": "S-2", "currency": "CHF", "total-excl-vat": 5.00, "total-incl-vat": 5.40}]`

// TestUsageReportDiscrepancies: the totals are the statements' (15.00, not
// the lines' 9.99), and each statement that does not reconcile is listed
// with both figures: in the JSON, in the table (grouped by organization,
// or with every column with --wide), on stderr for CSV.
func TestUsageReportDiscrepancies(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	id := srv.AddOrganizations(1)[0]
	run := func(format string, extra ...string) result {
		t.Helper()
		srv.InjectFault("list-distributor-organization-usage", 1, partnertest.Fault{Body: discrepantStatements})
		r := runCLI(t, envOf(srv), append([]string{"usage-report", "--period", lastMonth, "--format", format}, extra...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d, stderr:\n%s", format, r.code, r.stderr)
		}
		return r
	}

	r := run("json")
	var doc struct {
		Totals        []map[string]any `json:"totals"`
		Discrepancies []map[string]any `json:"discrepancies"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || r.stderr != "" {
		t.Fatalf("%v, stderr %q", err, r.stderr)
	}
	if len(doc.Totals) != 1 || doc.Totals[0]["total-excl-vat"] != json.Number("15.00") || doc.Totals[0]["total-incl-vat"] != json.Number("16.21") {
		t.Errorf("totals %v, want the statements' 15.00 and 16.21", doc.Totals)
	}
	want := []map[string]any{
		{"organization": id.String(), "client-id": "seed-1", "code": "S-1", "currency": "CHF", "lines": json.Number("3"),
			"total-excl-vat": json.Number("10.00"), "total-incl-vat": json.Number("10.81"), "lines-excl-vat": json.Number("9.99"), "lines-incl-vat": json.Number("10.80")},
		{"organization": id.String(), "client-id": "seed-1", "code": "S-2", "currency": "CHF", "lines": json.Number("0"),
			"total-excl-vat": json.Number("5.00"), "total-incl-vat": json.Number("5.40"), "lines-excl-vat": json.Number("0.00"), "lines-incl-vat": json.Number("0.00")},
	}
	if len(doc.Discrepancies) != 2 {
		t.Fatalf("discrepancies %v", doc.Discrepancies)
	}
	for i := range want {
		for k, v := range want[i] {
			if doc.Discrepancies[i][k] != v {
				t.Errorf("discrepancy %d: %s = %v, want %v", i, k, doc.Discrepancies[i][k], v)
			}
		}
	}

	r = run("table")
	rs := rows(r.stdout)
	i := slices.IndexFunc(rs, func(row []string) bool { return strings.HasPrefix(row[0], "DISCREPANCIES") })
	if i < 2 || len(rs) != i+5 || r.stderr != "" {
		t.Fatalf("table:\n%s", r.stdout)
	}
	wantRow(t, rs[i-1], "CHF", "15.00", "16.21")
	wantRow(t, rs[i+1], "seed-1", "organization "+id.String())
	wantRow(t, rs[i+2], "CODE", "CURRENCY", "LINES", "TOTAL-EXCL-VAT", "LINES-EXCL-VAT", "TOTAL-INCL-VAT", "LINES-INCL-VAT")
	wantRow(t, rs[i+3], "S-1", "CHF", "3", "10.00", "9.99", "10.81", "10.80")
	wantRow(t, rs[i+4], "S-2", "CHF", "0", "5.00", "0.00", "5.40", "0.00")

	r = run("table", "--wide")
	rs = rows(r.stdout)
	i = slices.IndexFunc(rs, func(row []string) bool { return strings.HasPrefix(row[0], "DISCREPANCIES") })
	if i < 2 || len(rs) != i+4 || r.stderr != "" {
		t.Fatalf("table --wide:\n%s", r.stdout)
	}
	wantRow(t, rs[i-1], "CHF", "15.00", "16.21")
	wantRow(t, rs[i+1], "ORGANIZATION", "CLIENT-ID", "CODE", "CURRENCY", "LINES", "TOTAL-EXCL-VAT", "LINES-EXCL-VAT", "TOTAL-INCL-VAT", "LINES-INCL-VAT")
	wantRow(t, rs[i+2], id.String(), "seed-1", "S-1", "CHF", "3", "10.00", "9.99", "10.81", "10.80")
	wantRow(t, rs[i+3], id.String(), "seed-1", "S-2", "CHF", "0", "5.00", "0.00", "5.40", "0.00")

	r = run("csv")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	wantStderr := []string{
		"exopartner: usage-report: discrepancy: statement S-1 of organization " + id.String() + " (client-id seed-1) (CHF): " +
			"total-excl-vat 10.00, its 3 line(s) add up to 9.99; total-incl-vat 10.81, its lines add up to 10.80",
		"exopartner: usage-report: discrepancy: statement S-2 of organization " + id.String() + " (client-id seed-1) (CHF): " +
			"total-excl-vat 5.00, its 0 line(s) add up to 0.00; total-incl-vat 5.40, its lines add up to 0.00",
		"exopartner: usage-report: 2 statement(s) do not add up to their own totals (listed above): " +
			"the statements' totals are what Exoscale bills; check them before billing from the lines",
	}
	if strings.Join(lines, "\n") != strings.Join(wantStderr, "\n") || strings.Count(r.stdout, "\n") != 4 {
		t.Errorf("stderr:\n%s\nwant:\n%s\nstdout:\n%s", r.stderr, strings.Join(wantStderr, "\n"), r.stdout)
	}
}
