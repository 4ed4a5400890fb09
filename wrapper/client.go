package wrapper

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
	DefaultMaxResponseBytes = 10 << 20
	DefaultAttemptTimeout   = 30 * time.Second
	// DefaultMaxIdleConnsPerHost is the idle connection pool of the
	// transport New builds when no WithHTTPClient is given.
	DefaultMaxIdleConnsPerHost = 64
)

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
// matching [ErrOutcomeUnknown].
type Client struct {
	raw      *api.ClientWithResponses
	endpoint string
	key      string
	redact   *redactor
	timeout  time.Duration
	validate bool
}

// New returns a Client. Credentials come from [WithCredentials], else
// EXOSCALE_API_KEY and EXOSCALE_API_SECRET, else the exo CLI configuration
// file (EXOSCALE_CONFIG or its default locations; account EXOSCALE_ACCOUNT or
// defaultAccount). Missing or half-set credentials are an error matching
// [ErrNoCredentials] that says what was tried.
func New(opts ...Option) (*Client, error) {
	c := &config{attemptTimeout: DefaultAttemptTimeout, maxBody: DefaultMaxResponseBytes, now: time.Now}
	for _, o := range opts {
		o(c)
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
	hc.Transport = &transport.Retry{
		Next:           &transport.Sign{Signer: s, Next: base},
		Policy:         policy,
		AttemptTimeout: c.attemptTimeout,
		MaxBody:        c.maxBody,
		Logger:         c.logger,
		Redact:         red.text,
	}

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
	raw, err := api.NewClientWithResponses(endpoint, editors...)
	if err != nil {
		return nil, fmt.Errorf("exopartner: %w", err)
	}
	return &Client{
		raw:      raw,
		endpoint: endpoint,
		key:      c.key,
		redact:   red,
		timeout:  c.timeout,
		validate: !c.noValidation,
	}, nil
}

// Raw returns the generated client, with signing and retries in place, for
// what the wrapper does not cover. Its types live in package api.
func (c *Client) Raw() *api.ClientWithResponses { return c.raw }

// Endpoint returns the endpoint calls go to.
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the client without its secret.
func (c *Client) String() string {
	return fmt.Sprintf("exopartner.Client{endpoint: %s, key: %s, secret: [REDACTED]}", c.endpoint, c.key)
}

// GoString is String, so that %#v cannot print the secret either.
func (c *Client) GoString() string { return c.String() }

// Format implements fmt.Formatter so every verb prints String.
func (c *Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// sharedValidator builds the validator from the embedded spec once.
var sharedValidator = sync.OnceValues(newValidator)
