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
	var params api.ListDistributorOrganizationUsageParams
	if !period.IsZero() {
		p := period.String()
		if c.validate {
			if err := validatePeriod(opUsage.id, p); err != nil {
				return nil, err
			}
		}
		params.Period = &p
	}
	send := func(ctx context.Context, eds ...api.RequestEditorFn) (*http.Response, error) {
		return c.raw.ClientInterface.ListDistributorOrganizationUsage(ctx, id, &params, eds...)
	}
	r, err := call(ctx, c, opUsage, send, api.ParseListDistributorOrganizationUsageResponse)
	if err != nil {
		return nil, err
	}
	if r.JSON200 == nil {
		return nil, c.decodeError(opUsage, r.HTTPResponse, noJSON(r))
	}
	return usageFromAPI(*r.JSON200), nil
}
