// Package transport holds the http.RoundTripper chain every exopartner
// request goes through:
//
//	Retry( Sign( base ) )
//
// Retry decides, per attempt, whether a repeat is safe and waits; Sign signs
// each attempt afresh (a retried request gets a new expiry and signature);
// base is the user's transport. Retry also logs one record per attempt and
// caps response bodies.
package transport
