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
