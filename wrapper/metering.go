package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/contract"
)

// ApplyMetering records usage quantities against the organization id for
// consolidated billing (operationId metering-transaction; id goes on the wire
// as "organization"). It is not idempotent (see [Client]): when it fails
// with an error matching [ErrOutcomeUnknown], the usage may have been
// applied, and sending it again may bill it twice.
//
// A quantity has at most five decimals, as the number is sent (its shortest
// decimal form): 1.123456, or a float sum such as 0.1+0.2
// (0.30000000000000004), is refused as invalid input naming
// usage[i].quantity, and nothing is sent. Round it yourself, e.g.
// math.Round(q*1e5)/1e5. A product or variable that is not valid UTF-8
// (read from a Windows-1252 file, say) is refused too, naming
// usage[i].product or usage[i].variable, even with [WithoutValidation]:
// encoding/json would send "caf\xe9" and "caf\xe8" both as "caf\uFFFD".
func (c *Client) ApplyMetering(ctx context.Context, id ID, usage []UsageRecord) error {
	if err := requireID(opMetering.opSpec, "organization", id); err != nil {
		return err
	}
	body, err := meteringBody(id, usage, c.validate)
	if err != nil {
		return err
	}
	_, err = call(ctx, c, opMetering, request{body: body})
	return err
}

// meteringBody encodes the body ApplyMetering sends and, when validate is
// set, checks it against the spec's schema for the operation.
func meteringBody(id ID, usage []UsageRecord, validate bool) ([]byte, error) {
	// JSON has no NaN or infinity: say which quantity, before encoding fails.
	for i, u := range usage {
		if math.IsNaN(u.Quantity) || math.IsInf(u.Quantity, 0) {
			return nil, invalid(opMetering.id, contract.Field("usage", strconv.Itoa(i), "quantity"), "must be a finite number")
		}
	}
	if usage == nil {
		usage = []UsageRecord{} // sent as [], so that the spec's minItems names it
	}
	return encode(opMetering.opSpec, api.MeteringBatch{Organization: id, Usage: usage}, validate)
}

// meteringAck accepts what the API answers on success: 204 (its body dropped
// by call), or another 2xx whose body is empty or the declared ok-map with
// "ok": true. Any other 2xx (an HTML page from a proxy, null, {} or
// {"ok":false}, say) is not taken as proof that the usage was applied: the
// outcome is unknown.
func meteringAck(r *http.Response) (struct{}, error) {
	defer r.Body.Close()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return struct{}{}, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return struct{}{}, nil
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		return struct{}{}, noJSON(r.Header.Get("Content-Type"))
	}
	var ack *api.OkMap
	if err := json.Unmarshal(body, &ack); err != nil {
		return struct{}{}, err
	}
	if ack == nil || !ack.Ok {
		return struct{}{}, fmt.Errorf("the answer %s does not acknowledge the usage", bytes.TrimSpace(body))
	}
	return struct{}{}, nil
}
