package partnertest

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"

	"github.com/exopartner/exopartner/api"
)

// meter is one applied usage quantity, with the month it was applied in.
type meter struct {
	period string // YYYY-MM, by the fake's clock
	data   api.UsageData
}

// applyMetering stores a batch against an existing, non-terminated
// organization and answers like the real API: 204, Content-Type
// application/json, empty body. The body has been validated against the
// spec (organization, usage, and each entry's product and quantity are
// required there): this handler checks no rule of its own.
func (a *API) applyMetering(c *call) answer {
	var in api.MeteringBatch
	if err := json.Unmarshal(c.body, &in); err != nil {
		return errorf(http.StatusBadRequest, "invalid request: body: %v", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ans, ok := a.liveLocked(in.Organization); !ok {
		return ans
	}
	period := periodOf(c.now)
	for _, u := range in.Usage {
		u.Variable = clone(u.Variable)
		a.metering[in.Organization] = append(a.metering[in.Organization], meter{period, u})
	}
	return answer{status: http.StatusNoContent}
}

// Metering returns a snapshot of the usage quantities applied to an
// organization, in the order they were applied.
func (a *API) Metering(org uuid.UUID) []api.UsageData {
	a.mu.Lock()
	defer a.mu.Unlock()
	ms := a.metering[org]
	out := make([]api.UsageData, 0, len(ms))
	for _, m := range ms {
		out = append(out, api.UsageData{Product: m.data.Product, Variable: clone(m.data.Variable), Quantity: m.data.Quantity})
	}
	return out
}
