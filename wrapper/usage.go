package wrapper

import (
	"context"
	"net/http"

	"github.com/exopartner/exopartner/api"
)

// ListUsage returns an organization's usage statements for a period
// (operationId list-distributor-organization-usage). The zero Period asks for
// the current month.
func (c *Client) ListUsage(ctx context.Context, id ID, period Period) ([]UsageStatement, error) {
	if err := c.checkID(opUsage, "id", id); err != nil {
		return nil, err
	}
	var params *api.ListDistributorOrganizationUsageParams // nil: no period parameter at all
	if !period.IsZero() {
		p := period.String()
		if c.validate {
			if err := validatePeriod(opUsage.id, p); err != nil {
				return nil, err
			}
		}
		params = &api.ListDistributorOrganizationUsageParams{Period: p}
	}
	send := func(ctx context.Context, eds ...api.RequestEditorFn) (*http.Response, error) {
		return c.raw.ClientInterface.ListDistributorOrganizationUsage(ctx, id, params, eds...)
	}
	return call(ctx, c, opUsage, send, decodeJSON[[]UsageStatement])
}
