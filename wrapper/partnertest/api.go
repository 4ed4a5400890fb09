package partnertest

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// BasePath is the path prefix of every operation, as in the real API's
// server URL (https://partner-api.exoscale.com/v1.alpha).
const BasePath = "/v1.alpha"

// API is the fake Partner API: an http.Handler holding all its state in
// memory. It serves paths that start with [BasePath] (the signature covers
// the full path, so mount it without stripping the prefix). It is safe for
// concurrent use.
type API struct {
	cfg       config
	done      chan struct{} // closed by Close: interrupts latency waits
	closeOnce sync.Once

	mu       sync.Mutex
	orgs     map[uuid.UUID]*org
	order    []uuid.UUID // creation order
	metering map[uuid.UUID][]meter
	faults   []*faultRule
	latency  time.Duration
	total    int
	requests map[string]int
	applied  map[string]int

	lastValid map[validKey][]byte // see alreadyValid

	// breakAnswer, set by tests only, corrupts an answer before it is
	// validated, to prove that contract-breaking answers are caught.
	breakAnswer func(operationID string, ans *answer)
}

// NewAPI returns an empty fake that accepts [DemoKey] and [DemoSecret]
// unless [WithCredentials] is given.
func NewAPI(opts ...Option) *API {
	cfg := config{key: DemoKey, secret: DemoSecret, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	return &API{
		cfg:      cfg,
		done:     make(chan struct{}),
		orgs:     make(map[uuid.UUID]*org),
		metering: make(map[uuid.UUID][]meter),
		requests: make(map[string]int),
		applied:  make(map[string]int),

		lastValid: make(map[validKey][]byte),
	}
}

// Key returns the API key the fake accepts.
func (a *API) Key() string { return a.cfg.key }

// Secret returns the secret that goes with [API.Key].
func (a *API) Secret() string { return a.cfg.secret }

// Close interrupts every latency wait, pending or future (see
// [API.SetLatency] and [Fault.Latency]); the requests concerned are answered
// 503. Other requests are still served. Close is idempotent. [Server.Close]
// calls it; call it yourself when you serve an API with your own
// http.Server.
func (a *API) Close() {
	a.closeOnce.Do(func() { close(a.done) })
}

// now is the fake's clock.
func (a *API) now() time.Time { return a.cfg.now() }
