// Package transport holds the http.RoundTripper chain every exopartner
// request goes through (chain.go):
//
//	Retry( Sign( base ) )
//
// Retry makes the attempts, waits between them, bounds each, caps answer
// bodies, logs one record per attempt and keeps the pause a 429 imposes on
// every call; Sign signs each attempt afresh and refuses any request that
// would leave the endpoint's scheme and host, or go over plain http off
// loopback; base is the user's transport. [Retry.Do] is the one entry point
// for a call whose answer is read: it also sends the call again when its
// answer is cut off while read, within the same attempts, and tells whether
// an earlier attempt may have acted.
//
// When a request is sent again is decided in one place, policy.go. The rules
// as users see them are stated once, on
// [github.com/exopartner/exopartner/wrapper.Client].
package transport
