package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/wrapper"
)

// organizationByClientID returns the ID of the organization whose client-id
// is clientID, found with one listing (--client-id X of the commands that
// take an organization), by the project's look-alike rule
// (wrapper.ClientIDKey, as wrapper.FindClientID):
//
//   - it looks among the live organizations first, then, when none has
//     clientID or a look-alike, among the terminated ones (a customer that
//     was terminated, then re-created by sync, is the live one);
//     terminated, for schedule-purge, looks among the terminated ones only;
//   - the one organization there whose client-id is clientID exactly, when
//     no other there has a look-alike, is the answer;
//   - otherwise it is an error (exit 1) naming every organization involved,
//     with its status and client-id, or saying none has it.
func (e *env) organizationByClientID(ctx context.Context, cmd, clientID string, terminated bool) (wrapper.ID, error) {
	c, err := e.client()
	if err != nil {
		return wrapper.ID{}, err
	}
	orgs, err := c.ListOrganizations(ctx)
	if err != nil {
		return wrapper.ID{}, err
	}
	var live, ended []wrapper.Organization
	key := wrapper.ClientIDKey(clientID)
	for _, o := range orgs {
		switch {
		case wrapper.ClientIDKey(o.ClientID) != key:
		case o.Status == wrapper.StatusTerminated:
			ended = append(ended, o)
		default:
			live = append(live, o)
		}
	}
	pools := [][]wrapper.Organization{live, ended}
	if terminated {
		pools = pools[1:]
	}
	for _, alike := range pools {
		switch {
		case len(alike) == 0:
			continue
		case len(alike) == 1 && alike[0].ClientID == clientID:
			return alike[0].ID, nil
		}
		return wrapper.ID{}, clientIDConflict(cmd, clientID, alike)
	}
	which := ""
	if terminated {
		which = "terminated "
	}
	return wrapper.ID{}, fmt.Errorf("exopartner: %s: --client-id %s: no %sorganization has this client-id or one like it (%d organizations listed)",
		cmd, contract.Quote(clientID), which, len(orgs))
}

// clientIDConflict names the organizations that have clientID, or a
// look-alike of it.
func clientIDConflict(cmd, clientID string, alike []wrapper.Organization) error {
	exact := true
	found := make([]string, len(alike))
	for i, o := range alike {
		exact = exact && o.ClientID == clientID
		found[i] = fmt.Sprintf("%s (%s, client-id %s)", o.ID, o.Status, contract.Quote(o.ClientID))
	}
	what := fmt.Sprintf("%d organizations have this client-id", len(alike))
	if !exact {
		what = "organizations have client-ids that look like it (equal after Unicode NFC, trimming and case folding)"
	}
	return fmt.Errorf("exopartner: %s: --client-id %s: %s: %s; give the organization's ID instead",
		cmd, contract.Quote(clientID), what, strings.Join(found, ", "))
}
