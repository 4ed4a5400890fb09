package wrapper

// ValidateCreateOrganizationRequest checks req against the API's contract
// exactly as [Client.CreateOrganization] does before sending, and sends
// nothing. It returns nil or a *ValidationError listing every field that
// breaks a rule, named as on the wire ("display-name",
// "billing-address.country"), the client-id rule of [ClientIDKey] and the
// UTF-8 rule included. Use it to validate a whole input file before the
// first request of a job.
func ValidateCreateOrganizationRequest(req CreateOrganizationRequest) error {
	_, err := encode(opCreate, req, createSchema, true)
	return err
}

// ValidateMeteringUsage checks usage against the API's contract exactly as
// [Client.ApplyMetering] checks it before sending (at least one record,
// every quantity finite with at most five decimals, the product and
// variable as the spec allows them), and sends nothing. It returns nil or a
// *ValidationError naming usage[i].field. Use it to refuse bad usage before
// the requests that find the organization it is for.
func ValidateMeteringUsage(usage []UsageRecord) error {
	_, err := meteringBody(meteringPlaceholder, usage, true)
	return err
}

// meteringPlaceholder stands in for the organization when only the usage
// is checked: any valid id does.
var meteringPlaceholder = ID{0: 1}
