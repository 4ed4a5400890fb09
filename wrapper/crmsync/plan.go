package crmsync

import (
	"context"
	"errors"

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
	// client-id is on several live organizations, or live organizations
	// have client-ids that look like it ([wrapper.FindClientID]). A person
	// resolves it; Apply does nothing for the customer.
	Conflict string

	// ConflictWith are the live organizations of the conflict, in the
	// listing's order.
	ConflictWith []wrapper.Organization
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

// compare plans from a listing. Customers and organizations are paired by
// wrapper.FindClientID, on the organizations whose client-id looks like the
// customer's (same wrapper.ClientIDKey): the listing is grouped once.
func compare(customers []Customer, orgs []wrapper.Organization) Sync {
	live := map[string][]wrapper.Organization{} // client-id key → live organizations
	for _, o := range orgs {
		if o.Status != wrapper.StatusTerminated {
			k := wrapper.ClientIDKey(o.ClientID)
			live[k] = append(live[k], o)
		}
	}
	p := Sync{orgs: orgs}
	known := map[string]bool{} // client-id keys of the customers
	for _, cu := range customers {
		key := wrapper.ClientIDKey(cu.ClientID)
		known[key] = true
		s := Step{Customer: cu}
		org, found, err := wrapper.FindClientID(live[key], cu.ClientID)
		var conflict *wrapper.ClientIDConflictError
		switch {
		case errors.As(err, &conflict):
			s.Conflict, s.ConflictWith = conflict.Reason(), conflict.Organizations
		case !found:
			switch cu.Status {
			case wrapper.StatusActive:
				s.Actions = []Action{Create}
			case wrapper.StatusSuspended:
				s.Actions = []Action{Create, Suspend}
			}
		default:
			s.Organization = org
			s.Actions = transition(org.Status, cu.Status)
			if cu.Status != wrapper.StatusTerminated {
				s.Drift = drift(org.BillingAddress, cu.BillingAddress)
			}
		}
		p.Steps = append(p.Steps, s)
	}
	for _, o := range orgs {
		if o.Status != wrapper.StatusTerminated && !known[wrapper.ClientIDKey(o.ClientID)] {
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
