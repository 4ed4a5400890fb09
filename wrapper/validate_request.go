package wrapper

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// ValidateCreateOrganizationRequest checks req against the API's contract
// exactly as [Client.CreateOrganization] does before sending, and sends
// nothing. It returns nil or a *ValidationError listing every field that
// breaks a rule, named as on the wire ("display-name",
// "billing-address.country"). Use it to validate a whole input file before
// the first request of a job.
func ValidateCreateOrganizationRequest(req CreateOrganizationRequest) error {
	val, err := sharedValidator()
	if err != nil {
		return err
	}
	body := createToAPI(req)
	doc, ok := jsonValue(reflect.ValueOf(body))
	if !ok { // a shape jsonValue does not cover: decode what would be sent
		raw, err := json.Marshal(body)
		if err == nil {
			err = json.Unmarshal(raw, &doc)
		}
		if err != nil {
			return fmt.Errorf("exopartner: %s: encoding request: %w", opCreate.id, err)
		}
	}
	return val.check(opCreate.id, val.createBody, doc)
}
