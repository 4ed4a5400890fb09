package partnertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
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

// org is one organization as the fake stores it: what it returns, and what
// the API keeps but never returns.
type org struct {
	out            api.Organization // as the API returns it
	displayName    string           // write-only
	ownerEmail     string           // write-only
	purgeScheduled bool
}

func (a *API) listOrganizations(*call) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	list := make([]api.Organization, 0, len(a.order))
	for _, id := range a.order {
		list = append(list, a.orgs[id].out)
	}
	return jsonAnswer(http.StatusOK, api.ListDistributorOrganizations200JSONResponseBody{Organizations: list})
}

func (a *API) createOrganization(c *call) answer {
	var in api.CreateOrganizationRequest
	if err := json.Unmarshal(c.body, &in); err != nil {
		return errorf(http.StatusBadRequest, "invalid request: body: %v", err)
	}
	// Every request field the output also has (billing-address, client-id,
	// and any such field a revision of the spec adds) is returned as sent:
	// the body, validated against the spec, is decoded into the output type.
	var out api.Organization
	if err := json.Unmarshal(c.body, &out); err != nil {
		return errorf(http.StatusBadRequest, "invalid request: body: %v", err)
	}
	out.ID, out.Status = uuid.New(), api.StatusActive
	o := &org{out: out, displayName: in.DisplayName, ownerEmail: in.OwnerEmail}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.addLocked(o)
	return jsonAnswer(http.StatusOK, o.out)
}

// addLocked stores o, replacing the organization with the same id if any.
func (a *API) addLocked(o *org) {
	if _, ok := a.orgs[o.out.ID]; !ok {
		a.order = append(a.order, o.out.ID)
	}
	a.orgs[o.out.ID] = o
}

func (a *API) getOrganization(c *call) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ans, ok := a.lookupLocked(c.id())
	if !ok {
		return ans
	}
	return jsonAnswer(http.StatusOK, o.out)
}

func (a *API) activateOrganization(c *call) answer {
	return a.transition(c.id(), api.StatusActive)
}

func (a *API) suspendOrganization(c *call) answer {
	return a.transition(c.id(), api.StatusSuspended)
}

// transition moves an organization to active or suspended; one already
// there is returned unchanged.
func (a *API) transition(id uuid.UUID, to api.Status) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ans, ok := a.liveLocked(id)
	if !ok {
		return ans
	}
	o.out.Status = to
	return jsonAnswer(http.StatusOK, o.out)
}

func (a *API) terminateOrganization(c *call) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ans, ok := a.liveLocked(c.id())
	if !ok {
		return ans
	}
	o.out.Status = api.StatusTerminated
	return jsonAnswer(http.StatusOK, message{fmt.Sprintf("organization %s terminated", o.out.ID)})
}

func (a *API) schedulePurge(c *call) answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ans, ok := a.lookupLocked(c.id())
	if !ok {
		return ans
	}
	if o.out.Status != api.StatusTerminated {
		return errorf(http.StatusConflict, "organization %s is %s: terminate it before scheduling its purge", o.out.ID, o.out.Status)
	}
	o.purgeScheduled = true
	return jsonAnswer(http.StatusAccepted, message{fmt.Sprintf("purge of organization %s scheduled", o.out.ID)})
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
	if ok && o.out.Status == api.StatusTerminated {
		return nil, errorf(http.StatusConflict, "organization %s is terminated", id), false
	}
	return o, ans, ok
}

// Organizations returns a snapshot of every organization, in creation
// order, as the API returns them: the type users of package wrapper get
// (wrapper.Organization is api.Organization).
func (a *API) Organizations() []api.Organization {
	a.mu.Lock()
	defer a.mu.Unlock()
	list := make([]api.Organization, 0, len(a.order))
	for _, id := range a.order {
		list = append(list, deepCopy(a.orgs[id].out))
	}
	return list
}

// Seed stores an organization directly, without a request (it counts in
// neither [API.Requests] nor [API.Applied]), and returns it as stored. Any
// field is kept as given, including fields a revision of the spec adds, so
// a test can read back through a client exactly what it seeded. A zero ID
// gets a new random id, an empty Status becomes active; an organization
// with the ID of a stored one replaces it, keeping its place in the list.
// Its display name, which the API never returns, is BillingAddress.Name.
//
// Seed does not validate: an organization that breaks the contract (a
// country "Switzerland", say) makes every answer carrying it a 500, reported
// through [WithTB].
func (a *API) Seed(o api.Organization) api.Organization {
	o = deepCopy(o) // share no memory with the caller
	if o.ID == (uuid.UUID{}) {
		o.ID = uuid.New()
	}
	if o.Status == "" {
		o.Status = api.StatusActive
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.addLocked(&org{out: o, displayName: o.BillingAddress.Name, ownerEmail: "owner@example.com"})
	return deepCopy(o)
}

// deepCopy copies v so that the copy shares no slice, map or pointer with
// the original, whatever fields the generated types gain: through JSON when
// its type holds any, by assignment otherwise (the common case, and fast).
func deepCopy[T any](v T) T {
	if !holdsReferences(reflect.TypeFor[T]()) {
		return v
	}
	b, err := json.Marshal(v)
	if err != nil { // generated types always marshal: a bug in the fake
		panic(fmt.Sprintf("partnertest: copying %T: %v", v, err))
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("partnertest: copying %T: %v", v, err))
	}
	return out
}

// holdsReferences reports whether a copy of a value of type t by assignment
// can share memory with it. time.Time's location pointer does not count:
// locations are immutable.
func holdsReferences(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return holdsReferences(t.Elem())
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return false
		}
		for i := range t.NumField() {
			if holdsReferences(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// AddOrganizations creates n active organizations directly, without
// requests (they count in neither [API.Requests] nor [API.Applied]), and
// returns their ids in creation order. It seeds large lists quickly, for
// benchmarks; see [API.Seed] for one organization of your own.
func (a *API) AddOrganizations(n int) []uuid.UUID {
	ids := make([]uuid.UUID, 0, max(n, 0))
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range n {
		o := &org{
			out: api.Organization{
				ID:       uuid.New(),
				Status:   api.StatusActive,
				ClientID: fmt.Sprintf("seed-%d", len(a.order)+1),
				BillingAddress: api.BillingAddress{
					Name: "Seeded organization", Country: "CH", City: "Lausanne",
					PostalCode: "1003", StreetName: "Rue du Test",
				},
			},
			displayName: fmt.Sprintf("Seeded organization %d", i+1),
			ownerEmail:  "owner@example.com",
		}
		a.addLocked(o)
		ids = append(ids, o.out.ID)
	}
	return ids
}
