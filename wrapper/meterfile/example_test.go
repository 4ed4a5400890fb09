package meterfile_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// Send a file's transactions, then run the same file again: nothing is
// sent twice.
func ExampleRun() {
	srv := partnertest.NewServer()
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	orgs := srv.AddOrganizations(2)
	csv := "organization,product,variable,quantity,batch\n" +
		orgs[0].String() + ",partner,license_product,3.1415,INV-1\n" +
		orgs[0].String() + ",partner,commission,-42.00005,INV-1\n" +
		orgs[1].String() + ",partner,license_product,1,INV-1\n"
	txs, err := meterfile.Parse("usage.csv", strings.NewReader(csv))
	if err != nil {
		log.Fatal(err) // usage.csv:LINE: column: reason, for every bad line
	}

	dir, _ := os.MkdirTemp("", "meterfile")
	defer os.RemoveAll(dir)
	for range 2 {
		journal, err := meterfile.OpenFile(filepath.Join(dir, "usage.journal"))
		if err != nil {
			log.Fatal(err)
		}
		report, err := meterfile.Run(context.Background(), client, journal, txs, meterfile.Options{})
		journal.Close()
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range report.Results {
			fmt.Printf("%s:%d %s, %d row(s)\n", r.Transaction.File, r.Transaction.Line, r.Outcome, len(r.Transaction.Usage))
		}
		for _, r := range report.Reconcile() {
			fmt.Println("reconcile:", r.ID, r.Outcome, r.Err)
		}
	}
	fmt.Println("metering requests applied:", srv.Applied("metering-transaction"))
	// Output:
	// usage.csv:2 applied, 2 row(s)
	// usage.csv:4 applied, 1 row(s)
	// usage.csv:2 skipped, 2 row(s)
	// usage.csv:4 skipped, 1 row(s)
	// metering requests applied: 2
}
