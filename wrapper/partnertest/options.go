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

	trustAnswers bool // see WithoutAnswerValidation
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

// WithoutAnswerValidation stops the fake from validating its own answers
// against the spec; everything else is unchanged: requests are still routed,
// authenticated and validated (a request that breaks the contract is still
// answered 400), operations are carried out and counted as usual.
//
// Validating the answers is what catches a bug of the fake (see [WithTB]),
// so the default keeps it, and tests should too. It is also costly on reads
// whose every answer is new: validating the usage statements of many
// organizations with kin-openapi is about a third of the fake's processor
// time on such a fan-out (a repeated answer, a large list say, is
// validated once). Turn it off where the fake serves
// load rather than a test's assertions: a benchmark of a fan-out, or
// `exopartner serve` in front of a load test. With it, WithTB has no
// answer to report.
func WithoutAnswerValidation() Option {
	return func(c *config) { c.trustAnswers = true }
}

// TB is the part of testing.TB the fake reports through; a *testing.T
// satisfies it. It is an interface of its own so that programs embedding the
// fake (exopartner serve) do not link package testing.
type TB interface {
	Errorf(format string, args ...any)
}
