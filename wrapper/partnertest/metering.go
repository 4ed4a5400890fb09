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
	data   api.UsageRecord
}

// applyMetering stores a batch against an existing, non-terminated
// organization and answers like the real API: 204, Content-Type
// application/json, empty body.
//
// The body has been validated against the spec. What the spec leaves
// optional but a batch cannot do without (organization, usage, and each
// entry's product and quantity) is refused here, in the words of the spec's
// own checks (contract.Field, "required"). Moving these
// into the spec's required lists would change the generated json tags
// (no omitempty), so the published document and ours would no longer
// generate the same exported API.
func (a *API) applyMetering(c *call) answer {
	var in api.MeteringBatch
	if err := json.Unmarshal(c.body, &in); err != nil {
		return errorf(http.StatusBadRequest, "invalid request: body: %v", err)
	}
	var missing []string
	if in.Organization == (uuid.UUID{}) {
		missing = append(missing, "organization")
	}
	if len(in.Usage) == 0 {
		missing = append(missing, "usage")
	}
	var quantities struct { // a quantity of 0 and an absent one decode alike in api.MeteringBatch
		Usage []struct {
			Quantity *float64 `json:"quantity"`
		} `json:"usage"`
	}
	_ = json.Unmarshal(c.body, &quantities) // the same body decoded above
	for i, u := range in.Usage {
		if u.Product == "" {
			missing = append(missing, contract.Field("usage", strconv.Itoa(i), "product"))
		}
		if i < len(quantities.Usage) && quantities.Usage[i].Quantity == nil {
			missing = append(missing, contract.Field("usage", strconv.Itoa(i), "quantity"))
		}
	}
	if len(missing) > 0 {
		return errorf(http.StatusBadRequest, "invalid request: %s: required", strings.Join(missing, ": required; "))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ans, ok := a.liveLocked(in.Organization); !ok {
		return ans
	}
	period := periodOf(c.now)
	for _, u := range in.Usage { // decoded for this call: shared with nothing
		a.metering[in.Organization] = append(a.metering[in.Organization], meter{period, u})
	}
	return answer{status: http.StatusNoContent}
}

// Metering returns a snapshot of the usage quantities applied to an
// organization, in the order they were applied: the records a client sent
// (wrapper.UsageRecord is api.UsageRecord).
func (a *API) Metering(org uuid.UUID) []api.UsageRecord {
	a.mu.Lock()
	defer a.mu.Unlock()
	ms := a.metering[org]
	out := make([]api.UsageRecord, 0, len(ms))
	for _, m := range ms {
		out = append(out, deepCopy(m.data))
	}
	return out
}
