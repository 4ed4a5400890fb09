package wrapper_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// opTally counts, per operation, the calls made and the faults injected:
// each fault costs exactly one extra request.
type opTally struct {
	calls, faults atomic.Int64
	// faulty serializes the calls that inject a fault (Lock) against the
	// other calls of the operation (RLock): a fault is then always taken by
	// the call that injected it, so that no call can meet more than one and
	// the request counts are exact.
	faulty sync.RWMutex
}

// TestConcurrentMixedOperations runs every kind of call at once through one
// client against one fake, some of them meeting transient faults, and checks
// that nothing failed and that the fake's counts and state add up.
func TestConcurrentMixedOperations(t *testing.T) {
	const workers, iterations = 64, 20
	srv := startFake(t)
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	t.Cleanup(tr.CloseIdleConnections)
	c := fakeClient(t, srv, wrapper.WithHTTPClient(&http.Client{Transport: tr}), wrapper.WithRetry(faultAttempts, time.Millisecond, 5*time.Millisecond),
		wrapper.WithAttemptTimeout(time.Minute)) // no fault here is a timeout: the attempt timeout is only a safety net
	shared := srv.AddOrganizations(8)

	tally := map[string]*opTally{}
	for _, op := range matrixOps {
		tally[op.id] = &opTally{}
	}
	// do runs one call of op, after injecting f for it unless f is the zero Fault.
	do := func(op string, f partnertest.Fault, call func() error) error {
		tl := tally[op]
		if f == (partnertest.Fault{}) {
			tl.faulty.RLock()
			defer tl.faulty.RUnlock()
		} else {
			tl.faulty.Lock()
			defer tl.faulty.Unlock()
			srv.InjectFault(op, 1, f)
			tl.faults.Add(1)
		}
		tl.calls.Add(1)
		return call()
	}
	var (
		none        partnertest.Fault
		unavailable = partnertest.Fault{Status: http.StatusServiceUnavailable}
		throttled   = partnertest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"} // within the cap: repeated
	)

	// Format the client over and over while it works.
	stop := make(chan struct{})
	formatted := make(chan int)
	go func() {
		n := 0
		defer func() { formatted <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := fmt.Sprintf("%v %+v %#v %s %q %x", c, c, c, c, c, c) + c.String() + c.Endpoint()
			if strings.Contains(s, srv.Secret()) || !strings.Contains(s, "[REDACTED]") {
				t.Errorf("formatting the client printed %q", s)
				return
			}
			n++
			time.Sleep(100 * time.Microsecond) // leave the CPU to the calls
		}
	}()

	var creates, meterings atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			ctx := context.Background()
			fail := func(what string, err error) bool {
				if err != nil {
					t.Errorf("worker %d: %s: %v", w, what, err)
				}
				return err != nil
			}
			var own []wrapper.ID
			metered := 0
			for i := range iterations {
				f := none
				if (w+i)%3 == 0 {
					f = unavailable
					if i%2 == 0 {
						f = throttled
					}
				}
				switch i % 10 {
				case 0: // create, retried on 429 only
					if f == unavailable {
						f = throttled
					}
					req := wrapper.CreateOrganizationRequest{
						DisplayName: "Concurrent", OwnerEmail: "owner@acme.example", ClientID: fmt.Sprintf("conc-%02d-%02d", w, i),
						BillingAddress: wrapper.BillingAddress{Name: "ACME", StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"},
					}
					var o wrapper.Organization
					err := do(opCreateID, f, func() (err error) { o, err = c.CreateOrganization(ctx, req); return err })
					if fail("create", err) {
						return
					}
					if o.ClientID != req.ClientID {
						t.Errorf("worker %d: created %+v for %s", w, o, req.ClientID)
					}
					creates.Add(1)
					own = append(own, o.ID)
				case 1, 7:
					var orgs []wrapper.Organization
					err := do(opListID, f, func() (err error) { orgs, err = c.ListOrganizations(ctx); return err })
					if !fail("list", err) && len(orgs) < len(shared)+len(own) {
						t.Errorf("worker %d: list of %d organizations, want at least %d", w, len(orgs), len(shared)+len(own))
					}
				case 2, 8:
					id := shared[(w+i)%len(shared)]
					var o wrapper.Organization
					err := do(opGetID, f, func() (err error) { o, err = c.GetOrganization(ctx, id); return err })
					if !fail("get", err) && o.ID != id {
						t.Errorf("worker %d: got %s, want %s", w, o.ID, id)
					}
				case 3, 4: // suspend then activate this worker's latest organization
					id := own[len(own)-1]
					op, want, action := "suspend-distributor-organization", wrapper.StatusSuspended, c.SuspendOrganization
					if i%10 == 4 {
						op, want, action = "activate-distributor-organization", wrapper.StatusActive, c.ActivateOrganization
					}
					var o wrapper.Organization
					err := do(op, f, func() (err error) { o, err = action(ctx, id); return err })
					if !fail(op, err) && (o.ID != id || o.Status != want) {
						t.Errorf("worker %d: %s answered %+v", w, op, o)
					}
				case 5:
					err := do(opUsageID, f, func() error { _, err := c.ListUsage(ctx, own[0], wrapper.Period{}); return err })
					fail("usage", err)
				case 6: // metering, retried on 429 only
					if f == unavailable {
						f = throttled
					}
					err := do(opMeteringID, f, func() error {
						return c.ApplyMetering(ctx, own[0], []wrapper.UsageRecord{{Product: "partner", Variable: "commission", Quantity: float64(i)}})
					})
					if !fail("metering", err) {
						meterings.Add(1)
						metered++
					}
				case 9: // the shared organizations' states race: any live state is right
					id := shared[w%len(shared)]
					op, action := "suspend-distributor-organization", c.SuspendOrganization
					if w%2 == 0 {
						op, action = "activate-distributor-organization", c.ActivateOrganization
					}
					var o wrapper.Organization
					err := do(op, f, func() (err error) { o, err = action(ctx, id); return err })
					if !fail(op, err) && o.Status != wrapper.StatusActive && o.Status != wrapper.StatusSuspended {
						t.Errorf("worker %d: %s answered %+v", w, op, o)
					}
				}
			}
			// A fan-out of usage reads inside the fan-out of workers.
			if w%8 == 0 {
				err := do(opUsageID, none, func() error {
					tally[opUsageID].calls.Add(int64(len(shared) - 1)) // do counted one
					for _, r := range c.UsageFor(ctx, shared, wrapper.Period{}, 4) {
						if r.Err != nil {
							return r.Err
						}
					}
					return nil
				})
				fail("UsageFor", err)
			}
			// Retire the first organization: terminate it and schedule its purge.
			if err := do("terminate-distributor-organization", none, func() error { _, err := c.TerminateOrganization(ctx, own[0]); return err }); fail("terminate", err) {
				return
			}
			err := do("schedule-purge-distributor-organization", none, func() error {
				r, err := c.SchedulePurge(ctx, own[0])
				if err == nil && !r.Scheduled {
					err = fmt.Errorf("purge answered %+v", r)
				}
				return err
			})
			fail("purge", err)
			if got := len(srv.Metering(own[0])); got != metered {
				t.Errorf("worker %d: %d usage records stored, %d applied", w, got, metered)
			}
		})
	}
	wg.Wait()
	close(stop)
	if n := <-formatted; n == 0 {
		t.Error("the client was never formatted")
	}
	if t.Failed() {
		return
	}

	for op, tl := range tally {
		if got, want := srv.Requests(op), int(tl.calls.Load()+tl.faults.Load()); got != want {
			t.Errorf("%s: %d requests, want %d calls + %d faults", op, got, tl.calls.Load(), tl.faults.Load())
		}
	}
	if got, want := srv.Applied(opCreateID), int(creates.Load()); got != want || want != workers*iterations/10 {
		t.Errorf("created %d organizations, %d creates succeeded", got, want)
	}
	if got, want := len(srv.Organizations()), len(shared)+int(creates.Load()); got != want {
		t.Errorf("fake holds %d organizations, want %d", got, want)
	}
	if got, want := srv.Applied(opMeteringID), int(meterings.Load()); got != want {
		t.Errorf("metering applied %d times, %d calls succeeded", got, want)
	}
	terminated := 0
	for _, o := range srv.Organizations() {
		if o.Status == "terminated" {
			terminated++
		}
	}
	if terminated != workers {
		t.Errorf("%d organizations terminated, want %d", terminated, workers)
	}
	var faults int64
	for _, tl := range tally {
		faults += tl.faults.Load()
	}
	t.Logf("%d requests, %d of them faulted and retried", srv.Requests(""), faults)
}
