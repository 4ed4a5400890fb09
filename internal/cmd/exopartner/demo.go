package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/crmsync"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	usagereport "github.com/exopartner/exopartner/wrapper/report"
)

// demoCommand runs the lifecycle of two organizations against an in-process
// fake API on loopback. It needs no credentials and no network, and ignores
// any EXOSCALE_* variables: the client gets the fake's credentials and URL
// explicitly.
func demoCommand(*flag.FlagSet) action {
	return func(ctx context.Context, e *env, _ wrapper.ID) error {
		srv := partnertest.NewServer()
		defer srv.Close()
		c, err := wrapper.New(append(e.clientOptions(),
			wrapper.WithCredentials(partnertest.DemoKey, partnertest.DemoSecret),
			wrapper.WithEndpoint(srv.URL))...)
		if err != nil {
			return &configError{err}
		}
		d := &demo{e: e, c: c}
		fmt.Fprintf(e.stdout, "demo: an in-process fake Partner API at %s\n", srv.URL)
		return d.run(ctx)
	}
}

// demo prints each step as a numbered line.
type demo struct {
	e    *env
	c    *wrapper.Client
	step int
}

func (d *demo) printf(format string, a ...any) {
	d.step++
	fmt.Fprintf(d.e.stdout, "%2d. "+format+"\n", append([]any{d.step}, a...)...)
}

// blockIndent indents a block under its step.
const blockIndent = "      "

// block prints what a printer renders, indented under the current step.
func (d *demo) block(render func(w io.Writer) error) error {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return err
	}
	for line := range strings.Lines(b.String()) {
		if line != "\n" {
			line = blockIndent + line
		}
		fmt.Fprint(d.e.stdout, line)
	}
	return nil
}

// demoCustomers are the two organizations the demo creates.
var demoCustomers = []wrapper.CreateOrganizationRequest{{
	DisplayName: "Alpenblick Software AG", OwnerEmail: "it@alpenblick.example", ClientID: "crm-1001",
	BillingAddress: wrapper.BillingAddress{
		Name: "Alpenblick Software AG", StreetName: "Bahnhofstrasse", BuildingNumber: "42",
		PostalCode: "8001", City: "Zürich", Country: "CH",
	},
}, {
	DisplayName: "Rheinwerk Maschinenbau GmbH", OwnerEmail: "admin@rheinwerk.example", ClientID: "crm-1002",
	BillingAddress: wrapper.BillingAddress{
		Name: "Rheinwerk Maschinenbau GmbH", StreetName: "Königsallee", BuildingNumber: "11",
		PostalCode: "40212", City: "Düsseldorf", Country: "DE",
	},
}}

