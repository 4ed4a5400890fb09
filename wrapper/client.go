package wrapper

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"time"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/internal/transport"
)

// Version is this library's version, sent in the User-Agent.
const Version = "0.1.0"

// Defaults of the transport.
const (
	// DefaultMaxResponseBytes caps every answer but the list of
	// organizations (see [WithMaxResponseBytes]).
	DefaultMaxResponseBytes = 10 << 20
	// DefaultMaxListResponseBytes caps the list of organizations: at about
	// 230 bytes per organization, room for more than [MaxAnswerItems].
	DefaultMaxListResponseBytes = 64 << 20
	// DefaultAttemptTimeout bounds each attempt of a call (see
	// [WithAttemptTimeout]).
	DefaultAttemptTimeout = 30 * time.Second
	// DefaultMaxIdleConnsPerHost is the idle connection pool of the
	// transport New builds when no WithHTTPClient is given.
	DefaultMaxIdleConnsPerHost = 64
)

// MaxAnswerItems is the most array items one answer may hold, counted in
// every array of it: the organizations of the list, the statements and
// their lines of a usage answer. A larger answer fails the call with an
// error matching [ErrResponseTooLarge], as a body over its byte cap does.
// An answer's memory once decoded grows with its
// items more than with its bytes (a minimal organization of 60 bytes decodes
// to over 160), so the item bound and the byte caps together keep any
// single answer, with the default caps, far below 1 GiB of heap (see
// BENCHMARKS.md for the worst answers measured).
const MaxAnswerItems = 500_000

// Client calls the Partner API. It is safe for concurrent use; create one and
// share it. When the last call is done, [Client.CloseIdleConnections]
// releases its idle connections.
//
// This comment states, once, how every call is sent, repeated and judged;
// the rest of the package, the README and the transport refer to it.
//
// # Signing
//
// Every request is signed with EXO2-HMAC-SHA256, afresh for every attempt
// (a new expiry and signature each time).
//
// # Retries
//
// A call makes its attempts ([WithRetry]), each bounded
// ([WithAttemptTimeout]), with capped exponential backoff and full jitter
// between them, never waiting past the context's deadline, and repeats a
// request only when that is safe:
//
//   - reads (list, get, usage), the PUT actions (activate, suspend, schedule
//     purge) and terminate are repeated on a connection error, 429, 502, 503
//     and 504. An answer cut off while its body is read (a reset, an early
//     EOF, the attempt's deadline) is a connection error too, within the
//     same attempts.
//   - create and metering are repeated only when the server certainly did
//     not act: on 429, or a connection that failed before the request was
//     written.
//
// An answer refused for its size (bytes or items: [ErrResponseTooLarge]) is
// never sent for again. When a deadline ends a call, its error matches
// context.DeadlineExceeded.
//
// # Throttling
//
// A 429's Retry-After is honoured when it is at most the retry cap
// ([WithRetry]'s maxBackoff), and then pauses every call of the client until it ends, not only the one
// told to wait: a fan-out stops hitting a throttled API together. A longer
// Retry-After is never cut short: the call fails at once with an
// *[APIError] matching [ErrRateLimited] whose RetryAfter says how long the
// server asked to wait.
//
// # Outcome unknown
//
// Create and metering are not idempotent: repeating them blindly could
// create a second organization or bill usage twice. When one fails after
// the server may have acted, its error matches [ErrOutcomeUnknown]: a 5xx
// or 3xx answer, a connection lost or an attempt timed out after the
// request was written, or a 2xx answer that cannot be decoded or lacks its
// result (a create answered without the new organization's id and status:
// it may exist, with its id lost). Check before repeating;
// [Client.EnsureOrganization] does so for creates.
//
// # Actions repeated after acting
//
// When activate, suspend or terminate was repeated after an attempt the
// server may have carried out (a 5xx, a lost connection, a cut-off answer)
// and the repeat is answered 409, the organization is read: if it is in the
// action's target state, the action succeeded (the conflict was its own
// effect); otherwise the *APIError 409 is returned.
//
// # Redirects
//
// Redirects are never followed: the Partner API does not redirect, and a
// signature sent elsewhere could be replayed. A 3xx answer is an *[APIError]
// (for create and metering also [ErrOutcomeUnknown], as a 5xx is, since
// whatever redirected the request may have passed it on). When the
// [WithHTTPClient] client follows redirects itself, no hop is signed, to
// another host or to the endpoint's own: it is refused unsigned, matching
// [ErrLeavesEndpoint]. No request leaves the endpoint's scheme and host, and
// none goes over plain http to a host that is not loopback (unless
// [WithInsecure]).
type Client struct {
	server    string                // the endpoint as the generated builders take it
	editors   []api.RequestEditorFn // the User-Agent's, then WithRequestEditor's
	raw       *api.ClientWithResponses
	hc        *http.Client // its transport is retry
	retry     *transport.Retry
	endpoint  string
	key       string
	userAgent string
	redact    *redactor
	now       func() time.Time
	timeout   time.Duration
	validate  bool
	// maxBodyOption is WithMaxResponseBytes; 0: each operation's default.
	maxBodyOption int64
	maxItems      int // MaxAnswerItems; less in tests
}

