package crmsync

import (
	"context"
	"strings"

	"github.com/exopartner/exopartner/wrapper"
)

// Action is what a plan does to one organization.
type Action string

// The actions, in the order Apply carries them out for one customer.
const (
	Create    Action = "create"
	Activate  Action = "activate"
	Suspend   Action = "suspend"
	Terminate Action = "terminate"
)

// Step is the plan for one customer.
type Step struct {
	Customer Customer

	// Organization is the customer's organization as listed: the
	// non-terminated one with the customer's client-id. Its ID is the zero
	// ID when there is none.
	Organization wrapper.Organization

	// Actions are what Apply will do, in order; none when the organization
	// already matches. A customer without an organization gets create (and
	// suspend when it should be suspended); one that should be terminated
	// and has no live organization gets nothing.
	Actions []Action

	// Drift lists the fields where the organization differs from the
	// customer but the API cannot change them (there is no update
	// operation). It is reported, never acted on.
	Drift []Drift

	// Conflict, when not empty, says why the customer is left alone: its
	// client-id names several live organizations.
	Conflict string
}

// Drift is one field the organization and the customer disagree on.
type Drift struct {
	Column string // as in the file: "name", "city", "country"
	API    string // what the organization has
	File   string // what the customer says
}

// Sync is a planned synchronisation: what it takes to bring the
// organizations in step with the customers. [Plan] makes it; [Apply]
// carries it out.
type Sync struct {
	// Steps has one step per customer, in the customers' order.
	Steps []Step

	// Untracked are the live (not terminated) organizations whose
	// client-id no customer has, those without a client-id included. They
	// are reported and never touched.
	Untracked []wrapper.Organization

	// orgs is the listing the plan was made from; Apply ensures against it
	// instead of listing again.
	orgs []wrapper.Organization
}

// Changes counts the steps that have something to do.
func (p Sync) Changes() int {
	n := 0
	for _, s := range p.Steps {
		if len(s.Actions) > 0 {
			n++
		}
	}
	return n
}

// Plan validates the customers ([Validate]: an *InvalidError and nothing
// sent when one is bad), lists the organizations once and compares them
// with the customers. It sends nothing else: no write.
func Plan(ctx context.Context, c *wrapper.Client, customers []Customer) (Sync, error) {
	if err := Validate(customers); err != nil {
		return Sync{}, err
	}
	orgs, err := c.ListOrganizations(ctx)
	if err != nil {
		return Sync{}, err
	}
	return compare(customers, orgs), nil
}

// compare plans from a listing.
func compare(customers []Customer, orgs []wrapper.Organization) Sync {
	live := map[string][]wrapper.Organization{} // client-id → live organizations
	for _, o := range orgs {
		if o.Status != wrapper.StatusTerminated {
			live[o.ClientID] = append(live[o.ClientID], o)
		}
	}
	p := Sync{orgs: orgs}
	known := map[string]bool{}
	for _, cu := range customers {
		known[cu.ClientID] = true
		s := Step{Customer: cu}
		switch found := live[cu.ClientID]; len(found) {
		case 0:
			switch cu.Status {
			case wrapper.StatusActive:
				s.Actions = []Action{Create}
			case wrapper.StatusSuspended:
				s.Actions = []Action{Create, Suspend}
			}
		case 1:
			s.Organization = found[0]
			s.Actions = transition(found[0].Status, cu.Status)
			if cu.Status != wrapper.StatusTerminated {
				s.Drift = drift(found[0].BillingAddress, cu.BillingAddress)
			}
		default:
			ids := make([]string, len(found))
			for i, o := range found {
				ids[i] = o.ID.String()
			}
			s.Conflict = "several live organizations have this client-id (" + strings.Join(ids, ", ") + "): resolve by hand"
		}
		p.Steps = append(p.Steps, s)
	}
	for _, o := range orgs {
		if o.Status != wrapper.StatusTerminated && !known[o.ClientID] {
			p.Untracked = append(p.Untracked, o)
		}
	}
	return p
}

// transition is the action that takes a live organization from its status
// to the wanted one.
func transition(from, to wrapper.Status) []Action {
	switch {
	case from == to:
		return nil
	case to == wrapper.StatusActive:
		return []Action{Activate}
	case to == wrapper.StatusSuspended:
		return []Action{Suspend}
	case to == wrapper.StatusTerminated:
		return []Action{Terminate}
	}
	return nil
}

// drift compares the billing address field by field. display-name and
// owner-email are not compared: the API does not return them.
func drift(api, file wrapper.BillingAddress) []Drift {
	var out []Drift
	for _, f := range []struct{ column, api, file string }{
		{"name", api.Name, file.Name},
		{"street-name", api.StreetName, file.StreetName},
		{"building-number", api.BuildingNumber, file.BuildingNumber},
		{"city", api.City, file.City},
		{"postal-code", api.PostalCode, file.PostalCode},
		{"country", api.Country, file.Country},
		{"address", api.Address, file.Address},
	} {
		if f.api != f.file {
			out = append(out, Drift{f.column, f.api, f.file})
		}
	}
	return out
}
