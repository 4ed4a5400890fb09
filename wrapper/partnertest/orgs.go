package partnertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/exopartner/exopartner/api"
)

// call is one validated request, handed to an operation's handler.
type call struct {
	r     *http.Request
	route specRoute
	body  []byte
	now   time.Time
}

// id is the {id} path parameter, already validated as a UUID.
func (c *call) id() uuid.UUID { return uuid.MustParse(c.route.PathParams["id"]) }

// handlers carry each operation of the spec out; a test checks that every
// operationId of the spec has one.
var handlers = map[string]func(*API, *call) answer{
	"list-distributor-organizations":          (*API).listOrganizations,
	"create-distributor-organization":         (*API).createOrganization,
	"get-distributor-organization":            (*API).getOrganization,
	"activate-distributor-organization":       (*API).activateOrganization,
	"suspend-distributor-organization":        (*API).suspendOrganization,
	"terminate-distributor-organization":      (*API).terminateOrganization,
	"schedule-purge-distributor-organization": (*API).schedulePurge,
	"list-distributor-organization-usage":     (*API).listUsage,
	"metering-transaction":                    (*API).applyMetering,
}

// org is one organization as the fake stores it.
type org struct {
	id             uuid.UUID
	status         api.OrganizationOutputStatus
	displayName    string
	ownerEmail     string // writeOnly: kept, never returned
	clientID       *string
	billing        api.BillingAddress
	purgeScheduled bool
}

// output is o as the API returns it, sharing no memory with o.
func (o *org) output() api.OrganizationOutput {
	id, status, b := o.id, o.status, o.billing
	b.Address, b.BuildingNumber = clone(b.Address), clone(b.BuildingNumber)
	return api.OrganizationOutput{Id: &id, Status: &status, ClientId: clone(o.clientID), BillingAddress: &b}
}

func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func (a *API) listOrganizations(*call) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	list := make([]api.OrganizationOutput, 0, len(a.order))
	for _, id := range a.order {
		list = append(list, a.orgs[id].output())
	}
	return jsonAnswer(http.StatusOK, api.ListDistributorOrganizations200JSONResponseBody{Organizations: &list})
}

func (a *API) createOrganization(c *call) answer {
	var in api.OrganizationInput
	if err := json.Unmarshal(c.body, &in); err != nil {
		return errorf(http.StatusBadRequest, "invalid request: body: %v", err)
	}
	o := &org{id: uuid.New(), status: api.Active, displayName: in.DisplayName, clientID: in.ClientId, billing: in.BillingAddress}
	if in.OwnerEmail != nil {
		o.ownerEmail = *in.OwnerEmail
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.addLocked(o)
	return jsonAnswer(http.StatusOK, o.output())
}

func (a *API) addLocked(o *org) {
	a.orgs[o.id] = o
	a.order = append(a.order, o.id)
}

func (a *API) getOrganization(c *call) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ans, ok := a.lookupLocked(c.id())
	if !ok {
		return ans
	}
	return jsonAnswer(http.StatusOK, o.output())
}

func (a *API) activateOrganization(c *call) answer {
	return a.transition(c.id(), api.Active)
}

func (a *API) suspendOrganization(c *call) answer {
	return a.transition(c.id(), api.Suspended)
}

// transition moves an organization to active or suspended; one already
// there is returned unchanged.
func (a *API) transition(id uuid.UUID, to api.OrganizationOutputStatus) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ans, ok := a.liveLocked(id)
	if !ok {
		return ans
	}
	o.status = to
	return jsonAnswer(http.StatusOK, o.output())
}

func (a *API) terminateOrganization(c *call) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ans, ok := a.liveLocked(c.id())
	if !ok {
		return ans
	}
	o.status = api.Terminated
	return jsonAnswer(http.StatusOK, message{fmt.Sprintf("organization %s terminated", o.id)})
}

func (a *API) schedulePurge(c *call) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ans, ok := a.lookupLocked(c.id())
	if !ok {
		return ans
	}
	if o.status != api.Terminated {
		return errorf(http.StatusConflict, "organization %s is %s: terminate it before scheduling its purge", o.id, o.status)
	}
	o.purgeScheduled = true
	return jsonAnswer(http.StatusAccepted, message{fmt.Sprintf("purge of organization %s scheduled", o.id)})
}

// lookupLocked finds an organization, or answers 404.
func (a *API) lookupLocked(id uuid.UUID) (*org, answer, bool) {
	o, ok := a.orgs[id]
	if !ok {
		return nil, errorf(http.StatusNotFound, "organization %s not found", id), false
	}
	return o, answer{}, true
}

// liveLocked finds an organization that is not terminated, or answers 404
// or 409.
func (a *API) liveLocked(id uuid.UUID) (*org, answer, bool) {
	o, ans, ok := a.lookupLocked(id)
	if ok && o.status == api.Terminated {
		return nil, errorf(http.StatusConflict, "organization %s is terminated", id), false
	}
	return o, ans, ok
}

// Organizations returns a snapshot of every organization, in creation order.
func (a *API) Organizations() []api.OrganizationOutput {
	a.mu.Lock()
	defer a.mu.Unlock()
	list := make([]api.OrganizationOutput, 0, len(a.order))
	for _, id := range a.order {
		list = append(list, a.orgs[id].output())
	}
	return list
}

// AddOrganizations creates n active organizations directly, without
// requests (they count in neither [API.Requests] nor [API.Applied]), and
// returns their ids in creation order. It seeds large lists quickly, for
// benchmarks.
func (a *API) AddOrganizations(n int) []uuid.UUID {
	ids := make([]uuid.UUID, 0, max(n, 0))
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range n {
		clientID := fmt.Sprintf("seed-%d", len(a.order)+1)
		o := &org{
			id:          uuid.New(),
			status:      api.Active,
			displayName: fmt.Sprintf("Seeded organization %d", i+1),
			ownerEmail:  "owner@example.com",
			clientID:    &clientID,
			billing: api.BillingAddress{
				Name: "Seeded organization", Country: "CH", City: "Lausanne",
				PostalCode: "1003", StreetName: "Rue du Test",
			},
		}
		a.addLocked(o)
		ids = append(ids, o.id)
	}
	return ids
}
