package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	usagereport "github.com/exopartner/exopartner/wrapper/report"
)

// wideStatements are statements as wide as they come: long codes,
// products, variables, descriptions and units, two currencies, dates that
// differ between statements of one organization, large amounts.
var wideStatements = func() string {
	long := strings.Repeat("very long description of a usage line ", 5)
	line := func(p string, q float64, amount string) string {
		return fmt.Sprintf(`{"product": %q, "variable": "%s-variable-with-a-long-name", "description": %q, "quantity": %v, "unit": "gibibyte-hours",
			"total-excl-vat": %s, "total-incl-vat": %s}`, p, p, long+p, q, amount, amount)
	}
	return `[{"code": "USG-2025-03-0123456789abcdef-CHF", "currency": "CHF", "start-date": "2025-03-01T00:00:00Z", "end-date": "2025-04-01T00:00:00Z",
		"total-excl-vat": 1234567.89, "total-incl-vat": 1234567.89, "usage": [` +
		line("object-storage-premium", 1234567.12345, "1234567.89") + `]},
		{"code": "USG-2025-03-0123456789abcdef-EUR", "currency": "EUR", "start-date": "2025-03-15T12:00:00Z", "end-date": "2025-04-01T00:00:00Z",
		"total-excl-vat": -42.00005, "total-incl-vat": -42.00005, "usage": [` +
		line("compute", -42.00005, "-42.00005") + `]}]`
}()

// TestUsageReportTableFits: usage-report --format table fits 120
// columns, whatever the report holds: rows grouped by organization under a
// heading with its client-id, name and ID, the columns that hold one value
// throughout said once, long text cut with "…", and every amount whole.
// --wide prints every column of every row, however wide.
func TestUsageReportTableFits(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	longName := strings.Repeat("Überlange Firmenbezeichnung ", 6) + "AG"
	var ids []wrapper.ID
	for i := range 3 {
		org := srv.Seed(wrapper.Organization{Status: wrapper.StatusActive, ClientID: fmt.Sprintf("crm-%d-%s", i, strings.Repeat("x", 40)),
			BillingAddress: wrapper.BillingAddress{Name: longName, StreetName: "Main", City: "Zürich", PostalCode: "8001", Country: "CH"}})
		ids = append(ids, org.ID)
	}
	for range ids {
		srv.InjectFault("list-distributor-organization-usage", 1, partnertest.Fault{Body: wideStatements})
	}
	args := []string{"usage-report", "--period", lastMonth, "--format", "table", "--concurrency", "1"}
	r := runCLI(t, envOf(srv), args...)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for i, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > reportWidth {
			t.Errorf("line %d is %d columns wide, want at most %d:\n%s", i+1, n, reportWidth, line)
		}
	}
	for _, want := range []string{
		// Said once, not in a column: what every row holds.
		`(?m)^Usage ` + lastMonth + `: 3 organization\(s\), 6 row\(s\)\nIn every row: end-date 2025-04-01, unit gibibyte-hours$`,
		// The heading: client-id, the name cut to fit, country and status, the ID.
		`(?m)^crm-0-x{40}\n  (Überlange Firmenbezeichnung ){4}Überl…\n  CH  active\n  organization ` + ids[0].String() + `\n`,
		`(?m)^  CODE +CURRENCY +START-DATE +PRODUCT +VARIABLE +DESCRIPTI… +QUANTITY +EXCL-VAT +INCL-VAT$`,
		// Text cut, dates and amounts whole.
		`(?m)^  USG-2025-0…  CHF +2025-03-01 +object-st…  object-st…  very long…  1234567\.12345  1234567\.89  1234567\.89$`,
		`(?m)^  USG-2025-0…  EUR +2025-03-15T12:00:00Z  compute +compute-v…  very long… +-42\.00005 +-42\.00005 +-42\.00005$`,
		`(?m)^CHF +3703703\.67 +3703703\.67\nEUR +-126\.00015 +-126\.00015$`,
	} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Errorf("stdout does not match %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "ORGANIZATION") || strings.Contains(r.stdout, longName) || strings.Count(r.stdout, ids[0].String()) != 1 {
		t.Errorf("the organization's columns are repeated on each row, or not cut:\n%s", r.stdout)
	}

	srv.ResetCounts()
	for range ids {
		srv.InjectFault("list-distributor-organization-usage", 1, partnertest.Fault{Body: wideStatements})
	}
	r = runCLI(t, envOf(srv), append(args, "--wide")...)
	if r.code != 0 {
		t.Fatalf("--wide: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	rs := rows(r.stdout)
	wantRow(t, rs[0], strings.Split(strings.ToUpper(strings.Join(usagereport.Columns(), ",")), ",")...)
	if !strings.Contains(r.stdout, longName) || !strings.Contains(r.stdout, strings.Repeat("very long description of a usage line ", 5)+"compute") ||
		len(rs[1]) != len(usagereport.Columns()) {
		t.Errorf("--wide does not print every column whole:\n%s", r.stdout)
	}
}

// TestUsageReportTableGroups: the statement's code, one per organization,
// is said in the organization's heading; what every row holds, above.
func TestUsageReportTableGroups(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	ids := srv.AddOrganizations(2)
	statement := func(code string) string {
		return `[{"code": "` + code + `", "currency": "CHF", "start-date": "2025-03-01T00:00:00Z", "end-date": "2025-04-01T00:00:00Z",
			"total-excl-vat": 3, "total-incl-vat": 3.3, "usage": [
			{"product": "compute", "variable": "instance-hours", "description": "Compute", "quantity": 1, "unit": "hour", "total-excl-vat": 1, "total-incl-vat": 1.1},
			{"product": "sos", "variable": "storage-gib-hours", "description": "Object storage", "quantity": 2, "unit": "hour", "total-excl-vat": 2, "total-incl-vat": 2.2}]}]`
	}
	srv.InjectFault("list-distributor-organization-usage", 1, partnertest.Fault{Body: statement("USG-A")})
	srv.InjectFault("list-distributor-organization-usage", 1, partnertest.Fault{Body: statement("USG-B")})
	r := runCLI(t, envOf(srv), "usage-report", "--period", lastMonth, "--format", "table", "--concurrency", "1")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	want := "Usage " + lastMonth + ": 2 organization(s), 4 row(s)\n" +
		"In every row: currency CHF, start-date 2025-03-01, end-date 2025-04-01, unit hour\n" +
		"\n" +
		"seed-1  Seeded organization  CH  active\n" +
		"  organization " + ids[0].String() + "  code USG-A\n" +
		"  PRODUCT  VARIABLE           DESCRIPTION     QUANTITY  EXCL-VAT  INCL-VAT\n" +
		"  compute  instance-hours     Compute                1      1.00      1.10\n" +
		"  sos      storage-gib-hours  Object storage         2      2.00      2.20\n" +
		"\n" +
		"seed-2  Seeded organization  CH  active\n" +
		"  organization " + ids[1].String() + "  code USG-B\n" +
		"  PRODUCT  VARIABLE           DESCRIPTION     QUANTITY  EXCL-VAT  INCL-VAT\n" +
		"  compute  instance-hours     Compute                1      1.00      1.10\n" +
		"  sos      storage-gib-hours  Object storage         2      2.00      2.20\n" +
		"\n" +
		"TOTALS " + lastMonth + "  TOTAL-EXCL-VAT  TOTAL-INCL-VAT\n" +
		"CHF                       6.00            6.60\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}
