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
//     [FindTerminatedClientID] applies the same rule to the terminated
//     organizations.

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
// look like it, or several have it exactly (among the terminated ones,
// for [FindTerminatedClientID]). Nothing was created. A person
// decides which organization is the customer's: the API cannot change a
// client-id, so the others are terminated or left out of the jobs that
// key on client-ids.
type ClientIDConflictError struct {
	ClientID      string         // the client-id asked for
	Organizations []Organization // the organizations whose client-id is it or looks like it
}

// Error names the client-id and each organization, client-ids escaped so
// that look-alikes show their difference ("crm-3\u200b").
func (e *ClientIDConflictError) Error() string { return "exopartner: " + e.Reason() }

// Reason is Error without the package's prefix, for a list of customers.
func (e *ClientIDConflictError) Reason() string {
	var b strings.Builder
	b.WriteString("client-id " + contract.Quote(e.ClientID))
	if e.Exact() {
		b.WriteString(" is on several " + e.pool() + " organizations: ")
	} else {
		b.WriteString(" looks like the client-id of " + e.pool() + " organization(s) (equal after Unicode NFC, trimming " +
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

// Exact reports whether every organization of e has ClientID exactly:
// several have it, and none has a mere look-alike.
func (e *ClientIDConflictError) Exact() bool {
	for _, o := range e.Organizations {
		if o.ClientID != e.ClientID {
			return false
		}
	}
	return true
}

// pool names the organizations e was found among: live, or terminated
// ([FindTerminatedClientID]).
func (e *ClientIDConflictError) pool() string {
	if len(e.Organizations) > 0 && e.Organizations[0].Status == StatusTerminated {
		return "terminated"
	}
	return "live"
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
	return findClientID(orgs, clientID, func(s Status) bool { return s != StatusTerminated })
}

// FindTerminatedClientID is [FindClientID] among the terminated
// organizations of orgs only, by the same rule: for what is done to a
// terminated organization (a purge), or to look further when no live
// organization has clientID or a look-alike.
func FindTerminatedClientID(orgs []Organization, clientID string) (org Organization, found bool, err error) {
	return findClientID(orgs, clientID, func(s Status) bool { return s == StatusTerminated })
}

// findClientID is the rule of FindClientID, among the organizations of
// orgs whose status is in the pool.
func findClientID(orgs []Organization, clientID string, pool func(Status) bool) (Organization, bool, error) {
	var alike []Organization
	for _, o := range orgs {
		if pool(o.Status) && contract.SameClientID(o.ClientID, clientID) {
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
