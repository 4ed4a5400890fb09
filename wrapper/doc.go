// Package wrapper is exopartner's client for the Exoscale Partner API: the
// package Go programs import.
//
// A distributor uses it to provision and run end customers' organizations
// (create, list, get, activate, suspend, terminate, schedule purge), read
// each organization's monthly usage, and push metering transactions.
//
//	client, err := wrapper.New() // credentials from the environment or the exo CLI
//	org, err := client.CreateOrganization(ctx, wrapper.CreateOrganizationRequest{...})
//
// Every method takes a [context.Context] first and returns plain Go values
// ([Organization], [UsageStatement]) or an error usable with [errors.Is] and
// [errors.As]:
//
//   - [*ValidationError] (errors.Is [ErrInvalidInput]): the input broke the
//     API's contract; nothing was sent. Every string sent must be valid
//     UTF-8, and a new organization's client-id canonical text.
//   - [*ClientIDConflictError] (errors.Is [ErrClientIDConflict]): live
//     organizations have client-ids that look like the one asked for
//     ("CRM-3" for "crm-3", NFD for NFC); [Client.EnsureOrganization]
//     neither matches nor duplicates them, and a person decides.
//   - [*APIError]: the API answered non-2xx (a 3xx included); errors.Is
//     matches [ErrClient], [ErrAuth], [ErrNotFound], [ErrConflict],
//     [ErrRateLimited], [ErrServer].
//   - [ErrOutcomeUnknown]: a create or metering call may or may not have been
//     applied.
//   - [*DecodeError]: a 2xx answer whose body could not be decoded, or that
//     lacks its result (an organization without id or status, a metering
//     answer that does not acknowledge).
//
// How requests are signed, when a call is repeated, when its outcome is
// unknown and why redirects are never followed: see [Client], where each
// rule is stated once. The raw generated client stays reachable through
// [Client.Raw]. The package partnertest provides an in-memory Partner API
// for tests.
package wrapper
