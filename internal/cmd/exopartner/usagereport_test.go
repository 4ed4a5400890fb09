package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	usagereport "github.com/exopartner/exopartner/wrapper/report"
)

// reportNow is the fake's fixed clock in the report tests, so metering and
// the period read agree whenever the test runs.
var reportNow = time.Now().UTC()

// lastMonth has synthetic statements of 1 to 4 lines per organization.
var lastMonth = wrapper.PeriodOf(reportNow.AddDate(0, -1, 0)).String()

func reportServer(t *testing.T) *partnertest.Server {
	return newServer(t, partnertest.WithClock(func() time.Time { return reportNow }))
}

// TestUsageReportJSONExactTotals: 10 000 lines of 0.10 (1 000 in each of
// 10 organizations, so that no single answer takes long under -race)
// total exactly 1000.00 in the JSON report, whose shape is the issue's.
func TestUsageReportJSONExactTotals(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	ids := srv.AddOrganizations(10)
	id := ids[0]
	const product = "p1564" // the fake charges 1 per unit
	usage := make([]wrapper.UsageRecord, 1_000)
	for i := range usage {
		usage[i] = wrapper.UsageRecord{Product: product, Variable: fmt.Sprintf("v%05d", i), Quantity: 0.1}
	}
	c := newClient(t, srv)
	for _, id := range ids {
		if err := c.ApplyMetering(context.Background(), id, usage); err != nil {
			t.Fatal(err)
		}
	}
	period := wrapper.PeriodOf(reportNow).String()
	r := runCLI(t, envOf(srv), "usage-report", "--period", period, "--format", "json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	var doc struct {
		Period        string              `json:"period"`
		Rows          []map[string]any    `json:"rows"`
		Totals        []map[string]any    `json:"totals"`
		Discrepancies []map[string]any    `json:"discrepancies"`
		Failed        []map[string]string `json:"failed"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Period != period || len(doc.Rows) != 10_000 || doc.Failed == nil || len(doc.Failed) != 0 ||
		doc.Discrepancies == nil || len(doc.Discrepancies) != 0 {
		t.Fatalf("period %q, %d rows, failed %v, discrepancies %v", doc.Period, len(doc.Rows), doc.Failed, doc.Discrepancies)
	}
	want := []map[string]any{{"currency": "CHF", "total-excl-vat": json.Number("1000.00"), "total-incl-vat": json.Number("1100.00")}}
	if fmt.Sprint(doc.Totals) != fmt.Sprint(want) {
		t.Errorf("totals %v, want %v", doc.Totals, want)
	}
	row := doc.Rows[0]
	keys := make([]string, 0, len(row))
	for k := range row {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	wantKeys := slices.Sorted(slices.Values(usagereport.Columns()))
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("row keys %v, want %v", keys, wantKeys)
	}
	if row["organization"] != id.String() || row["quantity"] != json.Number("0.1") || row["total-excl-vat"] != json.Number("0.10") ||
		row["total-incl-vat"] != json.Number("0.11") || row["start-date"] != wrapper.PeriodOf(reportNow).Start().Format(time.RFC3339) {
		t.Errorf("row %v", row)
	}
}

// TestUsageReportCSV: the CSV has the columns in order, the rows
// the library reads, and only the organizations in the given statuses;
// --output-file writes it there and nothing to stdout.
func TestUsageReportCSV(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	ids := srv.AddOrganizations(4)
	c := newClient(t, srv)
	if _, err := c.SuspendOrganization(context.Background(), ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TerminateOrganization(context.Background(), ids[2]); err != nil {
		t.Fatal(err)
	}
	period, _ := wrapper.ParsePeriod(lastMonth)
	lib, err := usagereport.Build(context.Background(), c, period, usagereport.Options{
		Statuses: []wrapper.Status{wrapper.StatusActive, wrapper.StatusSuspended}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "usage.csv")
	r := runCLI(t, envOf(srv), "usage-report", "--period", lastMonth, "--status", "active,suspended", "--concurrency", "2", "--output-file", path)
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := "organization,client-id,name,country,status,code,currency,start-date,end-date,product,variable,description,quantity,unit,total-excl-vat,total-incl-vat"
	if strings.Join(recs[0], ",") != wantHeader {
		t.Errorf("header %q, want %q", strings.Join(recs[0], ","), wantHeader)
	}
	if len(recs)-1 != len(lib.Rows) || len(lib.Rows) < 3 {
		t.Fatalf("%d rows, the library read %d", len(recs)-1, len(lib.Rows))
	}
	orgs := map[string]bool{}
	for i, rec := range recs[1:] {
		l := lib.Rows[i]
		want := []string{l.Organization.String(), l.ClientID, "Seeded organization", "CH", string(l.Status), l.Code, "CHF",
			l.StartDate.Format(time.RFC3339), l.EndDate.Format(time.RFC3339), l.Product, l.Variable, l.Description,
			l.Quantity.String(), "unit", usagereport.Money(l.TotalExclVAT), usagereport.Money(l.TotalInclVAT)}
		if !slices.Equal(rec, want) {
			t.Errorf("row %d: %q, want %q", i, rec, want)
		}
		orgs[rec[0]] = true
	}
	if len(orgs) != 3 || orgs[ids[2].String()] {
		t.Errorf("rows of %v, want the active and suspended organizations only", orgs)
	}
}

// TestUsageReportFailure: an organization whose usage cannot be read makes
// exit 1 after every other row is written; stderr names it.
func TestUsageReportFailure(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	ids := srv.AddOrganizations(3)
	srv.InjectFault("list-distributor-organization-usage", 1, partnertest.Fault{Status: http.StatusNotFound})
	r := runCLI(t, envOf(srv), "usage-report", "--period", lastMonth, "--concurrency", "1", "--format", "table")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "exopartner: usage-report: organization "+ids[0].String()+" (client-id seed-1): ") ||
		!strings.Contains(lines[0], "404") ||
		lines[1] != "exopartner: usage-report: the usage of 1 of 3 organizations could not be read (listed above); the report holds every row that was read" {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout, ids[0].String()) || !strings.Contains(r.stdout, ids[1].String()) || !strings.Contains(r.stdout, ids[2].String()) ||
		!strings.Contains(r.stdout, "TOTALS "+lastMonth) {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

// TestUsageReportBadUsage: bad flags are exit 2 and send nothing.
func TestUsageReportBadUsage(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "exopartner: usage-report: --period YYYY-MM is required"},
		{[]string{"--period", "2025-13"}, `exopartner: usage-report: invalid input: --period: must be a month as YYYY-MM, with a month from 01 to 12 (got "2025-13")`},
		{[]string{"--period", lastMonth, "--format", "xml"}, `exopartner: usage-report: --format "xml": want csv, json, table or xlsx`},
		{[]string{"--period", lastMonth, "--status", "active,closed"}, `exopartner: usage-report: --status: unknown status "closed"`},
		{[]string{"--period", lastMonth, "--concurrency", "0"}, "exopartner: usage-report: --concurrency 0: want at least 1"},
		{[]string{"--period", lastMonth, "--output-file", filepath.Join(t.TempDir(), "no", "such", "dir")}, "exopartner: usage-report: --output-file: "},
	} {
		r := runCLI(t, envOf(srv), append([]string{"usage-report"}, tc.args...)...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// TestProgress: the progress line counts organizations and ends the line
// when done; it is shown only on a terminal, never on a pipe or a buffer
// (the other tests' stderr is a buffer, and they check it stays empty).
func TestProgress(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	p := progress(&b, "usage-report")
	for i := range 4 {
		p(i, 3)
	}
	if want := "\rusage-report: 0/3 organizations\rusage-report: 1/3 organizations\rusage-report: 2/3 organizations\rusage-report: 3/3 organizations\n"; b.String() != want {
		t.Errorf("progress %q, want %q", b.String(), want)
	}
	if isTerminal(&b) {
		t.Error("a buffer is a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(w) {
		t.Error("a pipe is a terminal")
	}
}

// TestUsageReportOutputFileReplacedOnlyWhenWritten: --output-file keeps the
// previous report when the listing fails (no row was read), and replaces it,
// keeping its mode, once every row read was written, failed organizations
// or not. No temporary file is left behind.
func TestUsageReportOutputFileReplacedOnlyWhenWritten(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	ids := srv.AddOrganizations(3)
	dir := t.TempDir()
	path := filepath.Join(dir, "usage.csv")
	const previous = "the previous report\n"
	writeFile(t, path, previous)
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	args := []string{"usage-report", "--period", lastMonth, "--concurrency", "1", "--output-file", path}
	only := func(t *testing.T) {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Name() != "usage.csv" {
			t.Errorf("directory holds %v, want only usage.csv", entries)
		}
	}

	srv.InjectFault("list-distributor-organizations", 1, partnertest.Fault{Status: http.StatusForbidden})
	r := runCLI(t, envOf(srv), args...)
	if r.code != 1 || !strings.Contains(r.stderr, "403") {
		t.Fatalf("listing failed: exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != previous {
		t.Errorf("after a failed listing the previous report is %q, %v; want it untouched", data, err)
	}
	only(t)

	srv.InjectFault("list-distributor-organization-usage", 1, partnertest.Fault{Status: http.StatusNotFound})
	r = runCLI(t, envOf(srv), args...)
	if r.code != 1 || !strings.Contains(r.stderr, "the usage of 1 of 3 organizations could not be read") {
		t.Fatalf("one organization failed: exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		t.Fatalf("%v in %q", err, data)
	}
	orgs := map[string]bool{}
	for _, rec := range recs[1:] {
		orgs[rec[0]] = true
	}
	if recs[0][0] != "organization" || len(orgs) != 2 || orgs[ids[0].String()] || !orgs[ids[1].String()] || !orgs[ids[2].String()] {
		t.Errorf("the report holds the rows of %v, want those of the two organizations read:\n%s", orgs, data)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after replacing: %v, want 0640 as before", fi.Mode())
	}
	only(t)
}
