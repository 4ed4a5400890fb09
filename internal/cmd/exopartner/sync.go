package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/internal/safetext"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/crmsync"
)

func syncCommand(fs *flag.FlagSet) action {
	const name = "sync"
	file := fs.String("file", "", "the CRM's CSV export, with the columns "+strings.Join(crmsync.Columns(), ",")+" (required)")
	apply := fs.Bool("apply", false, "carry the plan out (default: print it and send only a listing)")
	concurrency := fs.Int("concurrency", crmsync.DefaultConcurrency, "customers applied at once with --apply")
	return func(ctx context.Context, e *env, _ wrapper.ID) error {
		switch {
		case *file == "":
			return usagef(name, "--file PATH.csv is required")
		case *concurrency < 1:
			return usagef(name, "--concurrency %d: want at least 1", *concurrency)
		}
		f, err := os.Open(*file)
		if err != nil {
			return usagef(name, "--file: %v", err)
		}
		customers, err := crmsync.ReadCSV(f, *file)
		f.Close()
		if err != nil {
			return err // every bad line; exit 2, nothing sent
		}
		c, err := e.client()
		if err != nil {
			return err
		}
		plan, err := crmsync.Plan(ctx, c, customers)
		if err != nil {
			return err
		}
		if e.output == "json" {
			return syncJSON(ctx, e, c, plan, *apply, *concurrency)
		}
		return syncText(ctx, e, c, plan, *apply, *concurrency)
	}
}

// syncText prints the plan for people, and with apply carries it out and
// prints what was done.
func syncText(ctx context.Context, e *env, c *wrapper.Client, plan crmsync.Sync, apply bool, concurrency int) error {
	if err := printPlan(e.stdout, plan); err != nil {
		return err
	}
	switch n := plan.Changes(); {
	case n == 0:
		fmt.Fprintln(e.stdout, "\nNothing to do.")
		return nil
	case !apply:
		fmt.Fprintf(e.stdout, "\n%d change(s) planned; nothing sent. Run again with --apply to carry them out.\n", n)
		return nil
	}
	res, err := crmsync.ApplyConcurrently(ctx, c, plan, concurrency)
	if perr := printOutcomes(e.stdout, res); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	return reportFailures(e, res)
}

// reportFailures lists the failed changes on stderr and returns the error
// that makes the exit code 1, or nil.
func reportFailures(e *env, res crmsync.Result) error {
	failed := res.Failed()
	for _, o := range failed {
		fmt.Fprintf(e.stderr, "exopartner: sync: %s: %s\n", cell(o.ClientID), safetext.Message(o.Err.Error()))
	}
	if len(failed) > 0 {
		return fmt.Errorf("exopartner: sync: %d of %d change(s) failed (listed above); run sync again to retry them",
			len(failed), len(res.Outcomes))
	}
	return nil
}

// syncJSON prints the plan, and with apply what was done, as one JSON
// document for scripts (--output json):
//
//	{"plan": [{"client-id", "organization", "status", "wanted", "actions", "drift": [{"column", "api", "file"}], "conflict",
//	           "conflict-with": [{"organization", "status", "client-id"}]}],
//	 "untracked": [{"organization", "status", "client-id"}],
//	 "applied": [{"client-id", "organization", "status", "done", "error"}]}
//
// "organization" and "status" are null for a customer without an
// organization; "applied" is present only with --apply. When ctx ends
// during --apply, the document holds what was applied, and the error is
// ctx's.
func syncJSON(ctx context.Context, e *env, c *wrapper.Client, plan crmsync.Sync, apply bool, concurrency int) error {
	doc := planJSON(plan)
	var res crmsync.Result
	var applyErr error // ctx's: what was applied before it ended is still printed
	if apply {
		res, applyErr = crmsync.ApplyConcurrently(ctx, c, plan, concurrency)
		applied := appliedJSON(res)
		doc.Applied = &applied
	}
	if err := writeJSON(e.stdout, doc); err != nil {
		return errors.Join(applyErr, err)
	}
	if applyErr != nil {
		return applyErr
	}
	return reportFailures(e, res)
}

// syncDoc is the document syncJSON prints.
type syncDoc struct {
	Plan      []syncStep     `json:"plan"`
	Untracked []syncOrg      `json:"untracked"`
	Applied   *[]syncOutcome `json:"applied,omitempty"`
}

// syncStep is a step of the plan.
type syncStep struct {
	ClientID     string           `json:"client-id"`
	Organization *wrapper.ID      `json:"organization"`
	Status       *wrapper.Status  `json:"status"`
	Wanted       wrapper.Status   `json:"wanted"`
	Actions      []crmsync.Action `json:"actions"`
	Drift        []syncDrift      `json:"drift"`
	Conflict     string           `json:"conflict,omitempty"`
	ConflictWith []syncOrg        `json:"conflict-with,omitempty"`
}

// syncDrift is a column whose value the API and the file disagree on.
type syncDrift struct {
	Column string `json:"column"`
	API    string `json:"api"`
	File   string `json:"file"`
}

// syncOrg names an organization: untracked, or in a conflict.
type syncOrg struct {
	Organization wrapper.ID     `json:"organization"`
	Status       wrapper.Status `json:"status"`
	ClientID     string         `json:"client-id"`
}

