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
	data   api.UsageRecord
}

// applyMetering stores a batch against an existing, non-terminated
// organization and answers like the real API: 204, Content-Type
// application/json, empty body.
//
// The body has been validated against the spec, whose required lists
// (organization, usage, and each entry's product and quantity) are the
// rules a batch must meet; nothing is checked twice here.
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
