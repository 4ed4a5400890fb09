// Package crmsync keeps a distributor's organizations in step with a CRM.
// The CRM's view is a list of [Customer]s keyed by client-id, typically read
// from a CSV export with [ReadCSV]. [Plan] compares it with the
// organizations the API holds, sending only one listing, and [Apply]
// carries the plan out through [wrapper.Client.EnsureOrganizationIn] and
// the suspend, activate and terminate actions.
//
// Applying twice is safe: once the organizations match the CRM, a plan has
// nothing to do and Apply sends no request at all.
//
// Client-ids that look alike are one customer ([wrapper.ClientIDKey]:
// equal after Unicode NFC, trimming and case folding, invisible characters
// dropped). Two such rows are a duplicate, a bad line; a client-id that is
// not canonical text is refused as for a create; and a live organization
// whose client-id only looks like the customer's is a conflict
// ([Step.Conflict]), never matched and never duplicated. What the API cannot
// change (it has no update operation for the billing address) is reported
// as drift and never "fixed", and organizations whose client-id the CRM
// does not know are reported and never touched.
//
// The package is built only on the public [wrapper.Client].
package crmsync

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/wrapper"
)

// Customer is what the CRM says about one customer: the organization it
// should have and the status it should be in.
type Customer struct {
	// Line is where the customer was read from (the file's line number);
	// 0 when it was not read from a file. Problems are reported on it.
	Line int

	ClientID       string // the key: required and unique
	DisplayName    string
	OwnerEmail     string
	BillingAddress wrapper.BillingAddress
	Status         wrapper.Status // active, suspended or terminated
}

// Statuses a customer may ask for.
var wantable = []wrapper.Status{wrapper.StatusActive, wrapper.StatusSuspended, wrapper.StatusTerminated}

// request is the create request for the customer's organization.
func (c Customer) request() wrapper.CreateOrganizationRequest {
	return wrapper.CreateOrganizationRequest{
		DisplayName: c.DisplayName, OwnerEmail: c.OwnerEmail, ClientID: c.ClientID, BillingAddress: c.BillingAddress,
	}
}

// Problem is one bad field of one customer.
type Problem struct {
	Line   int    // the customer's Line, or its 1-based position when Line is 0
	Column string // the column, named as on the wire: "client-id", "country"
	Reason string
}

// InvalidError lists every problem of the customers, in line order. It
// matches [wrapper.ErrInvalidInput]: nothing was sent.
type InvalidError struct {
	File     string // the file name given to ReadCSV; "" for customers built in code
	Problems []Problem
}

// Error gives one problem per line: "FILE:LINE: column: reason".
func (e *InvalidError) Error() string {
	file := e.File
	if file == "" {
		file = "customers"
	}
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%d: %s: %s", file, p.Line, p.Column, p.Reason)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, wrapper.ErrInvalidInput) hold.
func (e *InvalidError) Unwrap() error { return wrapper.ErrInvalidInput }

// Validate checks every customer before anything is sent: client-id
// present and unique (client-ids that look alike, [wrapper.ClientIDKey],
// are one customer: the second is a duplicate), status one of active,
// suspended or terminated, and
// the organization's fields valid against the API's contract
// ([wrapper.ValidateCreateOrganizationRequest], the same check
// CreateOrganization makes). Every customer is checked, whatever its
// status, so a file is either accepted whole or refused whole. The result
// is nil or an *InvalidError.
func Validate(customers []Customer) error {
	var problems []Problem
	first := map[string]Customer{} // client-id key → its first customer (Line set)
	for i, c := range customers {
		line := c.Line
		if line == 0 {
			line = i + 1
		}
		var mine []Problem
		add := func(column, reason string) { mine = append(mine, Problem{line, column, reason}) }
		if err := wrapper.ValidateCreateOrganizationRequest(c.request()); err != nil {
			var ve *wrapper.ValidationError
			if !errors.As(err, &ve) {
				return err // the embedded spec itself is broken
			}
			for _, p := range ve.Problems {
				add(column(p.Field), p.Description()) // the rule in words, for the person who fixes the file
			}
		}
		key := wrapper.ClientIDKey(c.ClientID)
		switch prev, dup := first[key]; {
		case c.ClientID == "":
			add("client-id", "required: it is the key that matches the customer to its organization")
		case dup && prev.ClientID == c.ClientID:
			add("client-id", fmt.Sprintf("duplicate of line %d (%q)", prev.Line, c.ClientID))
		case dup:
			add("client-id", fmt.Sprintf("duplicate of line %d: %s looks like %s (client-ids equal after Unicode NFC, "+
				"trimming and case folding are one customer)", prev.Line, contract.Quote(c.ClientID), contract.Quote(prev.ClientID)))
		default:
			c.Line = line
			first[key] = c
		}
		if !validStatus(c.Status) {
			reason := "required: one of " + wantableList()
			if c.Status != "" {
				reason = fmt.Sprintf("must be one of %s (got %q)", wantableList(), c.Status)
			}
			add("status", reason)
		}
		// In the file's column order, whatever order the checks found them in.
		slices.SortStableFunc(mine, func(a, b Problem) int {
			return cmp.Compare(slices.Index(columns, a.Column), slices.Index(columns, b.Column))
		})
		problems = append(problems, mine...)
	}
	if problems == nil {
		return nil
	}
	return &InvalidError{Problems: problems}
}

func validStatus(s wrapper.Status) bool { return slices.Contains(wantable, s) }

// wantableList names the statuses a customer may ask for: "active,
// suspended, terminated".
func wantableList() string {
	names := make([]string, len(wantable))
	for i, s := range wantable {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// column is the CSV column of a create request's wire field: the billing
// address's fields are columns of their own.
func column(wire string) string {
	if f, ok := strings.CutPrefix(wire, "billing-address."); ok {
		return f
	}
	return wire
}
