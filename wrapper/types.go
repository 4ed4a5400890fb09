package wrapper

import "github.com/exopartner/exopartner/api"

// The API's types are generated from the spec (package api, `make
// generate`) and exported here under the same names: a field the spec adds
// reaches users of this package with no edit to it. Optional fields are
// plain values, left out of the JSON when zero, except a metering quantity
// (0 is sent) and the numbers of answers (encoded even when 0).
// [ID] (a [github.com/google/uuid.UUID]), [Period] and [PurgeResult] are
// this package's own.
type (
	// Organization is an end-customer organization as the API returns it:
	// ID, Status, ClientID ("" when unset) and BillingAddress. The API
	// returns no display name: it is write-only, set by
	// [CreateOrganizationRequest.DisplayName]; BillingAddress.Name usually
	// carries it.
	Organization = api.Organization

	// Status is an organization's lifecycle state. A state the API adds
	// later decodes without error and keeps its string.
	Status = api.Status

	// BillingAddress is an ISO 20022 structured billing address. Name,
	// StreetName, City, PostalCode and Country are required; Country is ISO
	// 3166-1 alpha-2 in upper case ("CH"). Empty optional fields are not
	// sent.
	BillingAddress = api.BillingAddress

	// CreateOrganizationRequest is what it takes to create an organization:
	// DisplayName, OwnerEmail (the first owner, invited by e-mail) and
	// BillingAddress are required. ClientID is optional but recommended:
	// [Client.EnsureOrganization] keys on it.
	CreateOrganizationRequest = api.CreateOrganizationRequest

	// UsageStatement is one usage statement of an organization for a
	// period, from StartDate to EndDate, with its lines in Usage. Amounts
	// are in Currency (CHF, EUR or USD).
	UsageStatement = api.UsageStatement

	// UsageLine is one line of a usage statement.
	UsageLine = api.UsageLine

	// UsageRecord is one metered quantity pushed with
	// [Client.ApplyMetering]. Quantity may be negative and carry up to five
	// decimal places; it must be finite. It is always sent, even 0.
	UsageRecord = api.UsageRecord
)

// The statuses the API documents. A status added to the spec later is a
// [Status] value too, and its generated constant is in package api.
const (
	StatusActive     = api.StatusActive
	StatusCreated    = api.StatusCreated
	StatusSuspended  = api.StatusSuspended
	StatusTerminated = api.StatusTerminated
)

// PurgeResult is the answer to [Client.SchedulePurge].
type PurgeResult struct {
	Message   string
	Scheduled bool // true for 202 (purge scheduled), false for 200 (purged)
}

// The generated id fields are this package's ID (uuid.UUID), not a type of
// their own: this stops the build if a generator change breaks that.
var _ ID = Organization{}.ID
