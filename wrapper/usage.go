package wrapper

import "context"

// ListUsage returns an organization's usage statements for a period
// (operationId list-distributor-organization-usage). The zero Period asks for
// the current month.
func (c *Client) ListUsage(ctx context.Context, id ID, period Period) ([]UsageStatement, error) {
	if err := c.checkID(opUsage, "id", id); err != nil {
		return nil, err
	}
	req := request{id: id}
	if !period.IsZero() {
		req.period = period.String()
		if c.validate {
			if err := validatePeriod(opUsage.id, req.period); err != nil {
				return nil, err
			}
		}
	}
	return call(ctx, c, opUsage, c.sender(opUsage, req), decodeJSON[[]UsageStatement])
}
