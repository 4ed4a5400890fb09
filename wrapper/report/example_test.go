package report_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	"github.com/exopartner/exopartner/wrapper/report"
)

// Build the report of the active and suspended organizations for a month,
// then print the exact totals and any organization that could not be read.
func ExampleBuild() {
	srv := partnertest.NewServer() // in a real program: wrapper.New() with your credentials
	defer srv.Close()
	srv.AddOrganizations(3)
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	r, err := report.Build(context.Background(), c, wrapper.NewPeriod(2025, time.March), report.Options{
		Statuses:    []wrapper.Status{wrapper.StatusActive, wrapper.StatusSuspended},
		Concurrency: 8,
	})
	if err != nil {
		log.Fatal(err) // the listing failed: no report
	}
	fmt.Printf("%d organizations, %d failed\n", r.Organizations, len(r.Failed))
	for _, t := range r.Totals {
		// report.Money prints the exact sum with at least two decimals: 1234.50
		fmt.Printf("%s: excl. VAT %s, incl. VAT %s\n", t.Currency, report.Money(t.TotalExclVAT), report.Money(t.TotalInclVAT))
	}
	for _, f := range r.Failed {
		fmt.Printf("%s (%s): %v\n", f.Organization, f.ClientID, f.Err)
	}
}

// Write the report for a spreadsheet, and list what the CSV does not show:
// the statements whose lines do not add up to their own totals.
func ExampleWriteCSV() {
	srv := partnertest.NewServer()
	defer srv.Close()
	srv.AddOrganizations(2)
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	r, err := report.Build(context.Background(), c, wrapper.NewPeriod(2025, time.March), report.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// Text cells starting with =, +, -, @, TAB or CR get a leading ';
	// quantities and amounts are written as they are.
	if err := report.WriteCSV(os.Stdout, r); err != nil {
		log.Fatal(err)
	}
	for _, d := range r.Discrepancies {
		fmt.Fprintf(os.Stderr, "statement %s of %s: total %s, lines %s\n", d.Code, d.Organization,
			report.Money(d.TotalExclVAT), report.Money(d.LinesExclVAT))
	}
}

// Write the report as an Excel workbook: a sheet of rows with numbers as
// numbers and dates as dates, and a sheet of totals per currency.
func ExampleWriteXLSX() {
	srv := partnertest.NewServer()
	defer srv.Close()
	srv.AddOrganizations(2)
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	r, err := report.Build(context.Background(), c, wrapper.NewPeriod(2025, time.March), report.Options{})
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.CreateTemp("", "usage-*.xlsx")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	if err := errors.Join(report.WriteXLSX(f, r), f.Close()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sheets:", report.SheetUsage, report.SheetTotals)
	// Output: sheets: Usage Totals
}

// Write the CSV a Swiss or German Excel opens in columns, accents intact:
// ";" between fields and a byte order mark.
func ExampleWriteCSVWith() {
	r := &report.Report{Rows: []report.Row{{Name: "Zürcher AG", Product: "compute", Currency: "CHF"}}}
	var b strings.Builder
	if err := report.WriteCSVWith(&b, r, report.CSVOptions{Comma: ';', BOM: true}); err != nil {
		log.Fatal(err)
	}
	header, row, _ := strings.Cut(b.String(), "\n")
	fmt.Printf("%q\n%s", header, row)
	// Output:
	// "\ufefforganization;client-id;name;country;status;code;currency;start-date;end-date;product;variable;description;quantity;unit;total-excl-vat;total-incl-vat"
	// 00000000-0000-0000-0000-000000000000;;Zürcher AG;;;;CHF;;;compute;;;0;;0.00;0.00
}
