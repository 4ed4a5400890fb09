package crmsync_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/crmsync"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// Read the CRM's export, plan, look at the plan, then apply it. Running
// the same file again plans nothing.
func Example() {
	srv := partnertest.NewServer() // in a real program: wrapper.New() with your credentials
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	file := "client-id,display-name,owner-email,name,street-name,building-number,city,postal-code,country,address,status\n" +
		"crm-1,Alpenblick AG,it@alpenblick.example,Alpenblick AG,Bahnhofstrasse,42,Zürich,8001,CH,,active\n" +
		"crm-2,Rheinwerk GmbH,admin@rheinwerk.example,Rheinwerk GmbH,Königsallee,11,Düsseldorf,40212,DE,,suspended\n"
	customers, err := crmsync.ReadCSV(strings.NewReader(file), "crm.csv")
	if err != nil {
		log.Fatal(err) // every bad line, as crm.csv:LINE: column: reason
	}
	for run := 1; run <= 2; run++ {
		plan, err := crmsync.Plan(ctx, c, customers)
		if err != nil {
			log.Fatal(err)
		}
		for _, s := range plan.Steps {
			fmt.Printf("run %d: %s: %v\n", run, s.Customer.ClientID, s.Actions)
		}
		res, err := crmsync.Apply(ctx, c, plan)
		if err != nil {
			log.Fatal(err)
		}
		for _, f := range res.Failed() {
			fmt.Printf("%s: %v\n", f.ClientID, f.Err)
		}
	}
	// Output:
	// run 1: crm-1: [create]
	// run 1: crm-2: [create suspend]
	// run 2: crm-1: []
	// run 2: crm-2: []
}