// run runs the demo's steps in order: the first customer is metered and
// read, the second suspended, re-activated, terminated and purged.
func (d *demo) run(ctx context.Context) error {
	orgs, err := d.create(ctx)
	if err != nil {
		return err
	}
	a, b := orgs[0].ID, orgs[1].ID
	for _, step := range []func(context.Context) error{
		d.list,
		func(ctx context.Context) error { return d.suspendAndActivate(ctx, b) },
		func(ctx context.Context) error { return d.meter(ctx, a) },
		func(ctx context.Context) error { return d.usage(ctx, a) },
		func(ctx context.Context) error { return d.terminateAndPurge(ctx, b) },
		d.list,
		d.workflows,
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintln(d.e.stdout, "demo: done")
	return nil
}

// create creates the demo's customers.
func (d *demo) create(ctx context.Context) ([]wrapper.Organization, error) {
	orgs := make([]wrapper.Organization, len(demoCustomers))
	for i, req := range demoCustomers {
		org, err := d.c.CreateOrganization(ctx, req)
		if err != nil {
			return nil, err
		}
		orgs[i] = org
		d.printf("created %s for %s (%s, %s %s): status %s", org.ID, org.ClientID, req.DisplayName,
			req.BillingAddress.City, req.BillingAddress.Country, org.Status)
	}
	return orgs, nil
}

// list lists the organizations as a table.
func (d *demo) list(ctx context.Context) error {
	list, err := d.c.ListOrganizations(ctx)
	if err != nil {
		return err
	}
	d.printf("listed %d organizations:", len(list))
	return d.block(func(w io.Writer) error { return tablePrinter{}.organizations(w, list) })
}

func (d *demo) suspendAndActivate(ctx context.Context, id wrapper.ID) error {
	org, err := d.c.SuspendOrganization(ctx, id)
	if err != nil {
		return err
	}
	d.printf("suspended %s: status %s", org.ID, org.Status)
	if org, err = d.c.ActivateOrganization(ctx, id); err != nil {
		return err
	}
	d.printf("re-activated %s: status %s", org.ID, org.Status)
	return nil
}

// meter applies a metering transaction with a negative quantity.
func (d *demo) meter(ctx context.Context, id wrapper.ID) error {
	usage := []wrapper.UsageRecord{
		{Product: "partner", Variable: "license_product", Quantity: 3.1415},
		{Product: "partner", Variable: "commission", Quantity: -42.00005},
	}
	if err := d.c.ApplyMetering(ctx, id, usage); err != nil {
		return err
	}
	d.printf("applied a metering transaction to %s: partner:license_product 3.1415, partner:commission -42.00005", id)
	return nil
}

// usage reads the organization's usage for the current month.
func (d *demo) usage(ctx context.Context, id wrapper.ID) error {
	statements, err := d.c.ListUsage(ctx, id, wrapper.Period{}) // the zero Period: the current month
	if err != nil {
		return err
	}
	d.printf("read %d usage statement(s) of %s for the current month:", len(statements), id)
	return d.block(func(w io.Writer) error { return tablePrinter{}.usage(w, statements) })
}

func (d *demo) terminateAndPurge(ctx context.Context, id wrapper.ID) error {
	msg, err := d.c.TerminateOrganization(ctx, id)
	if err != nil {
		return err
	}
	org, err := d.c.GetOrganization(ctx, id)
	if err != nil {
		return err
	}
	d.printf("terminated %s: status %s (%s)", id, org.Status, msg)
	res, err := d.c.SchedulePurge(ctx, id)
	if err != nil {
		return err
	}
	d.printf("%s for %s (%s)", purged(res), id, res.Message)
	return nil
}

// demoCRM is the CRM export the demo syncs from: crm-1001's city is
// spelled differently (drift), crm-1002 is terminated as the CRM wants, and
// crm-1003 is a new customer.
const demoCRM = `client-id,display-name,owner-email,name,street-name,building-number,city,postal-code,country,address,status
crm-1001,Alpenblick Software AG,it@alpenblick.example,Alpenblick Software AG,Bahnhofstrasse,42,Zurich,8001,CH,,active
crm-1002,Rheinwerk Maschinenbau GmbH,admin@rheinwerk.example,Rheinwerk Maschinenbau GmbH,Königsallee,11,Düsseldorf,40212,DE,,terminated
crm-1003,Lac Léman Logistique SA,it@lacleman.example,Lac Léman Logistique SA,Quai du Mont-Blanc,5,Genève,1201,CH,,active
`

// workflows shows the usage report and a sync plan (usage-report and
// sync without --apply).
func (d *demo) workflows(ctx context.Context) error {
	period := wrapper.PeriodOf(time.Now())
	r, err := usagereport.Build(ctx, d.c, period, usagereport.Options{})
	if err != nil {
		return err
	}
	d.printf("usage report, exact totals (usage-report --period %s --format table):", period)
	// Fit in an 80-column terminal, the block's indentation included.
	if err := d.block(func(w io.Writer) error { return writeReportTable(w, r, 80-len(blockIndent)) }); err != nil {
		return err
	}
	customers, err := crmsync.ReadCSV(strings.NewReader(demoCRM), "crm.csv")
	if err != nil {
		return err
	}
	plan, err := crmsync.Plan(ctx, d.c, customers)
	if err != nil {
		return err
	}
	d.printf("sync plan for a CRM export of %d customers (sync --file crm.csv): %d change(s), nothing sent but one listing:",
		len(customers), plan.Changes())
	return d.block(func(w io.Writer) error { return printPlan(w, plan) })
}
