package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// The settings of the fault matrix: Retry-After "1" is longer than
// faultCap (so it ends the call at once). The timeout fault holds its answer
// far longer than faultAttemptTimeout (until the client gives up), so that
// the attempt timeout is its one way out; for every other attempt the
// timeout is only a safety net, generous enough for a loaded machine: no
// outcome depends on how fast it runs.
const (
	faultAttempts       = 4
	faultCap            = 20 * time.Millisecond
	faultAttemptTimeout = 5 * time.Second
	faultLatency        = time.Hour
	faultMaxBody        = 64 << 10
	faultOversize       = 1 << 20
)

const (
	opCreateID   = "create-distributor-organization"
	opMeteringID = "metering-transaction"
	opListID     = "list-distributor-organizations"
	opGetID      = "get-distributor-organization"
	opUsageID    = "list-distributor-organization-usage"
	opTermID     = "terminate-distributor-organization"
)

// startFake starts a partnertest server that fails t on any answer breaking
// the contract, closed when t ends.
func startFake(t *testing.T) *partnertest.Server {
	t.Helper()
	srv := partnertest.NewServer(partnertest.WithTB(t))
	t.Cleanup(srv.Close)
	return srv
}

// fakeClient is a client of srv with the fault matrix's settings; opts come
// last and win.
func fakeClient(t testing.TB, srv *partnertest.Server, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(append([]wrapper.Option{
		wrapper.WithCredentials(srv.Key(), srv.Secret()),
		wrapper.WithEndpoint(srv.URL),
		wrapper.WithHTTPClient(srv.Client()),
		wrapper.WithRetry(faultAttempts, time.Millisecond, faultCap),
		wrapper.WithAttemptTimeout(faultAttemptTimeout),
		wrapper.WithMaxResponseBytes(faultMaxBody),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var clientIDs atomic.Int64

// uniqueRequest is a valid create request with a client-id no other call uses.
func uniqueRequest(prefix string) wrapper.CreateOrganizationRequest {
	r := validRequest()
	r.ClientID = fmt.Sprintf("%s-%d", prefix, clientIDs.Add(1))
	return r
}

// orgsWithClientID counts the fake's organizations with that client-id.
func orgsWithClientID(srv *partnertest.Server, clientID string) int {
	n := 0
	for _, o := range srv.Organizations() {
		if o.ClientID == clientID {
			n++
		}
	}
	return n
}

// errWrongResult marks a call that succeeded with a result it should not have.
var errWrongResult = errors.New("wrong result")

// matrixSeed is what a call of the matrix works on.
type matrixSeed struct {
	org wrapper.ID                        // an existing organization, in the state the operation needs
	req wrapper.CreateOrganizationRequest // for create: a fresh client-id
}

// meteringUsage is what the matrix applies: two records per application.
var meteringUsage = []wrapper.UsageRecord{{Product: "partner", Variable: "license_product", Quantity: 3.1415}, {Product: "partner", Variable: "commission", Quantity: -42.00005}}

// matrixOp is one operation of the API as the matrix drives it.
type matrixOp struct {
	id         string
	idempotent bool
	// prepare seeds the fake, directly or through c, before the fault is
	// injected and the counts are reset.
	prepare func(t *testing.T, srv *partnertest.Server, c *wrapper.Client) matrixSeed
	call    func(ctx context.Context, c *wrapper.Client, s matrixSeed) error
}

func seedLive(_ *testing.T, srv *partnertest.Server, _ *wrapper.Client) matrixSeed {
	return matrixSeed{org: srv.AddOrganizations(1)[0]}
}

func seedTerminated(t *testing.T, srv *partnertest.Server, c *wrapper.Client) matrixSeed {
	s := seedLive(t, srv, c)
	if _, err := c.TerminateOrganization(context.Background(), s.org); err != nil {
		t.Fatalf("terminating the organization to purge: %v", err)
	}
	return s
}

func seedCreate(*testing.T, *partnertest.Server, *wrapper.Client) matrixSeed {
	return matrixSeed{req: uniqueRequest("matrix")}
}

// wantStatus checks what an action on one organization answered.
func wantStatus(o wrapper.Organization, err error, s matrixSeed, status wrapper.Status) error {
	if err == nil && (o.ID != s.org || o.Status != status) {
		return fmt.Errorf("%w: got %+v, want %s with status %s", errWrongResult, o, s.org, status)
	}
	return err
}

// matrixOps are the nine operations of the API.
var matrixOps = []matrixOp{
	{opListID, true, seedLive, func(ctx context.Context, c *wrapper.Client, s matrixSeed) error {
		orgs, err := c.ListOrganizations(ctx)
		if err == nil && (len(orgs) != 1 || orgs[0].ID != s.org) {
			return fmt.Errorf("%w: got %+v, want only %s", errWrongResult, orgs, s.org)
		}
		return err
	}},
	{opGetID, true, seedLive, func(ctx context.Context, c *wrapper.Client, s matrixSeed) error {
		o, err := c.GetOrganization(ctx, s.org)
		return wantStatus(o, err, s, wrapper.StatusActive)
	}},
	{opCreateID, false, seedCreate, func(ctx context.Context, c *wrapper.Client, s matrixSeed) error {
		o, err := c.CreateOrganization(ctx, s.req)
		if err == nil && (o.ClientID != s.req.ClientID || o.Status != wrapper.StatusActive) {
			return fmt.Errorf("%w: got %+v for client-id %s", errWrongResult, o, s.req.ClientID)
		}
		return err
	}},
	{"activate-distributor-organization", true, seedLive, func(ctx context.Context, c *wrapper.Client, s matrixSeed) error {
		o, err := c.ActivateOrganization(ctx, s.org)
		return wantStatus(o, err, s, wrapper.StatusActive)
	}},
	{"suspend-distributor-organization", true, seedLive, func(ctx context.Context, c *wrapper.Client, s matrixSeed) error {
		o, err := c.SuspendOrganization(ctx, s.org)
		return wantStatus(o, err, s, wrapper.StatusSuspended)
	}},
	{"terminate-distributor-organization", true, seedLive, func(ctx context.Context, c *wrapper.Client, s matrixSeed) error {
		msg, err := c.TerminateOrganization(ctx, s.org)
		if err == nil && !strings.Contains(msg, s.org.String()) {
			return fmt.Errorf("%w: message %q", errWrongResult, msg)
		}
		return err
	}},
	{"schedule-purge-distributor-organization", true, seedTerminated, func(ctx context.Context, c *wrapper.Client, s matrixSeed) error {
		r, err := c.SchedulePurge(ctx, s.org)
		if err == nil && !r.Scheduled {
			return fmt.Errorf("%w: got %+v, want scheduled", errWrongResult, r)
		}
		return err
	}},
	{opUsageID, true, seedLive, func(ctx context.Context, c *wrapper.Client, s matrixSeed) error {
		_, err := c.ListUsage(ctx, s.org, wrapper.Period{})
		return err
	}},
	{opMeteringID, false, seedLive, func(ctx context.Context, c *wrapper.Client, s matrixSeed) error {
		return c.ApplyMetering(ctx, s.org, meteringUsage)
	}},
}

// matrixFault is one way an answer can go wrong; each is injected for the
// next request of the operation only.
type matrixFault struct {
	name  string
	fault partnertest.Fault
}

var matrixFaults = []matrixFault{
	{"429", partnertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"}},
	{"429long", partnertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"}},
	{"500", partnertest.Fault{Status: http.StatusInternalServerError}},
	{"502", partnertest.Fault{Status: http.StatusBadGateway}},
	{"503", partnertest.Fault{Status: http.StatusServiceUnavailable}},
	{"504", partnertest.Fault{Status: http.StatusGatewayTimeout}},
	{"reset", partnertest.Fault{Drop: true}},
	{"timeout", partnertest.Fault{Latency: faultLatency}},
	{"truncated", partnertest.Fault{Truncate: true}},
	{"malformed", partnertest.Fault{Malformed: true}},
	{"html502", partnertest.Fault{HTML: true, Status: http.StatusBadGateway}},
	{"html200", partnertest.Fault{HTML: true}},
	{"oversize", partnertest.Fault{Oversize: faultOversize}},
}

// faultOutcome is what a call hit by one fault must come to.
type faultOutcome struct {
	ok       bool
	requests int     // requests the fake saw for the operation
	applied  int     // times the operation was carried out
	others   int     // requests the fake saw for other operations
	status   int     // fails with an *APIError of this status
	decode   bool    // fails with a *DecodeError naming the operation
	unknown  bool    // fails matching ErrOutcomeUnknown (and only then)
	is       []error // further classes the error matches
}

func (o faultOutcome) String() string {
	if o.ok {
		return fmt.Sprintf("ok       req=%d applied=%d", o.requests, o.applied)
	}
	s := fmt.Sprintf("fail     req=%d applied=%d", o.requests, o.applied)
	if o.status != 0 {
		s += fmt.Sprintf(" APIError(%d)", o.status)
	}
	if o.decode {
		s += " DecodeError"
	}
	if o.unknown {
		s += " OutcomeUnknown"
	}
	for _, e := range o.is {
		s += fmt.Sprintf(" [%v]", e)
	}
	return s
}

// expectOutcome is the client's contract, as a table over (fault,
// idempotent); the operation only matters for metering, whose success answer
// has no body.
func expectOutcome(f partnertest.Fault, idempotent bool, opID string) faultOutcome {
	retried := faultOutcome{ok: true, requests: 2, applied: 1}
	switch {
	// A Retry-After longer than the cap: never repeated before the
	// server's time, so the 429 is the answer, with its Retry-After.
	case f.Status == http.StatusTooManyRequests && f.RetryAfter == "1":
		return faultOutcome{requests: 1, status: http.StatusTooManyRequests, is: []error{wrapper.ErrRateLimited}}
	// 429 says the server did not act: every operation is retried, after
	// Retry-After.
	case f.Status == http.StatusTooManyRequests:
		return retried
	// A lost connection: idempotent operations are retried (by the client,
	// or by net/http itself on a reused connection).
	case f.Drop && idempotent:
		return retried
	// The request had been written when the connection was lost: the server
	// may have acted, so no repeat.
	case f.Drop:
		return faultOutcome{requests: 1, unknown: true}
	// An attempt that times out is abandoned; idempotent operations retry.
	case f.Latency > faultAttemptTimeout && idempotent:
		return retried
	// Timed out after the request was written: the server may have acted.
	case f.Latency > faultAttemptTimeout:
		return faultOutcome{requests: 1, unknown: true, is: []error{context.DeadlineExceeded}}
	// A 204 has no body to cut: partnertest sends it whole.
	case f.Truncate && opID == opMeteringID:
		return faultOutcome{ok: true, requests: 1, applied: 1}
	// The operation was carried out but its answer cut. Idempotent
	// operations are sent again; terminate's repeat is answered 409 (the
	// organization is terminated), so the client reads the organization and
	// finds it terminated: success.
	case f.Truncate && opID == opTermID:
		return faultOutcome{ok: true, requests: 2, applied: 1, others: 1}
	case f.Truncate && idempotent:
		return faultOutcome{ok: true, requests: 2, applied: 2}
	// For create, never repeated: a DecodeError, and the organization exists.
	case f.Truncate:
		return faultOutcome{requests: 1, applied: 1, decode: true, unknown: !idempotent}
	// 502, 503, 504 (JSON or an HTML page) are retried by idempotent
	// operations.
	case idempotent && (f.Status == http.StatusBadGateway || f.Status == http.StatusServiceUnavailable || f.Status == http.StatusGatewayTimeout):
		return retried
	// Any other 5xx (500 always, 502-504 for create and metering) is an
	// *APIError ErrServer, and an unknown outcome if not idempotent.
	case f.Status >= 500:
		return faultOutcome{requests: 1, status: f.Status, unknown: !idempotent, is: []error{wrapper.ErrServer}}
	// A 2xx whose body is not what was promised (malformed, HTML, too large):
	// a DecodeError, not retried, and an unknown outcome if not idempotent.
	default:
		o := faultOutcome{requests: 1, decode: true, unknown: !idempotent}
		if f.Oversize > faultMaxBody {
			o.is = []error{wrapper.ErrResponseTooLarge}
		}
		return o
	}
}

// TestFaultMatrix drives every operation into every fault, once, and checks
// the outcome, the error classes and how many requests reached the fake.
func TestFaultMatrix(t *testing.T) {
	for _, f := range matrixFaults {
		for _, idempotent := range []bool{true, false} {
			t.Logf("%-9s idempotent=%-5v %v", f.name, idempotent, expectOutcome(f.fault, idempotent, ""))
		}
	}
	t.Logf("%-9s metering          %v", "truncated", expectOutcome(partnertest.Fault{Truncate: true}, false, opMeteringID))
	for _, op := range matrixOps {
		for _, f := range matrixFaults {
			want := expectOutcome(f.fault, op.idempotent, op.id)
			t.Run(op.id+"/"+f.name, func(t *testing.T) {
				// A row whose call waits out an attempt timeout, idle, is
				// started before the rows run in parallel (two at a time
				// on two cores), so that its wait overlaps everything
				// else instead of holding a slot for faultAttemptTimeout.
				early := f.fault.Latency > faultAttemptTimeout
				if !early {
					t.Parallel()
				}
				srv := startFake(t)
				c := fakeClient(t, srv)
				s := op.prepare(t, srv, c)
				srv.ResetCounts()
				srv.InjectFault(op.id, 1, f.fault)

				var err error
				var elapsed time.Duration
				done := make(chan struct{})
				go func() {
					defer close(done)
					start := time.Now()
					err = op.call(context.Background(), c, s)
					elapsed = time.Since(start)
				}()
				if early {
					t.Parallel()
				}
				<-done
				srv.Close() // wait for every handler: the counts are final
				if err != nil {
					t.Logf("%v: %v", elapsed.Round(time.Millisecond), err)
				}
				checkFaultOutcome(t, op.id, err, want)
				if got := srv.Requests(op.id); got != want.requests {
					t.Errorf("%d requests reached the fake, want %d", got, want.requests)
				}
				if got := srv.Applied(op.id); got != want.applied {
					t.Errorf("applied %d times, want %d", got, want.applied)
				}
				if got := srv.Requests(""); got != want.requests+want.others {
					t.Errorf("%d requests in all, want %d", got, want.requests+want.others)
				}
				checkNotDoubled(t, srv, op.id, s, f.fault)
				var ae *wrapper.APIError
				if f.fault.RetryAfter == "1" && (!errors.As(err, &ae) || ae.RetryAfter != time.Second) {
					t.Errorf("got %v, want an *APIError whose RetryAfter is the server's 1s", err)
				}
			})
		}
	}
}

// checkNotDoubled checks that a create or metering call took effect at most
// once, in the fake's state as well as in its counts.
func checkNotDoubled(t *testing.T, srv *partnertest.Server, opID string, s matrixSeed, f partnertest.Fault) {
	t.Helper()
	wantRequests := expectOutcome(f, false, opID).requests
	switch opID {
	case opCreateID:
		if n := orgsWithClientID(srv, s.req.ClientID); n != srv.Applied(opID) || n > 1 {
			t.Errorf("%d organizations with client-id %s, applied %d", n, s.req.ClientID, srv.Applied(opID))
		}
	case opMeteringID:
		if n := len(srv.Metering(s.org)); n != len(meteringUsage)*srv.Applied(opID) || n > len(meteringUsage) {
			t.Errorf("%d usage records stored, applied %d", n, srv.Applied(opID))
		}
	default:
		return
	}
	if srv.Applied(opID) > 1 || srv.Requests(opID) != wantRequests {
		t.Errorf("not idempotent: %d requests, applied %d; want %d requests, applied at most once", srv.Requests(opID), srv.Applied(opID), wantRequests)
	}
}

// checkFaultOutcome checks err against want.
func checkFaultOutcome(t *testing.T, opID string, err error, want faultOutcome) {
	t.Helper()
	if want.ok {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("want an error (%v), got success", want)
	}
	if errors.Is(err, errWrongResult) {
		t.Fatal(err)
	}
	if !strings.Contains(err.Error(), opID) {
		t.Errorf("error %q does not name the operation", err)
	}
	var ae *wrapper.APIError
	if isAPI := errors.As(err, &ae); isAPI != (want.status != 0) {
		t.Errorf("errors.As(*APIError) = %v, want %v: %v", isAPI, want.status != 0, err)
	} else if isAPI && (ae.StatusCode != want.status || ae.Operation != opID) {
		t.Errorf("got *APIError %+v, want status %d for %s", ae, want.status, opID)
	}
	var de *wrapper.DecodeError
	if isDecode := errors.As(err, &de); isDecode != want.decode {
		t.Errorf("errors.As(*DecodeError) = %v, want %v: %v", isDecode, want.decode, err)
	} else if isDecode && (de.Operation != opID || de.StatusCode < 200 || de.StatusCode > 299) {
		t.Errorf("got *DecodeError %+v, want a 2xx of %s", de, opID)
	}
	if got := errors.Is(err, wrapper.ErrOutcomeUnknown); got != want.unknown {
		t.Errorf("errors.Is(ErrOutcomeUnknown) = %v, want %v: %v", got, want.unknown, err)
	}
	var ue *wrapper.OutcomeUnknownError
	if errors.As(err, &ue) && ue.Operation != opID {
		t.Errorf("*OutcomeUnknownError names %q, want %q", ue.Operation, opID)
	}
	if want.status == 0 && !want.decode {
		// No answer at all: a transport error, as *url.Error.
		if ue := new(url.Error); !errors.As(err, &ue) {
			t.Errorf("%v (%T) is not a transport error", err, err)
		}
	}
	for _, target := range want.is {
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(%v) = false: %v", target, err)
		}
	}
	if got, want := errors.Is(err, wrapper.ErrResponseTooLarge), slices.Contains(want.is, wrapper.ErrResponseTooLarge); got != want {
		t.Errorf("errors.Is(ErrResponseTooLarge) = %v, want %v: %v", got, want, err)
	}
}

// TestPersistentFaults: a fault that does not go away uses up the attempts
// where a repeat is allowed, and fails with the last answer.
func TestPersistentFaults(t *testing.T) {
	ops := map[string]matrixOp{}
	for _, op := range matrixOps {
		ops[op.id] = op
	}
	for _, tt := range []struct {
		op       string
		fault    partnertest.Fault
		requests int
		is       []error
	}{
		{opGetID, partnertest.Fault{Status: http.StatusServiceUnavailable}, faultAttempts, []error{wrapper.ErrServer}},
		{opListID, partnertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"}, faultAttempts, []error{wrapper.ErrRateLimited, wrapper.ErrClient}},
		{opCreateID, partnertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"}, faultAttempts, []error{wrapper.ErrRateLimited, wrapper.ErrClient}},
		{opCreateID, partnertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"}, 1, []error{wrapper.ErrRateLimited, wrapper.ErrClient}},
		{opMeteringID, partnertest.Fault{Status: http.StatusTooManyRequests}, faultAttempts, []error{wrapper.ErrRateLimited, wrapper.ErrClient}},
		{opCreateID, partnertest.Fault{Status: http.StatusServiceUnavailable}, 1, []error{wrapper.ErrServer, wrapper.ErrOutcomeUnknown}},
	} {
		op := ops[tt.op]
		t.Run(fmt.Sprintf("%s/%d/%s", tt.op, tt.fault.Status, tt.fault.RetryAfter), func(t *testing.T) {
			t.Parallel()
			srv := startFake(t)
			c := fakeClient(t, srv)
			s := op.prepare(t, srv, c)
			srv.ResetCounts()
			srv.InjectFault(tt.op, -1, tt.fault)
			err := op.call(context.Background(), c, s)
			srv.Close()
			var ae *wrapper.APIError
			if !errors.As(err, &ae) || ae.StatusCode != tt.fault.Status {
				t.Fatalf("got %v, want an *APIError %d", err, tt.fault.Status)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v) = false: %v", target, err)
				}
			}
			if unknown := slices.Contains(tt.is, wrapper.ErrOutcomeUnknown); errors.Is(err, wrapper.ErrOutcomeUnknown) != unknown {
				t.Errorf("errors.Is(ErrOutcomeUnknown) = %v, want %v", !unknown, unknown)
			}
			if got := srv.Requests(tt.op); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
			if got := srv.Applied(""); got != 0 {
				t.Errorf("applied %d times, want 0", got)
			}
		})
	}
}

// flakyDialer refuses the first dials it is asked for: the request is never
// written, so even create and metering may be repeated.
type flakyDialer struct {
	refuse atomic.Int32
	dials  atomic.Int32
	d      net.Dialer
}

func (f *flakyDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	f.dials.Add(1)
	if f.refuse.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused (injected)")}
	}
	return f.d.DialContext(ctx, network, addr)
}

// TestConnectionFailedBeforeWriting: create and metering are retried when
// the connection failed before the request was written; when it never
// succeeds, the outcome is known (nothing was sent).
func TestConnectionFailedBeforeWriting(t *testing.T) {
	for _, op := range matrixOps {
		if op.idempotent {
			continue
		}
		for _, refuse := range []int32{1, 100} {
			t.Run(fmt.Sprintf("%s/refused%d", op.id, refuse), func(t *testing.T) {
				t.Parallel()
				srv := startFake(t)
				dialer := &flakyDialer{}
				tr := &http.Transport{DialContext: dialer.DialContext}
				t.Cleanup(tr.CloseIdleConnections)
				c := fakeClient(t, srv, wrapper.WithHTTPClient(&http.Client{Transport: tr}))
				s := op.prepare(t, srv, c)
				srv.ResetCounts()
				dialer.refuse.Store(refuse)
				dialer.dials.Store(0)

				err := op.call(context.Background(), c, s)
				srv.Close()
				if refuse == 1 {
					if err != nil {
						t.Fatalf("want success after one refused connection, got %v", err)
					}
					if srv.Requests(op.id) != 1 || srv.Applied(op.id) != 1 || dialer.dials.Load() != 2 {
						t.Errorf("%d dials, %d requests, applied %d; want 2, 1, 1", dialer.dials.Load(), srv.Requests(op.id), srv.Applied(op.id))
					}
					return
				}
				var oe *net.OpError
				if !errors.As(err, &oe) || errors.Is(err, wrapper.ErrOutcomeUnknown) || !strings.Contains(err.Error(), op.id) {
					t.Fatalf("got %v, want a dial error naming %s, not an unknown outcome", err, op.id)
				}
				if dialer.dials.Load() != faultAttempts || srv.Requests("") != 0 {
					t.Errorf("%d dials, %d requests; want %d, 0", dialer.dials.Load(), srv.Requests(""), faultAttempts)
				}
			})
		}
	}
}

// TestCreateAppliedThenLost: the create is carried out but its answer is a
// 502. The caller cannot know; EnsureOrganization then finds the
// organization instead of creating a second one.
func TestCreateAppliedThenLost(t *testing.T) {
	srv := startFake(t)
	c := fakeClient(t, srv)
	req := uniqueRequest("after-action")
	srv.InjectFault(opCreateID, 1, partnertest.Fault{Status: http.StatusBadGateway, AfterAction: true})

	_, err := c.CreateOrganization(context.Background(), req)
	var ae *wrapper.APIError
	if !errors.Is(err, wrapper.ErrOutcomeUnknown) || !errors.Is(err, wrapper.ErrServer) || !errors.As(err, &ae) || ae.StatusCode != http.StatusBadGateway {
		t.Fatalf("got %v, want an unknown outcome from a 502", err)
	}
	if srv.Requests(opCreateID) != 1 || srv.Applied(opCreateID) != 1 || orgsWithClientID(srv, req.ClientID) != 1 {
		t.Fatalf("%d requests, applied %d: the organization should exist once", srv.Requests(opCreateID), srv.Applied(opCreateID))
	}

	org, created, err := c.EnsureOrganization(context.Background(), req)
	if err != nil || created || org.ClientID != req.ClientID {
		t.Fatalf("EnsureOrganization: %+v, created %v, %v; want the existing organization", org, created, err)
	}
	if got := srv.Organizations(); len(got) != 1 || got[0].ID != org.ID {
		t.Errorf("fake holds %+v, want only %s", got, org.ID)
	}
	if srv.Requests(opCreateID) != 1 || srv.Applied(opCreateID) != 1 {
		t.Errorf("%d create requests, applied %d: EnsureOrganization created again", srv.Requests(opCreateID), srv.Applied(opCreateID))
	}
}

// TestCanceledWhileWaitingToRetry: a create or metering call canceled while
// it waits out a 429 has certainly not been applied; its outcome is known.
func TestCanceledWhileWaitingToRetry(t *testing.T) {
	for _, op := range matrixOps {
		if op.idempotent {
			continue
		}
		t.Run(op.id, func(t *testing.T) {
			t.Parallel()
			srv := startFake(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Cancel a little after the 429 has been received: the client is
			// then waiting (or, on a machine slow enough, still deciding to
			// wait, and it answers the 429), never sending.
			onAttempt := func(status int) {
				if status == http.StatusTooManyRequests {
					time.AfterFunc(50*time.Millisecond, cancel)
				}
			}
			c := fakeClient(t, srv, wrapper.WithRetry(faultAttempts, time.Millisecond, 10*time.Second))
			s := op.prepare(t, srv, c)
			c = fakeClient(t, srv, wrapper.WithRetry(faultAttempts, time.Millisecond, 10*time.Second),
				wrapper.WithLogger(slog.New(attemptHook(onAttempt))))
			srv.ResetCounts()
			srv.InjectFault(op.id, -1, partnertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "5"})
			err := op.call(ctx, c, s)
			srv.Close()
			if !(errors.Is(err, context.Canceled) || errors.Is(err, wrapper.ErrRateLimited)) || errors.Is(err, wrapper.ErrOutcomeUnknown) {
				t.Fatalf("got %v, want context.Canceled (or the 429) with a known outcome", err)
			}
			if srv.Requests(op.id) != 1 || srv.Applied(op.id) != 0 {
				t.Errorf("%d requests, applied %d; want 1, 0", srv.Requests(op.id), srv.Applied(op.id))
			}
		})
	}
}

// attemptHook is a slog.Handler calling fn with the status of every attempt
// the client logs: a test can act at a known point of a call instead of
// after a guessed delay.
type attemptHook func(status int)

func (h attemptHook) Enabled(context.Context, slog.Level) bool { return true }
func (h attemptHook) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h attemptHook) WithGroup(string) slog.Handler            { return h }
func (h attemptHook) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "status" {
			h(int(a.Value.Int64()))
		}
		return true
	})
	return nil
}