// New returns a Client. Credentials come from [WithCredentials], else
// EXOSCALE_API_KEY and EXOSCALE_API_SECRET, else the exo CLI configuration
// file (EXOSCALE_CONFIG or its default locations; account EXOSCALE_ACCOUNT or
// defaultAccount). Missing or half-set credentials are an error matching
// [ErrNoCredentials] that says what was tried; so is a configuration file
// that cannot be decoded, named by file, line and key, never by value.
//
// An account's secretCommand runs without input in a process group of its
// own: after 30 s it and every process it started there are killed, and New
// returns at most a second later. It must print the secret alone on one line
// (at most 4 KiB). Its failure is an error giving the last 200 bytes of its
// stderr, without terminal escapes, without what it printed on stdout and
// without words that look like credentials.
func New(opts ...Option) (*Client, error) {
	cfg, endpoint, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	c := &Client{
		endpoint:      endpoint.String(),
		key:           cfg.key,
		userAgent:     userAgent(cfg.userAgent),
		redact:        newRedactor(cfg.secret),
		now:           cfg.now,
		timeout:       cfg.timeout,
		validate:      !cfg.noValidation,
		maxBodyOption: cfg.maxBody,
		maxItems:      MaxAnswerItems,
	}
	c.retry = newTransport(cfg, endpoint, c.redact)
	c.hc = httpClient(cfg.httpClient, c.retry)
	c.editors = []api.RequestEditorFn{c.setUserAgent}
	for _, e := range cfg.editors {
		c.editors = append(c.editors, api.RequestEditorFn(e))
	}
	if err := c.generatedClient(); err != nil {
		return nil, err
	}
	return c, nil
}

// resolve applies the options and resolves the credentials and the
// endpoint; with validation on, it loads the embedded spec's validator, so
// that a broken spec fails New rather than the first call.
func resolve(opts []Option) (*config, *url.URL, error) {
	cfg := &config{attemptTimeout: DefaultAttemptTimeout, retry: transport.DefaultPolicy(), now: time.Now}
	for _, o := range opts {
		o(cfg)
	}
	if cfg.optErr != nil {
		return nil, nil, cfg.optErr
	}
	if err := resolveCredentials(cfg); err != nil {
		return nil, nil, err
	}
	endpoint, err := resolveEndpoint(cfg)
	if err != nil {
		return nil, nil, err
	}
	if !cfg.noValidation {
		if _, err := sharedValidator(); err != nil {
			return nil, nil, err
		}
	}
	return cfg, endpoint, nil
}

