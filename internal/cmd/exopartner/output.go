package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/safetext"
	"github.com/exopartner/exopartner/wrapper"
)

// printer renders command results: tablePrinter for people, jsonPrinter for
// scripts.
type printer interface {
	organizations(w io.Writer, orgs []wrapper.Organization) error
	organization(w io.Writer, org wrapper.Organization) error
	usage(w io.Writer, statements []wrapper.UsageStatement) error
	// message reports an action answered by a message (terminate, purge);
	// what says what happened, for people.
	message(w io.Writer, id wrapper.ID, what, msg string) error
	metering(w io.Writer, org wrapper.ID, usage []wrapper.UsageRecord) error
}

// tablePrinter prints aligned columns.
type tablePrinter struct{}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

func (tablePrinter) organizations(w io.Writer, orgs []wrapper.Organization) error {
	t := newTable(w)
	fmt.Fprintln(t, "ID\tSTATUS\tCLIENT-ID\tNAME\tCOUNTRY")
	for _, o := range orgs {
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", o.ID, o.Status, cell(o.ClientID), cell(o.BillingAddress.Name), cell(o.BillingAddress.Country))
	}
	return t.Flush()
}

func (p tablePrinter) organization(w io.Writer, org wrapper.Organization) error {
	return p.organizations(w, []wrapper.Organization{org})
}

func (tablePrinter) usage(w io.Writer, statements []wrapper.UsageStatement) error {
	t := newTable(w)
	for i, s := range statements {
		if i > 0 {
			fmt.Fprintln(t)
		}
		fmt.Fprintln(t, "CODE\tCURRENCY\tTOTAL-EXCL-VAT\tTOTAL-INCL-VAT\tSTART\tEND")
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(s.Code), cell(s.Currency), number(s.TotalExclVAT), number(s.TotalInclVAT), date(s.StartDate), date(s.EndDate))
		if len(s.Usage) == 0 {
			continue
		}
		if err := t.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(t, "  PRODUCT\tVARIABLE\tDESCRIPTION\tQUANTITY\tUNIT\tTOTAL-EXCL-VAT\tTOTAL-INCL-VAT")
		for _, l := range s.Usage {
			fmt.Fprintf(t, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(l.Product), cell(l.Variable), cell(l.Description),
				number(l.Quantity), cell(l.Unit), number(l.TotalExclVAT), number(l.TotalInclVAT))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(statements) == 0 {
		fmt.Fprintln(t, "CODE\tCURRENCY\tTOTAL-EXCL-VAT\tTOTAL-INCL-VAT\tSTART\tEND")
	}
	return t.Flush()
}

func (tablePrinter) message(w io.Writer, id wrapper.ID, what, msg string) error {
	if msg != "" {
		msg = ": " + safetext.Terminal(msg)
	}
	_, err := fmt.Fprintf(w, "%s %s%s\n", id, what, msg)
	return err
}

func (tablePrinter) metering(w io.Writer, org wrapper.ID, usage []wrapper.UsageRecord) error {
	t := newTable(w)
	fmt.Fprintf(t, "applied %d usage record(s) to %s\n", len(usage), org)
	fmt.Fprintln(t, "PRODUCT\tVARIABLE\tQUANTITY")
	for _, u := range usage {
		fmt.Fprintf(t, "%s\t%s\t%s\n", cell(u.Product), cell(u.Variable), number(u.Quantity))
	}
	return t.Flush()
}

// cell is one cell of human output (tables, plans): text from the API or a
// file with its control characters escaped (safetext.Terminal), so that it
// stays in its column and a terminal shows an escape sequence instead of
// obeying it, and "-" for an empty cell, so that columns stay readable.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return safetext.Terminal(s)
}

// number prints a float exactly as it round-trips (3.1415, -42.00005),
// never rounded for display: these are money and metered quantities.
func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}

// jsonPrinter prints what the API answered, as JSON with the API's keys:
// the client's values are the generated types, so every field the spec
// declares is printed, including fields a revision adds, with no edit here.
//
// Zero versus absent: an optional string, id, date, object or list the
// API left out is left out, and one it sent empty ("", or a zero date) is
// left out too; a list it sent as [] stays []. Numbers and booleans of the
// answers' own schemas (usage amounts and quantities) are always printed:
// an absent one prints as 0, because a 0 the API sent must not disappear. Fields the spec does not declare are not
// printed: regenerate from a newer spec to see them.
type jsonPrinter struct{}

// writeJSON writes v as indented JSON, without HTML escaping: "&", "<" and
// ">" are printed as they are, not as \u0026, \u003c and \u003e.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func (jsonPrinter) organizations(w io.Writer, orgs []wrapper.Organization) error {
	return writeJSON(w, api.ListDistributorOrganizations200JSONResponseBody{Organizations: orgs})
}

func (jsonPrinter) organization(w io.Writer, org wrapper.Organization) error {
	return writeJSON(w, org)
}

func (jsonPrinter) usage(w io.Writer, statements []wrapper.UsageStatement) error {
	if statements == nil {
		statements = []wrapper.UsageStatement{} // the API answered an array
	}
	return writeJSON(w, statements)
}

// message prints {"message": ...}, the body terminate and schedule-purge
// answer with.
func (jsonPrinter) message(w io.Writer, _ wrapper.ID, _, msg string) error {
	return writeJSON(w, api.TerminateDistributorOrganization200JSONResponseBody{Message: msg})
}

// metering prints nothing: the API answers 204 No Content, and the exit
// status (0) is the whole answer. Nothing is invented in its place.
func (jsonPrinter) metering(io.Writer, wrapper.ID, []wrapper.UsageRecord) error {
	return nil
}
