package wrapper

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"sync"
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
// error matching [ErrResponseTooLarge], as a body over its byte cap does;
// neither is ever sent again. An answer's memory once decoded grows with its
// items more than with its bytes (a minimal organization of 60 bytes decodes
// to over 160), so the item bound and the byte caps together keep any
// single answer, with the default caps, far below 1 GiB of heap (see
// BENCHMARKS.md for the worst answers measured).
const MaxAnswerItems = 500_000

// Client calls the Partner API. It is safe for concurrent use; create one and
// share it.
//
// Every request is signed with EXO2-HMAC-SHA256, afresh for every attempt.
// Failed attempts are retried with capped exponential backoff and full
// jitter, honouring Retry-After, never waiting past the context's deadline,
// and only when a repeat is safe: reads, the PUT actions and terminate are
// retried on connection errors, 429, 502, 503 and 504; create and metering
// only when the server certainly did not act (429, or a connection that
// failed before the request was written). Otherwise they fail with an error
// matching [ErrOutcomeUnknown]. A 429 whose Retry-After the cap allows pauses
// every call of the client until then, not only the one told to wait; a
// longer Retry-After ends the call at once (see [WithRetry]).
//
// A read whose answer is cut off while its body is read (a reset, an early
// EOF, the per-attempt deadline) is sent again like any other connection
// failure, within the same attempts; create and metering never are (their
// outcome is unknown).
//
// Redirects are never followed: the Partner API does not redirect, and a
// signature sent elsewhere could be replayed. A 3xx answer is an *[APIError];
// for create and metering it is also [ErrOutcomeUnknown], as a 5xx is, since
// whatever redirected the request may have passed it on. When the
// [WithHTTPClient] client follows redirects itself, no hop is signed, to
// another host or to the endpoint's own: it is refused unsigned, matching
// [ErrLeavesEndpoint]. No request leaves the endpoint's scheme and host, and
// none goes over plain http to a host that is not loopback (unless
// [WithInsecure]).
//
// When the last call is done, [Client.CloseIdleConnections] releases the
// client's idle connections.
type Client struct {
	raw         *api.ClientWithResponses
	base        *url.URL // the generated client's server, parsed once (request.go)
	hc          *http.Client
	retry       *transport.Retry
	endpoint    string
	key         string
	redact      *redactor
	timeout     time.Duration
	validate    bool
	listMaxBody int64 // the list operation's body cap
	maxItems    int   // MaxAnswerItems; less in tests
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
	c := &config{attemptTimeout: DefaultAttemptTimeout, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	if c.optErr != nil {
		return nil, c.optErr
	}
	if err := resolveCredentials(c); err != nil {
		return nil, err
	}
	endpoint, err := resolveEndpoint(c)
	if err != nil {
		return nil, err
	}
	if !c.noValidation {
		if _, err := sharedValidator(); err != nil {
			return nil, err
		}
	}

	red := newRedactor(c.secret)
	s := signer.New(c.key, c.secret, signer.WithClock(c.now), signer.WithIssued(red.issued))
	hc := &http.Client{}
	if c.httpClient != nil {
		*hc = *c.httpClient
	}
	if hc.CheckRedirect == nil {
		// The API never redirects: a 3xx is the answer, not a hop to follow.
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	base := hc.Transport
	if base == nil {
		// http.DefaultTransport keeps 2 idle connections per host: any
		// fan-out (UsageFor) would open and close connections constantly.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
		base = t
	}
	policy := transport.DefaultPolicy
	if c.retry != nil {
		policy = transport.Policy{Attempts: c.retry.attempts, Base: c.retry.base, Cap: c.retry.cap}
	}
	maxBody, listMaxBody := c.maxBody, c.maxBody
	if maxBody == 0 {
		maxBody, listMaxBody = DefaultMaxResponseBytes, DefaultMaxListResponseBytes
	}
	retry := &transport.Retry{
		Next:           &transport.Sign{Signer: s, Next: base, Scheme: endpoint.Scheme, Host: endpoint.Host, AllowHTTP: c.insecure},
		Policy:         policy,
		AttemptTimeout: c.attemptTimeout,
		MaxBody:        maxBody,
		Logger:         c.logger,
		Redact:         func(s string) string { return red.cut(s, maxErrorText, false) },
	}
	hc.Transport = retry

	ua := fmt.Sprintf("exopartner/%s %s", Version, "go/"+runtime.Version())
	if c.userAgent != "" {
		ua += " " + c.userAgent
	}
	editors := []api.ClientOption{api.WithHTTPClient(hc), api.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("User-Agent", ua)
		return nil
	})}
	for _, e := range c.editors {
		editors = append(editors, api.WithRequestEditorFn(api.RequestEditorFn(e)))
	}
	raw, err := api.NewClientWithResponses(endpoint.String(), editors...)
	if err != nil {
		return nil, fmt.Errorf("exopartner: %w", err)
	}
	server, err := url.Parse(raw.ClientInterface.(*api.Client).Server)
	if err != nil {
		return nil, fmt.Errorf("exopartner: %w", err)
	}
	return &Client{
		raw:         raw,
		base:        server,
		hc:          hc,
		retry:       retry,
		endpoint:    endpoint.String(),
		key:         c.key,
		redact:      red,
		timeout:     c.timeout,
		validate:    !c.noValidation,
		listMaxBody: listMaxBody,
		maxItems:    MaxAnswerItems,
	}, nil
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
	return fmt.Sprintf("exopartner.Client{endpoint: %s, key: %s, secret: [REDACTED]}", c.endpoint, c.key)
}

// GoString is String, so that %#v cannot print the secret either.
func (c *Client) GoString() string { return c.String() }

// Format implements fmt.Formatter so every verb prints String.
func (c *Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// sharedValidator builds the validator from the embedded spec once.
var sharedValidator = sync.OnceValues(newValidator)
