package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/api"
)

// ApplyMetering records usage quantities against an organization for
// consolidated billing (operationId metering-transaction). It is not
// idempotent: when it fails with an error matching [ErrOutcomeUnknown], the
// usage may have been applied, and sending it again may bill it twice.
func (c *Client) ApplyMetering(ctx context.Context, org ID, usage []UsageRecord) error {
	if err := c.checkID(opMetering, "organization", org); err != nil {
		return err
	}
	// JSON has no NaN or infinity: say which quantity, before encoding fails.
	for i, u := range usage {
		if math.IsNaN(u.Quantity) || math.IsInf(u.Quantity, 0) {
			return invalid(opMetering.id, fmt.Sprintf("usage[%d].quantity", i), "must be a finite number")
		}
	}
	body, err := c.encode(opMetering, meteringToAPI(org, usage), func(v *validator) *openapi3.Schema { return v.meteringBody })
	if err != nil {
		return err
	}
	send := func(ctx context.Context, eds ...api.RequestEditorFn) (*http.Response, error) {
		return c.raw.ClientInterface.MeteringTransactionWithBody(ctx, "application/json", bytes.NewReader(body), eds...)
	}
	// Any 2xx means applied: the API answers 204, with or without a body.
	_, err = call(ctx, c, opMetering, send, discard)
	return err
}

// discard is the parser of answers whose body carries nothing of use.
func discard(r *http.Response) (struct{}, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	return struct{}{}, r.Body.Close()
}
