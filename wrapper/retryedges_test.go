package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// stallingServer sends the headers and half of orgJSON, then holds the
// body until the client gives up.
func stallingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(orgJSON)))
		_, _ = io.WriteString(w, orgJSON[:len(orgJSON)/2])
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// A read cut off by the per-attempt deadline while its body was read is
// retried like any connection failure, and when deadlines end the call the
// error matches context.DeadlineExceeded.
func TestCutOffReadDeadline(t *testing.T) {
	srv, n := stallingServer(t)
	c, err := wrapper.New(wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"),
		wrapper.WithRetry(3, time.Millisecond, time.Millisecond), wrapper.WithAttemptTimeout(time.Second)) // each attempt must reach the server, even on a busy machine
	if err != nil {
		t.Fatal(err)
	}
	// The call waits out three attempt timeouts, idle: it runs while the
	// tests that do not run in parallel do.
	first := make(chan error, 1)
	go func() { _, err := c.GetOrganization(context.Background(), orgID); first <- err }()
	t.Parallel()
	err = <-first
	if !errors.Is(err, context.DeadlineExceeded) || n.Load() != 3 {
		t.Fatalf("err %v after %d requests; want context.DeadlineExceeded after 3", err, n.Load())
	}

	// The call's own deadline, not the attempt's: no repeat, and the error
	// says so too.
	n.Store(0)
	c, err = wrapper.New(wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"),
		wrapper.WithRetry(3, time.Millisecond, time.Millisecond), wrapper.WithTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOrganization(context.Background(), orgID)
	if !errors.Is(err, context.DeadlineExceeded) || n.Load() > 1 {
		t.Fatalf("err %v after %d requests; want context.DeadlineExceeded after at most 1", err, n.Load())
	}
}

// A create whose answer is cut off is never sent again: its outcome is
// unknown.
func TestCutOffCreateNotRepeated(t *testing.T) {
	srv := startFake(t)
	c := fakeClient(t, srv)
	srv.InjectFault(opCreateID, 1, partnertest.Fault{Truncate: true})
	_, err := c.CreateOrganization(context.Background(), uniqueRequest("cut"))
	if !errors.Is(err, wrapper.ErrOutcomeUnknown) || srv.Requests(opCreateID) != 1 {
		t.Fatalf("err %v after %d requests; want ErrOutcomeUnknown after 1", err, srv.Requests(opCreateID))
	}
}

// Terminate carried out and answered 502 is repeated; the repeat's 409 (the
// organization is already terminated) is the first attempt's own effect:
// the client reads the organization and reports success.
func TestRepeatedActionAnswered409(t *testing.T) {
	srv := startFake(t)
	c := fakeClient(t, srv)
	org := srv.AddOrganizations(1)[0]
	srv.InjectFault(opTermID, 1, partnertest.Fault{Status: http.StatusBadGateway, AfterAction: true})
	msg, err := c.TerminateOrganization(context.Background(), org)
	if err != nil || !strings.Contains(msg, org.String()) {
		t.Fatalf("terminate: %q, %v; want success", msg, err)
	}
	if srv.Requests(opTermID) != 2 || srv.Requests(opGetID) != 1 {
		t.Fatalf("%d terminate and %d get requests, want 2 and 1", srv.Requests(opTermID), srv.Requests(opGetID))
	}
	// A terminate answered 409 at once (nothing repeated) is the conflict,
	// and nothing is read.
	srv.ResetCounts()
	if _, err := c.TerminateOrganization(context.Background(), org); !errors.Is(err, wrapper.ErrConflict) || srv.Requests(opGetID) != 0 {
		t.Fatalf("err %v, %d reads; want the conflict and no read", err, srv.Requests(opGetID))
	}
	// Activate and suspend of a terminated organization, after a 502 that
	// acted on nothing: the organization is not in the target state, the
	// conflict stands.
	for _, action := range []func(context.Context, wrapper.ID) (wrapper.Organization, error){c.ActivateOrganization, c.SuspendOrganization} {
		srv.InjectFault("", 1, partnertest.Fault{Status: http.StatusBadGateway})
		if _, err := action(context.Background(), org); !errors.Is(err, wrapper.ErrConflict) {
			t.Fatalf("err %v, want the conflict", err)
		}
	}
}

// scriptedActions answers PUT and DELETE from a script of statuses and GET
// with an organization in status.
func scriptedActions(t *testing.T, script []int, status string) (*wrapper.Client, *atomic.Int32, *atomic.Int32) {
	var actions, reads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet {
			reads.Add(1)
			_, _ = io.WriteString(w, strings.Replace(orgJSON, `"active"`, strconv.Quote(status), 1))
			return
		}
		n := int(actions.Add(1))
		if n <= len(script) && script[n-1] != 200 {
			w.WriteHeader(script[n-1])
			fmt.Fprintf(w, `{"message":"scripted %d"}`, script[n-1])
			return
		}
		_, _ = io.WriteString(w, strings.Replace(orgJSON, `"active"`, strconv.Quote(status), 1))
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"),
		wrapper.WithRetry(3, time.Millisecond, 5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c, &actions, &reads
}

func TestRepeatedActionConflictStands(t *testing.T) {
	for _, tt := range []struct {
		name   string
		script []int
		status string // what a read finds
		ok     bool
		reads  int32
	}{
		{"502 then 409, suspended", []int{502, 409}, "suspended", true, 1},
		{"502 then 409, still active", []int{502, 409}, "active", false, 1},
		{"429 then 409: nothing acted", []int{429, 409}, "suspended", false, 0},
		{"409 at once", []int{409}, "suspended", false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, actions, reads := scriptedActions(t, tt.script, tt.status)
			o, err := c.SuspendOrganization(context.Background(), orgID)
			if tt.ok != (err == nil) || reads.Load() != tt.reads || int(actions.Load()) != len(tt.script) {
				t.Fatalf("%+v, %v after %d actions and %d reads; want ok %v after %d reads", o, err, actions.Load(), reads.Load(), tt.ok, tt.reads)
			}
			if tt.ok && (o.ID != orgID || o.Status != wrapper.StatusSuspended) {
				t.Fatalf("got %+v", o)
			}
			if !tt.ok && !errors.Is(err, wrapper.ErrConflict) {
				t.Fatalf("err %v, want the conflict", err)
			}
		})
	}
}

// With the default settings, a list the size of 100 000 organizations
// (about 23 MiB) goes through; other answers keep the 10 MiB cap. (The body
// is padded with a field the client skips, rather than holding 100 000
// organizations, so that the test stays quick under -race;
// BenchmarkList100k lists 100 000 real ones.)
func TestLargeListWithDefaults(t *testing.T) {
	body := append(orgList(3)[:len(orgList(3))-1], `,"padding":"`+strings.Repeat("x", 24<<20)+`"}`...)
	if len(body) <= wrapper.DefaultMaxResponseBytes {
		t.Fatalf("the list is %d bytes: not above the single-answer cap", len(body))
	}
	big := []byte(`{"message":"` + strings.Repeat("x", wrapper.DefaultMaxResponseBytes) + `"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/organization") {
			_, _ = w.Write(body)
			return
		}
		_, _ = w.Write(big)
	}))
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"))
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := c.ListOrganizations(context.Background())
	if err != nil || len(orgs) != 3 {
		t.Fatalf("%d organizations, %v", len(orgs), err)
	}
	if _, err := c.TerminateOrganization(context.Background(), orgID); !errors.Is(err, wrapper.ErrResponseTooLarge) {
		t.Fatalf("a %d-byte terminate answer: %v, want ErrResponseTooLarge", len(big), err)
	}
	// WithMaxResponseBytes applies to every operation, the list included.
	c, err = wrapper.New(wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"), wrapper.WithMaxResponseBytes(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListOrganizations(context.Background()); !errors.Is(err, wrapper.ErrResponseTooLarge) {
		t.Fatalf("list over WithMaxResponseBytes: %v", err)
	}
}