// syncOutcome is what was done for one customer.
type syncOutcome struct {
	ClientID     string           `json:"client-id"`
	Organization *wrapper.ID      `json:"organization"`
	Status       *wrapper.Status  `json:"status"`
	Done         []crmsync.Action `json:"done"`
	Error        string           `json:"error,omitempty"`
}

// planJSON is plan as syncJSON prints it, lists empty rather than null.
func planJSON(plan crmsync.Sync) syncDoc {
	doc := syncDoc{Plan: []syncStep{}, Untracked: []syncOrg{}}
	for _, s := range plan.Steps {
		st := syncStep{ClientID: s.Customer.ClientID, Wanted: s.Customer.Status, Actions: append([]crmsync.Action{}, s.Actions...),
			Drift: []syncDrift{}, Conflict: s.Conflict}
		st.Organization, st.Status = orgRef(s.Organization)
		for _, d := range s.Drift {
			st.Drift = append(st.Drift, syncDrift(d))
		}
		for _, o := range s.ConflictWith {
			st.ConflictWith = append(st.ConflictWith, syncOrgOf(o))
		}
		doc.Plan = append(doc.Plan, st)
	}
	for _, o := range plan.Untracked {
		doc.Untracked = append(doc.Untracked, syncOrgOf(o))
	}
	return doc
}

// appliedJSON is what --apply did, as syncJSON prints it.
func appliedJSON(res crmsync.Result) []syncOutcome {
	applied := []syncOutcome{}
	for _, o := range res.Outcomes {
		out := syncOutcome{ClientID: o.ClientID, Done: append([]crmsync.Action{}, o.Done...)}
		out.Organization, out.Status = orgRef(o.Organization)
		if o.Err != nil {
			out.Error = o.Err.Error()
		}
		applied = append(applied, out)
	}
	return applied
}

func syncOrgOf(o wrapper.Organization) syncOrg { return syncOrg{o.ID, o.Status, o.ClientID} }

// orgRef is o's ID and status, or nils for no organization.
func orgRef(o wrapper.Organization) (*wrapper.ID, *wrapper.Status) {
	if o.ID == (wrapper.ID{}) {
		return nil, nil
	}
	return &o.ID, &o.Status
}

// printPlan prints one line per customer, then the drift, the conflicts
// and the organizations the file does not know.
func printPlan(w io.Writer, p crmsync.Sync) error {
	t := newTable(w)
	fmt.Fprintln(t, "CLIENT-ID\tORGANIZATION\tSTATUS\tWANTED\tACTION")
	var drift, conflicts []crmsync.Step
	for _, s := range p.Steps {
		org, status := orgCells(s.Organization)
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", cell(s.Customer.ClientID), org, status, cell(string(s.Customer.Status)), actions(s.Actions))
		if len(s.Drift) > 0 {
			drift = append(drift, s)
		}
		if s.Conflict != "" {
			conflicts = append(conflicts, s)
		}
	}
	if len(drift) > 0 {
		fmt.Fprintln(t, "\nDrift the API cannot change (no update operation): reported, not fixed.")
		fmt.Fprintln(t, "CLIENT-ID\tORGANIZATION\tCOLUMN\tAPI\tFILE")
		for _, s := range drift {
			for _, d := range s.Drift {
				fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", cell(s.Customer.ClientID), s.Organization.ID, d.Column, cell(d.API), cell(d.File))
			}
		}
	}
	if len(conflicts) > 0 {
		fmt.Fprintln(t, "\nLeft alone (a person decides; the API cannot change a client-id):")
		for _, s := range conflicts {
			fmt.Fprintf(t, "%s: %s\n", cell(s.Customer.ClientID), safetext.Terminal(s.Conflict))
		}
	}
	if len(p.Untracked) > 0 {
		fmt.Fprintln(t, "\nOrganizations whose client-id is not in the file: never touched.")
		fmt.Fprintln(t, "ORGANIZATION\tSTATUS\tCLIENT-ID\tNAME\tCOUNTRY")
		for _, o := range p.Untracked {
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", o.ID, o.Status, cell(o.ClientID), cell(o.BillingAddress.Name), cell(o.BillingAddress.Country))
		}
	}
	return t.Flush()
}

// printOutcomes prints what --apply did, one line per changed customer.
func printOutcomes(w io.Writer, r crmsync.Result) error {
	t := newTable(w)
	fmt.Fprintf(t, "\nApplied %d of %d change(s):\n", len(r.Outcomes)-len(r.Failed()), len(r.Outcomes))
	fmt.Fprintln(t, "CLIENT-ID\tORGANIZATION\tSTATUS\tDONE\tRESULT")
	for _, o := range r.Outcomes {
		org, status := orgCells(o.Organization)
		result := "ok"
		if o.Err != nil {
			result = "failed: " + safetext.Terminal(o.Err.Error())
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", cell(o.ClientID), org, status, actions(o.Done), result)
	}
	return t.Flush()
}

// orgCells are o's ID and status as the tables show them, "-" for no
// organization.
func orgCells(o wrapper.Organization) (id, status string) {
	if o.ID == (wrapper.ID{}) {
		return "-", "-"
	}
	return o.ID.String(), string(o.Status)
}

// actions prints a list of actions as create+suspend, or "nothing".
func actions(as []crmsync.Action) string {
	if len(as) == 0 {
		return "nothing"
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, "+")
}
