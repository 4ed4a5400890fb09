package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/exopartner/exopartner/wrapper"
)

// organizationByClientID returns the ID of the one organization whose
// client-id is exactly clientID, found with one listing (--client-id X of
// the commands that take an organization). None, or more than one, is an
// error (exit 1) naming what the listing holds: the look-alikes of X
// (another case, surrounding spaces), or every match with its status.
func (e *env) organizationByClientID(ctx context.Context, cmd, clientID string) (wrapper.ID, error) {
	c, err := e.client()
	if err != nil {
		return wrapper.ID{}, err
	}
	orgs, err := c.ListOrganizations(ctx)
	if err != nil {
		return wrapper.ID{}, err
	}
	var matches []wrapper.Organization
	var alike []string
	for _, o := range orgs {
		switch {
		case o.ClientID == clientID:
			matches = append(matches, o)
		case strings.EqualFold(strings.TrimSpace(o.ClientID), strings.TrimSpace(clientID)):
			alike = append(alike, fmt.Sprintf("%q (%s)", o.ClientID, o.ID))
		}
	}
	switch len(matches) {
	case 1:
		return matches[0].ID, nil
	case 0:
		msg := fmt.Sprintf("exopartner: %s: --client-id %q: no organization has this client-id (%d organizations listed)", cmd, clientID, len(orgs))
		if len(alike) > 0 {
			msg += "; client-ids differ in case or spaces: did you mean " + strings.Join(alike, " or ") + "?"
		}
		return wrapper.ID{}, fmt.Errorf("%s", msg)
	}
	found := make([]string, len(matches))
	for i, o := range matches {
		found[i] = fmt.Sprintf("%s (%s)", o.ID, o.Status)
	}
	return wrapper.ID{}, fmt.Errorf("exopartner: %s: --client-id %q: %d organizations have this client-id: %s; give the organization's ID instead",
		cmd, clientID, len(matches), strings.Join(found, ", "))
}
