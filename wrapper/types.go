package wrapper

import "time"

// Status is an organization's lifecycle state. A state the API adds later
// decodes without error and keeps its string.
type Status string

// The statuses the API documents.
const (
	StatusActive     Status = "active"
	StatusCreated    Status = "created"
	StatusSuspended  Status = "suspended"
	StatusTerminated Status = "terminated"
)

// Organization is an end-customer organization as the API returns it.
type Organization struct {
	ID             ID
	Status         Status
	ClientID       string // the distributor's own reference, "" when unset
	BillingAddress BillingAddress
}

// BillingAddress is an ISO 20022 structured billing address. Name, StreetName,
// City, PostalCode and Country are required; Country is ISO 3166-1 alpha-2 in
// upper case ("CH"). Empty optional fields are not sent.
type BillingAddress struct {
	Name           string
	StreetName     string
	BuildingNumber string
	City           string
	PostalCode     string
	Country        string
	Address        string // free-form fallback for addresses the fields cannot express
}

// CreateOrganizationRequest is what it takes to create an organization.
// ClientID is optional but recommended: [Client.EnsureOrganization] keys on it.
type CreateOrganizationRequest struct {
	DisplayName    string
	OwnerEmail     string // the first owner, invited by e-mail
	ClientID       string
	BillingAddress BillingAddress
}

// UsageStatement is one usage statement of an organization for a period.
// Amounts are in Currency (CHF, EUR or USD).
type UsageStatement struct {
	Code         string
	Currency     string
	TotalExclVAT float64
	TotalInclVAT float64
	Start        time.Time
	End          time.Time
	Lines        []UsageLine
}

// UsageLine is one line of a usage statement.
type UsageLine struct {
	Product      string
	Variable     string
	Description  string
	Quantity     float64
	Unit         string
	TotalExclVAT float64
	TotalInclVAT float64
}

// UsageRecord is one metered quantity pushed with [Client.ApplyMetering].
// Quantity may be negative and carry up to five decimal places; it must be
// finite.
type UsageRecord struct {
	Product  string
	Variable string
	Quantity float64
}

// PurgeResult is the answer to [Client.SchedulePurge].
type PurgeResult struct {
	Message   string
	Scheduled bool // true for 202 (purge scheduled), false for 200 (purged)
}