// newTransport builds the chain Retry(Sign(base)), base being the
// [WithHTTPClient] client's transport or a clone of http.DefaultTransport
// with a pool for fan-out (http.DefaultTransport keeps 2 idle connections
// per host: UsageFor would open and close connections constantly).
func newTransport(cfg *config, endpoint *url.URL, red *redactor) *transport.Retry {
	var base http.RoundTripper
	if cfg.httpClient != nil {
		base = cfg.httpClient.Transport
	}
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
		base = t
	}
	s := signer.New(cfg.key, cfg.secret, signer.WithClock(cfg.now), signer.WithIssued(red.issued))
	maxBody := cfg.maxBody
	if maxBody == 0 {
		maxBody = DefaultMaxResponseBytes // Raw's answers; the wrapper's calls set theirs
	}
	return &transport.Retry{
		Next:           &transport.Sign{Signer: s, Next: base, Scheme: endpoint.Scheme, Host: endpoint.Host, AllowHTTP: cfg.insecure},
		Policy:         cfg.retry,
		AttemptTimeout: cfg.attemptTimeout,
		MaxBody:        maxBody,
		Logger:         cfg.logger,
		Now:            cfg.now,
		Redact:         func(s string) string { return red.cut(s, maxErrorText, false) },
	}
}

// httpClient is a copy of the [WithHTTPClient] client (or a new one) whose
// transport is rt and which, unless its CheckRedirect says otherwise, never
// follows a redirect: the API never redirects, a 3xx is the answer.
func httpClient(given *http.Client, rt http.RoundTripper) *http.Client {
	hc := &http.Client{}
	if given != nil {
		*hc = *given
	}
	if hc.CheckRedirect == nil {
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	hc.Transport = rt
	return hc
}

// userAgent is "exopartner/VERSION go/GOVERSION", then the WithUserAgent suffix.
func userAgent(suffix string) string {
	ua := fmt.Sprintf("exopartner/%s go/%s", Version, runtime.Version())
	if suffix != "" {
		ua += " " + suffix
	}
	return ua
}

// generatedClient makes Raw's client, the generated one, with the same
// HTTP client and request editors as the wrapper's calls, and the server
// the generated builders take.
func (c *Client) generatedClient() error {
	opts := []api.ClientOption{api.WithHTTPClient(c.hc)}
	for _, e := range c.editors {
		opts = append(opts, api.WithRequestEditorFn(e))
	}
	raw, err := api.NewClient(c.endpoint, opts...)
	if err != nil {
		return fmt.Errorf("exopartner: %w", err)
	}
	c.raw, c.server = &api.ClientWithResponses{ClientInterface: raw}, raw.Server
	return nil
}

// CloseIdleConnections closes the idle connections of the client's
// transport (the one [WithHTTPClient] gave, or the one New built), through
// the retry and signing layers. Calls made later open new ones. Use it when
// the client is no longer needed, so that no connection is left open.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Raw returns the generated client, for what the wrapper does not cover. Its
// requests are signed and retried by the same transport, but what the
// wrapper adds on top is not there: no input validation, no repeat of a read
// whose answer was cut off, the 10 MiB body cap for every answer (the list's
// larger cap included), no bound on an answer's items ([MaxAnswerItems]), no
// redaction of error texts, and a 2xx is whatever the generated parser
// makes of it. Its types live in package api.
func (c *Client) Raw() *api.ClientWithResponses { return c.raw }

// Endpoint returns the endpoint calls go to.
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the client without its secret. (The endpoint never
// carries a password: New refuses one.)
func (c *Client) String() string {
	return fmt.Sprintf("exopartner.Client{endpoint: %s, key: %s, secret: %s}", c.endpoint, c.key, redacted)
}

// GoString is String, so that %#v cannot print the secret either.
func (c *Client) GoString() string { return c.String() }

// Format implements fmt.Formatter so every verb prints String.
func (c *Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }
