package wrapper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/exopartner/exopartner/internal/transport"
)

// Option configures a Client in [New].
type Option func(*config)

// ErrInvalidOption is matched by the error of [New] when an option's value
// has no meaning (a zero or negative limit, say). The error names the option.
var ErrInvalidOption = errors.New("invalid option")

// refuse records that an option's value is refused; New reports the first.
func (c *config) refuse(format string, args ...any) {
	if c.optErr == nil {
		c.optErr = fmt.Errorf("exopartner: %s: %w", fmt.Sprintf(format, args...), ErrInvalidOption)
	}
}

// RequestEditor changes a request before it is signed and sent, e.g. to add
// a header. It runs once per request the call builds, before the
// transport's retries: once per call, and once more each time a read whose
// answer was cut off is sent again.
type RequestEditor func(ctx context.Context, req *http.Request) error

// config is everything New resolves. It never holds the secret past New:
// the secret goes into the signer, which does not print it.
type config struct {
	key, secret    string
	exo            *exoFile // WithExoConfig
	endpoint       string
	httpClient     *http.Client
	userAgent      string
	timeout        time.Duration
	attemptTimeout time.Duration
	logger         *slog.Logger
	editors        []RequestEditor
	insecure       bool
	noValidation   bool
	retry          transport.Policy
	maxBody        int64 // 0: the defaults, per operation
	now            func() time.Time
	optErr         error // the first option refused
}

// WithCredentials sets the API key and secret, overriding the environment
// and the exo CLI configuration.
func WithCredentials(key, secret string) Option {
	return func(c *config) { c.key, c.secret = key, secret }
}

// WithExoConfig takes the API key and secret from an account of the exo CLI
// configuration file, as `exo --config PATH --use-account ACCOUNT` would,
// even when EXOSCALE_API_KEY and EXOSCALE_API_SECRET are set. An empty path
// is EXOSCALE_CONFIG, else the exo CLI's default locations; an empty account
// is EXOSCALE_ACCOUNT, else the file's defaultAccount, else its only
// account. [WithCredentials] takes precedence over it.
func WithExoConfig(path, account string) Option {
	return func(c *config) { c.exo = &exoFile{path: path, account: account} }
}

// WithEndpoint sets the API endpoint, base path included
// (default [DefaultEndpoint], or EXOSCALE_PARTNER_API_ENDPOINT). Plain http
// is refused unless the host is a loopback address or [WithInsecure] is given.
func WithEndpoint(url string) Option { return func(c *config) { c.endpoint = url } }

// WithInsecure allows a plain-http endpoint on a non-loopback host.
func WithInsecure() Option { return func(c *config) { c.insecure = true } }

// WithHTTPClient sets the *http.Client whose transport and settings requests
// go through (default: a clone of http.DefaultTransport keeping
// [DefaultMaxIdleConnsPerHost] idle connections per host). The signing and
// retry layers are added on top of its transport; the client itself is not
// modified. For fan-out, keep MaxIdleConnsPerHost at least the concurrency.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithUserAgent appends a product token to the default User-Agent
// ("exopartner/VERSION go/GOVERSION"). A suffix with a control character
// (CR, LF, TAB, ESC…) or that is not valid UTF-8 would make every request
// invalid: New refuses it with an error matching [ErrInvalidOption].
func WithUserAgent(suffix string) Option {
	return func(c *config) {
		switch {
		case !utf8.ValidString(suffix):
			c.refuse("WithUserAgent(%q): not valid UTF-8", suffix)
		case strings.ContainsFunc(suffix, unicode.IsControl):
			c.refuse("WithUserAgent(%q): a header value cannot carry a control character", suffix)
		}
		c.userAgent = suffix
	}
}

// WithTimeout bounds each call, retries and waits included (default none:
// the caller's context decides). 0 means no bound, the default; a negative
// duration is refused by New with an error matching [ErrInvalidOption].
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.refuse("WithTimeout(%v): must be positive, or 0 for no bound", d)
		}
		c.timeout = d
	}
}

// WithAttemptTimeout bounds each attempt of a call (default 30 s). It must
// be positive: New refuses 0 or less with an error matching
// [ErrInvalidOption] (the caller's context and [WithTimeout] bound the whole
// call).
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.refuse("WithAttemptTimeout(%v): must be positive", d)
		}
		c.attemptTimeout = d
	}
}

// WithLogger sets a logger receiving one debug record per attempt, with the
// operation, method, path, status, duration and attempt number. Secrets and
// signatures are never logged.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRequestEditor adds a function run on every request before signing.
// A nil function is refused by New with an error matching [ErrInvalidOption].
func WithRequestEditor(fn RequestEditor) Option {
	return func(c *config) {
		if fn == nil {
			c.refuse("WithRequestEditor(nil): want a function")
			return
		}
		c.editors = append(c.editors, fn)
	}
}

// WithoutValidation turns off the client-side checks of inputs against the
// API's contract; the server then is the only judge.
func WithoutValidation() Option { return func(c *config) { c.noValidation = true } }

// WithRetry sets the retry policy: attempts in all (first included), the
// base backoff and the longest single wait (maxBackoff), which also bounds
// the Retry-After a call waits for. The default is 4 attempts, 200 ms,
// 10 s. Which calls are repeated, on what, and what a longer Retry-After
// does: see [Client].
//
// attempts must be at least 1 (1: no retries), and 0 ≤ baseBackoff ≤
// maxBackoff (baseBackoff 0: repeat without waiting). Other values are
// refused by New with an error matching [ErrInvalidOption].
func WithRetry(attempts int, baseBackoff, maxBackoff time.Duration) Option {
	return func(c *config) {
		switch {
		case attempts < 1:
			c.refuse("WithRetry(%d, %v, %v): attempts must be at least 1", attempts, baseBackoff, maxBackoff)
		case baseBackoff < 0 || maxBackoff < baseBackoff:
			c.refuse("WithRetry(%d, %v, %v): want 0 ≤ baseBackoff ≤ maxBackoff", attempts, baseBackoff, maxBackoff)
		}
		c.retry = transport.Policy{Attempts: attempts, Base: baseBackoff, Cap: maxBackoff}
	}
}

// WithoutRetries makes every call a single attempt.
func WithoutRetries() Option { return WithRetry(1, 0, 0) }

// WithMaxResponseBytes caps response bodies, for every operation. A larger
// body fails the call with an error matching [ErrResponseTooLarge]. n must
// be positive: New refuses 0 or less with an error matching
// [ErrInvalidOption].
//
// The default is per operation: [DefaultMaxResponseBytes] (10 MiB) for
// every answer but the list of organizations, which grows with the
// distributor and gets [DefaultMaxListResponseBytes] (64 MiB, above 250 000
// organizations). The caps count the body as decompressed. The list is
// decoded as it streams in, so its cap bounds a hostile body without holding
// it. Whatever the cap, an answer holds at most [MaxAnswerItems] array
// items.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			c.refuse("WithMaxResponseBytes(%d): must be positive", n)
		}
		c.maxBody = n
	}
}
