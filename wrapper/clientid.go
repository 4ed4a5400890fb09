package wrapper

import (
	"errors"
	"strings"

	"github.com/exopartner/exopartner/internal/contract"
)

// Look-alike client-ids. A client-id is the distributor's key for a
// customer, and text a person cannot tell apart is one customer: "crm-3",
// "crm-3 ", "CRM-3", "crm-3" followed by a zero-width space, "Zürich" in
// NFC and in NFD. The rule, stated once (internal/contract) and applied by
// CreateOrganization, EnsureOrganization, EnsureOrganizationIn, package
// crmsync and the command line alike:
//
//   - A new organization's client-id must be canonical text: no leading or
//     trailing space, no control, invisible (zero-width, bidirectional,
//     byte order mark, soft hyphen) or non-ASCII space character, no
//     U+FFFD, and Unicode NFC. Otherwise the create is a *ValidationError
//     for "client-id", and nothing is sent.
//   - Two client-ids look alike when their [ClientIDKey]s are equal.
//   - [FindClientID] matches a client-id to a live organization only when
//     exactly one live organization has it and no other live organization
//     has a look-alike; otherwise it is a *[ClientIDConflictError] naming
//     them, never a silent match and never a second organization.

// ClientIDKey returns what look-alike client-ids have in common: a and b
// look alike when ClientIDKey(a) == ClientIDKey(b). The key is the
// client-id in Unicode NFC, without invisible characters, with other spaces
// made ASCII spaces, trimmed and case-folded (golang.org/x/text's
// unicode/norm and cases). Full-width forms and ligatures are not folded.
func ClientIDKey(clientID string) string { return contract.ClientIDKey(clientID) }

// ErrClientIDConflict is matched by every *[ClientIDConflictError].
var ErrClientIDConflict = errors.New("client-id conflict")

// ClientIDConflictError reports that a client-id cannot be matched to one
// organization: live (not terminated) organizations have client-ids that
// look like it, or several have it exactly. Nothing was created. A person
// decides which organization is the customer's: the API cannot change a
// client-id, so the others are terminated or left out of the jobs that
// key on client-ids.
type ClientIDConflictError struct {
	ClientID      string         // the client-id asked for
	Organizations []Organization // the live organizations whose client-id is it or looks like it
}

// Error names the client-id and each organization, client-ids escaped so
// that look-alikes show their difference ("crm-3\u200b").
func (e *ClientIDConflictError) Error() string { return "exopartner: " + e.Reason() }

// Reason is Error without the package's prefix, for a list of customers.
func (e *ClientIDConflictError) Reason() string {
	var b strings.Builder
	b.WriteString("client-id " + contract.Quote(e.ClientID))
	exact := true
	for _, o := range e.Organizations {
		exact = exact && o.ClientID == e.ClientID
	}
	if exact {
		b.WriteString(" is on several live organizations: ")
	} else {
		b.WriteString(" looks like the client-id of live organization(s) (equal after Unicode NFC, trimming " +
			"and case folding): ")
	}
	for i, o := range e.Organizations {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(o.ID.String() + " (" + string(o.Status) + ", client-id " + contract.Quote(o.ClientID) + ")")
	}
	b.WriteString("; not matched, nothing created: decide by hand which organization is this customer's")
	return b.String()
}

// Unwrap makes errors.Is(err, ErrClientIDConflict) hold.
func (e *ClientIDConflictError) Unwrap() error { return ErrClientIDConflict }

// FindClientID looks clientID up among the live (not terminated)
// organizations of orgs, as [Client.EnsureOrganizationIn] does. It returns
// the organization when exactly one live organization has clientID and no
// other live one has a look-alike ([ClientIDKey]); found is false, with a
// nil error, when no live organization has clientID or a look-alike.
// Otherwise the error is a *[ClientIDConflictError] naming every live
// organization involved, in orgs' order.
func FindClientID(orgs []Organization, clientID string) (org Organization, found bool, err error) {
	var alike []Organization
	for _, o := range orgs {
		if o.Status != StatusTerminated && contract.SameClientID(o.ClientID, clientID) {
			alike = append(alike, o)
		}
	}
	switch {
	case len(alike) == 0:
		return Organization{}, false, nil
	case len(alike) == 1 && alike[0].ClientID == clientID:
		return alike[0], true, nil
	}
	return Organization{}, false, &ClientIDConflictError{ClientID: clientID, Organizations: alike}
}
