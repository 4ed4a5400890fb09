package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/exopartner/exopartner/internal/safetext"
	"github.com/exopartner/exopartner/wrapper"
)

// textPrinter prints -O text, as the exo CLI's text output: one line per
// item, its cells separated by one TAB, no header and no alignment, for
// grep, cut and awk -F'\t'. An empty cell stays empty. Control characters
// in a cell (a TAB, a line break, ESC) are escaped as in every output for
// people (\t, \n, \x1b), so that each item stays one line of the same
// number of cells and a terminal shows them instead of obeying them.
type textPrinter struct{}

// textLine writes cells as one line.
func textLine(w io.Writer, cells ...string) error {
	for i, c := range cells {
		cells[i] = textCell(c)
	}
	_, err := fmt.Fprintln(w, strings.Join(cells, "\t"))
	return err
}

// textCell is a cell of text output: control characters escaped
// (safetext.Terminal), so that the cell stays in its column and its line.
func textCell(s string) string { return safetext.Terminal(s) }

// textDate is t in RFC 3339, or empty.
func textDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// organizations prints the table's columns: ID, STATUS, CLIENT-ID, NAME,
// COUNTRY.
func (textPrinter) organizations(w io.Writer, orgs []wrapper.Organization) error {
	for _, o := range orgs {
		if err := textLine(w, o.ID.String(), string(o.Status), o.ClientID, o.BillingAddress.Name, o.BillingAddress.Country); err != nil {
			return err
		}
	}
	return nil
}

func (p textPrinter) organization(w io.Writer, org wrapper.Organization) error {
	return p.organizations(w, []wrapper.Organization{org})
}

// usage prints one line per usage line: its statement's CODE, CURRENCY,
// START, END, TOTAL-EXCL-VAT and TOTAL-INCL-VAT, then the line's PRODUCT,
// VARIABLE, DESCRIPTION, QUANTITY, UNIT, TOTAL-EXCL-VAT and TOTAL-INCL-VAT.
// A statement without usage lines is one line whose last seven cells are
// empty.
func (textPrinter) usage(w io.Writer, statements []wrapper.UsageStatement) error {
	for _, s := range statements {
		head := []string{s.Code, s.Currency, textDate(s.StartDate), textDate(s.EndDate), number(s.TotalExclVAT), number(s.TotalInclVAT)}
		if len(s.Usage) == 0 {
			if err := textLine(w, append(head, "", "", "", "", "", "", "")...); err != nil {
				return err
			}
		}
		for _, l := range s.Usage {
			cells := append(append([]string{}, head...), l.Product, l.Variable, l.Description, number(l.Quantity), l.Unit,
				number(l.TotalExclVAT), number(l.TotalInclVAT))
			if err := textLine(w, cells...); err != nil {
				return err
			}
		}
	}
	return nil
}

// message prints ID, what happened and the API's message.
func (textPrinter) message(w io.Writer, id wrapper.ID, what, msg string) error {
	return textLine(w, id.String(), what, msg)
}

// metering prints one line per record: ORGANIZATION, PRODUCT, VARIABLE,
// QUANTITY.
func (textPrinter) metering(w io.Writer, org wrapper.ID, usage []wrapper.UsageRecord) error {
	for _, u := range usage {
		if err := textLine(w, org.String(), u.Product, u.Variable, number(u.Quantity)); err != nil {
			return err
		}
	}
	return nil
}
