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

// With a batch column a transaction is its (organization, batch): a row
// added to a batch keeps its key, and only its content changes. Without a
// batch column a transaction is its content.
func ExampleTransaction_Key() {
	const org = "6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f"
	parse := func(csv string) meterfile.Transaction {
		txs, err := meterfile.Parse("usage.csv", strings.NewReader(csv))
		if err != nil {
			log.Fatal(err)
		}
		return txs[0]
	}
	first := parse("organization,product,variable,quantity,batch\n" + org + ",partner,late1,10,INV-7\n")
	again := parse("organization,product,variable,quantity,batch\n" + org + ",partner,late1,10,INV-7\n" + org + ",partner,late2,20,INV-7\n")
	fmt.Println(first.Key())
	fmt.Println("same transaction:", first.Key() == again.Key(), "same rows:", first.ID() == again.ID())

	noBatch := parse("organization,product,variable,quantity\n" + org + ",partner,late1,10\n")
	fmt.Println("without a batch, the key is the content:", noBatch.Key().Content == noBatch.ID())
	// Output:
	// batch INV-7 of 6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f
	// same transaction: true same rows: false
	// without a batch, the key is the content: true
}

// A journal records a transaction's entries in the order Run writes them;
// CheckTransition is that order, for any Journal implementation to check
// what it records and what it reads back.
func ExampleCheckTransition() {
	sent := meterfile.Entry{Transaction: strings.Repeat("ab", 32), State: meterfile.StateSent,
		Organization: wrapper.MustParseID("6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f"), Batch: "INV-7"}
	applied, pending := sent, sent
	applied.State, pending.State = meterfile.StateApplied, meterfile.StatePending
	fmt.Println(meterfile.CheckTransition(sent, true, applied))
	fmt.Println(meterfile.CheckTransition(applied, true, pending))
	// Output:
	// <nil>
	// not a possible transition: batch INV-7 of 6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f: pending after applied
}

// A Journal's Record checks its entries with CheckEntries: each follows the
// one before it of its key in the same Record, else the journal's last.
func ExampleCheckEntries() {
	pending := meterfile.Entry{Transaction: strings.Repeat("ab", 32), State: meterfile.StatePending,
		Organization: wrapper.MustParseID("6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f"), Batch: "INV-7"}
	sent, applied := pending, pending
	sent.State, applied.State = meterfile.StateSent, meterfile.StateApplied
	journal := map[meterfile.Key]meterfile.Entry{} // empty
	last := func(k meterfile.Key) (meterfile.Entry, bool) { e, ok := journal[k]; return e, ok }

	follows, staged, err := meterfile.CheckEntries([]meterfile.Entry{pending, sent}, last)
	fmt.Println(follows[0].Found, follows[1].Entry.State, staged[pending.Key()].State, err)
	_, _, err = meterfile.CheckEntries([]meterfile.Entry{applied}, last)
	fmt.Println(err)
	// Output:
	// false pending sent <nil>
	// not a possible transition: batch INV-7 of 6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f: its first entry is applied, not pending
}
