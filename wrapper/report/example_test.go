package report_test

import (
	"context"
	"fmt"
	"log"
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
