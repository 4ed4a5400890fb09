package partnertest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/contract"
)

// meter is one applied usage quantity, with the month it was applied in.
type meter struct {
	period string // YYYY-MM, by the fake's clock
	data   api.UsageData
}

// applyMetering stores a batch against an existing, non-terminated
// organization and answers like the real API: 204, Content-Type
// application/json, empty body.
//
// The body has been validated against the spec. What the spec leaves
// optional but a batch cannot do without (organization, usage, and each
// entry's product and quantity) is refused here, in the words of the spec's
// own checks (contract.Field, "required"). They belong in the spec's
// required lists once optional and required fields generate the same Go
// types (issue 10's value types); until then the published document and
// ours would generate different types.
func (a *API) applyMetering(c *call) answer {
	var in api.MeteringBatch
	if err := json.Unmarshal(c.body, &in); err != nil {
		return errorf(http.StatusBadRequest, "invalid request: body: %v", err)
	}
	var missing []string
	if in.Organization == nil {
		missing = append(missing, "organization")
	}
	if in.Usage == nil {
		missing = append(missing, "usage")
	} else {
		for i, u := range *in.Usage {
			if u.Product == nil {
				missing = append(missing, contract.Field("usage", strconv.Itoa(i), "product"))
			}
			if u.Quantity == nil {
				missing = append(missing, contract.Field("usage", strconv.Itoa(i), "quantity"))
			}
		}
	}
	if len(missing) > 0 {
		return errorf(http.StatusBadRequest, "invalid request: %s: required", strings.Join(missing, ": required; "))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ans, ok := a.liveLocked(*in.Organization); !ok {
		return ans
	}
	period := periodOf(c.now)
	for _, u := range *in.Usage {
		u.Product, u.Variable, u.Quantity = clone(u.Product), clone(u.Variable), clone(u.Quantity)
		a.metering[*in.Organization] = append(a.metering[*in.Organization], meter{period, u})
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
		out = append(out, api.UsageData{Product: clone(m.data.Product), Variable: clone(m.data.Variable), Quantity: clone(m.data.Quantity)})
	}
	return out
}
