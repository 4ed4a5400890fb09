package wrapper

// The API's types are generated from the spec (package api, `make
// generate`) and re-exported under the same names in types.gen.go, written
// by the same generation: [Organization], [CreateOrganizationRequest],
// [BillingAddress], [UsageStatement], [UsageLine], [UsageRecord] and
// [Status] with its constants, each documented with its fields as the spec
// describes them. A field the spec adds reaches users of this package with
// no edit to it. Optional fields are plain values, left out of the JSON
// when zero, except a metering quantity (0 is sent) and the numbers of
// answers (encoded even when 0). [ID] (a [github.com/google/uuid.UUID]),
// [Period] and [PurgeResult] are this package's own.

// PurgeResult is the answer to [Client.SchedulePurge].
type PurgeResult struct {
	Message   string
	Scheduled bool // true for 202 (purge scheduled), false for 200 (purged)
}

// The generated id fields are this package's ID (uuid.UUID), not a type of
// their own: this stops the build if a generator change breaks that.
var _ ID = Organization{}.ID
