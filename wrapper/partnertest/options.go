package partnertest

import (
	"time"
)

// DemoKey and DemoSecret are the credentials a fake accepts unless
// [WithCredentials] says otherwise. They are public: never use them against
// the real API.
const (
	DemoKey    = "EXOdemo0000000000000000000a"
	DemoSecret = "demo-secret-not-for-production"
)

// config is what the options set.
type config struct {
	key, secret string
	now         func() time.Time
	tb          TB
}

// Option configures an [API] or [Server].
type Option func(*config)

// WithCredentials sets the one API key and secret the fake accepts
// (default [DemoKey] and [DemoSecret]).
func WithCredentials(key, secret string) Option {
	return func(c *config) { c.key, c.secret = key, secret }
}

// WithClock replaces time.Now. The clock decides whether a signature has
// expired and which month is the "current period" of usage statements.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithTB reports every answer of the fake that breaks the API contract
// through tb.Errorf, so that a bug in the fake (or a fake driven into an
// impossible state) fails the test loudly instead of confusing the client.
// Such answers are replaced by a 500 whether or not WithTB is given.
func WithTB(tb TB) Option {
	return func(c *config) { c.tb = tb }
}

// TB is the part of testing.TB the fake reports through; a *testing.T
// satisfies it. It is an interface of its own so that programs embedding the
// fake (exopartner serve) do not link package testing.
type TB interface {
	Errorf(format string, args ...any)
}
