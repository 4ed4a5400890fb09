// Package partnertest provides an in-memory Exoscale Partner API for tests,
// in the spirit of net/http/httptest and cloud.google.com/go/pubsub/pstest.
//
//	srv := partnertest.NewServer()
//	defer srv.Close()
//	// point a client at srv.URL with srv.Key() and srv.Secret()
//
// The fake is driven by the same embedded OpenAPI document as the client:
// requests are routed by the spec's path templates, authenticated with the
// project's EXO2-HMAC-SHA256 verifier, and validated against the spec
// (a contract violation answers 400 naming the field as it appears on the
// wire, e.g. "billing-address.country"). Its own answers are validated too;
// one that breaks the contract is answered 500 and, with [WithTB], fails
// the test. [WithoutAnswerValidation] skips that second check, for a fake
// that serves load (a benchmark) rather than a test.
//
// Behaviour follows the real API: organizations are created active, can be
// suspended, re-activated, terminated and, once terminated, scheduled for
// purge; metering is stored and shows up in the current month's usage
// statement; other months get deterministic synthetic statements; the
// metering endpoint answers 204 with a JSON Content-Type and an empty body.
//
// The fake stores and returns the types users of package wrapper get
// (wrapper.Organization is api.Organization, generated from the spec):
// [API.Seed] stores an organization carrying any field, [API.Organizations]
// and [API.Metering] return snapshots in those types. A field a revision of
// the spec adds flows through with `make generate` and no edit here: a
// create keeps every request field the output also declares.
//
// For retry and resilience tests, [API.InjectFault] makes the next requests
// of an operation fail in a chosen way (status and Retry-After, dropped
// connection, truncated or malformed body, HTML error page, oversized body,
// latency), optionally after carrying out the operation. [API.Requests] and
// [API.Applied] tell how many requests arrived and how many took effect.
//
// Operations are named by their operationId in the spec:
// list-distributor-organizations, create-distributor-organization,
// get-distributor-organization, activate-distributor-organization,
// suspend-distributor-organization, terminate-distributor-organization,
// schedule-purge-distributor-organization,
// list-distributor-organization-usage and metering-transaction.
package partnertest
