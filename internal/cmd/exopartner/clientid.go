package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/wrapper"
)

// organizationByClientID returns the ID of the organization whose client-id
// is clientID, found with one listing (--client-id X of the commands that
// take an organization), by the rule of wrapper.FindClientID: among the
// live organizations first, then, when none has clientID or a look-alike,
// among the terminated ones (wrapper.FindTerminatedClientID: a customer
// that was terminated, then re-created by sync, is the live one);
// terminated, for schedule-purge, looks among the terminated ones only. A
// conflict, or no organization, is an error (exit 1) naming every
// organization involved, with its status and client-id, or saying none
// has it.
func (e *env) organizationByClientID(ctx context.Context, cmd, clientID string, terminated bool) (wrapper.ID, error) {
	c, err := e.client()
	if err != nil {
		return wrapper.ID{}, err
	}
	orgs, err := c.ListOrganizations(ctx)
	if err != nil {
		return wrapper.ID{}, err
	}
	finds := []func([]wrapper.Organization, string) (wrapper.Organization, bool, error){wrapper.FindClientID, wrapper.FindTerminatedClientID}
	if terminated {
		finds = finds[1:]
	}
	for _, find := range finds {
		org, found, err := find(orgs, clientID)
		var ce *wrapper.ClientIDConflictError
		switch {
		case found:
			return org.ID, nil
		case errors.As(err, &ce):
			return wrapper.ID{}, clientIDConflict(cmd, ce)
		case err != nil:
			return wrapper.ID{}, err
		}
	}
	which := ""
	if terminated {
		which = "terminated "
	}
	return wrapper.ID{}, fmt.Errorf("exopartner: %s: --client-id %s: no %sorganization has this client-id or one like it (%d organizations listed)",
		cmd, contract.Quote(clientID), which, len(orgs))
}

// clientIDConflict names the organizations that have the client-id asked
// for, or a look-alike of it, in the command line's words.
func clientIDConflict(cmd string, ce *wrapper.ClientIDConflictError) error {
	found := make([]string, len(ce.Organizations))
	for i, o := range ce.Organizations {
		found[i] = fmt.Sprintf("%s (%s, client-id %s)", o.ID, o.Status, contract.Quote(o.ClientID))
	}
	what := fmt.Sprintf("%d organizations have this client-id", len(ce.Organizations))
	if !ce.Exact() {
		what = "organizations have client-ids that look like it (equal after Unicode NFC, trimming and case folding)"
	}
	return fmt.Errorf("exopartner: %s: --client-id %s: %s: %s; give the organization's ID instead",
		cmd, contract.Quote(ce.ClientID), what, strings.Join(found, ", "))
}
