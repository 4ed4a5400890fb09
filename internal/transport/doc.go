// Package transport holds the http.RoundTripper chain every exopartner
// request goes through:
//
//	Retry( Sign( base ) )
//
// Retry decides, per attempt, whether a repeat is safe and waits; Sign signs
// each attempt afresh (a retried request gets a new expiry and signature);
// base is the user's transport. Retry also logs one record per attempt,
// caps response bodies, and keeps the pause a 429 imposes on every call.
// Sign refuses any request leaving the endpoint's scheme and host, or going
// over plain http off loopback, so a followed redirect is never signed.
//
// The whole retry policy lives here. A [Call] in the request's context lets
// the caller, which reads the body after RoundTrip returned, send a call
// again when its answer was cut off ([Retry.RetryRead]) within the same
// attempt budget, and learn whether an earlier attempt may have acted
// ([Call.MayHaveActed]).
package transport
