package wrapper_test

import (
	"errors"
	"fmt"

	"github.com/exopartner/exopartner/wrapper"
)

// A listing holds "CRM-3", and the CRM asks for "crm-3": look-alikes are a
// conflict to resolve by hand, never a match and never a second
// organization.
func ExampleFindClientID() {
	orgs := []wrapper.Organization{
		{ID: wrapper.MustParseID("0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11"), Status: wrapper.StatusActive, ClientID: "CRM-3"},
		{ID: wrapper.MustParseID("6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f"), Status: wrapper.StatusActive, ClientID: "crm-4"},
	}
	if org, found, err := wrapper.FindClientID(orgs, "crm-4"); found {
		fmt.Println("crm-4 is", org.ID, err)
	}
	_, found, err := wrapper.FindClientID(orgs, "crm-3")
	var conflict *wrapper.ClientIDConflictError
	if errors.As(err, &conflict) {
		fmt.Println("crm-3 found:", found, "conflicts with", conflict.Organizations[0].ID)
	}
	fmt.Println(wrapper.ClientIDKey(" CRM-3\u200b") == wrapper.ClientIDKey("crm-3"))
	// Output:
	// crm-4 is 6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f <nil>
	// crm-3 found: false conflicts with 0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11
	// true
}

// A purge acts on a terminated organization: the customer's client-id is
// looked up among the terminated ones, by the same rule.
func ExampleFindTerminatedClientID() {
	orgs := []wrapper.Organization{
		{ID: wrapper.MustParseID("0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11"), Status: wrapper.StatusActive, ClientID: "crm-3"},
		{ID: wrapper.MustParseID("6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f"), Status: wrapper.StatusTerminated, ClientID: "crm-3"},
	}
	org, found, err := wrapper.FindTerminatedClientID(orgs, "crm-3")
	fmt.Println(org.ID, found, err)
	// Output:
	// 6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f true <nil>
}
