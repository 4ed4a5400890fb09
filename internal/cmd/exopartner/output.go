package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/exopartner/exopartner/api"
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
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", o.ID, o.Status, dash(o.ClientID), dash(o.BillingAddress.Name), dash(o.BillingAddress.Country))
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
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\n", dash(s.Code), dash(s.Currency), number(s.TotalExclVAT), number(s.TotalInclVAT), date(s.Start), date(s.End))
		if len(s.Lines) == 0 {
			continue
		}
		if err := t.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(t, "  PRODUCT\tVARIABLE\tDESCRIPTION\tQUANTITY\tUNIT\tTOTAL-EXCL-VAT\tTOTAL-INCL-VAT")
		for _, l := range s.Lines {
			fmt.Fprintf(t, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", dash(l.Product), dash(l.Variable), dash(l.Description),
				number(l.Quantity), dash(l.Unit), number(l.TotalExclVAT), number(l.TotalInclVAT))
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
		msg = ": " + msg
	}
	_, err := fmt.Fprintf(w, "%s %s%s\n", id, what, msg)
	return err
}

func (tablePrinter) metering(w io.Writer, org wrapper.ID, usage []wrapper.UsageRecord) error {
	t := newTable(w)
	fmt.Fprintf(t, "applied %d usage record(s) to %s\n", len(usage), org)
	fmt.Fprintln(t, "PRODUCT\tVARIABLE\tQUANTITY")
	for _, u := range usage {
		fmt.Fprintf(t, "%s\t%s\t%s\n", u.Product, u.Variable, number(u.Quantity))
	}
	return t.Flush()
}

// dash stands in for an empty cell so columns stay readable.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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

// jsonPrinter prints the API's JSON as on the wire: the wrapper's values are
// converted back to the generated wire types, whose tags carry the API's
// hyphenated keys ("billing-address", "client-id", "total-excl-vat").
type jsonPrinter struct{}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (jsonPrinter) organizations(w io.Writer, orgs []wrapper.Organization) error {
	out := make([]api.OrganizationOutput, len(orgs))
	for i, o := range orgs {
		out[i] = organizationToAPI(o)
	}
	return writeJSON(w, api.ListDistributorOrganizations200JSONResponseBody{Organizations: &out})
}

func (jsonPrinter) organization(w io.Writer, org wrapper.Organization) error {
	return writeJSON(w, organizationToAPI(org))
}

func (jsonPrinter) usage(w io.Writer, statements []wrapper.UsageStatement) error {
	return writeJSON(w, usageToAPI(statements))
}

// message prints {"message": ...}, the body terminate and schedule-purge
// answer with.
func (jsonPrinter) message(w io.Writer, _ wrapper.ID, _, msg string) error {
	return writeJSON(w, api.TerminateDistributorOrganization200JSONResponseBody{Message: &msg})
}

// metering prints {"ok": true}: the API answers 204 with (usually) no body,
// and its declared schema for that answer is this ok-map, so scripts always
// get a JSON document to decode.
func (jsonPrinter) metering(w io.Writer, _ wrapper.ID, _ []wrapper.UsageRecord) error {
	ok := true
	return writeJSON(w, api.OkMap{Ok: &ok})
}

func organizationToAPI(o wrapper.Organization) api.OrganizationOutput {
	out := api.OrganizationOutput{ClientId: optional(o.ClientID)}
	if o.ID != (wrapper.ID{}) {
		out.Id = &o.ID
	}
	if o.Status != "" {
		s := api.OrganizationOutputStatus(o.Status)
		out.Status = &s
	}
	if b := o.BillingAddress; b != (wrapper.BillingAddress{}) {
		out.BillingAddress = &api.BillingAddress{
			Name: b.Name, StreetName: b.StreetName, BuildingNumber: optional(b.BuildingNumber),
			City: b.City, PostalCode: b.PostalCode, Country: b.Country, Address: optional(b.Address),
		}
	}
	return out
}

func usageToAPI(statements []wrapper.UsageStatement) api.ListDistributorOrganizationUsage200JSONResponseBody {
	out := make(api.ListDistributorOrganizationUsage200JSONResponseBody, len(statements))
	for i, s := range statements {
		lines := make([]api.ListDistributorOrganizationUsage200JSONResponseBody_Usage, len(s.Lines))
		for j, l := range s.Lines {
			lines[j] = api.ListDistributorOrganizationUsage200JSONResponseBody_Usage{
				Product: optional(l.Product), Variable: optional(l.Variable), Description: optional(l.Description),
				Quantity: &l.Quantity, Unit: optional(l.Unit),
				TotalExclVat: &l.TotalExclVAT, TotalInclVat: &l.TotalInclVAT,
			}
		}
		out[i] = api.ListDistributorOrganizationUsage200JSONResponseBody_Item{
			Code: optional(s.Code), Currency: optional(s.Currency),
			TotalExclVat: &s.TotalExclVAT, TotalInclVat: &s.TotalInclVAT,
			StartDate: optionalTime(s.Start), EndDate: optionalTime(s.End),
			Usage: &lines,
		}
	}
	return out
}

// optional returns nil for "", so empty optional fields stay out of the JSON
// as they were out of the API's answer.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
