package partnertest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/internal/signer"
)

// Every operation of the spec has a handler, and every handler an operation.
func TestHandlersCoverSpec(t *testing.T) {
	ops := map[string]bool{}
	for _, item := range contract.MustDoc().Paths.Map() {
		for _, op := range item.Operations() {
			ops[op.OperationID] = true
			if handlers[op.OperationID] == nil {
				t.Errorf("no handler for %s", op.OperationID)
			}
		}
	}
	for id := range handlers {
		if !ops[id] {
			t.Errorf("handler for %s, which the spec does not have", id)
		}
	}
}

// recordingTB records Errorf calls instead of failing.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestContractBreakingAnswer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(ans *answer)
		say    string
	}{
		{"bad enum", func(ans *answer) {
			ans.body = []byte(strings.Replace(string(ans.body), `"active"`, `"zombie"`, 1))
		}, "organizations[0].status"},
		{"bad pattern", func(ans *answer) {
			ans.body = []byte(strings.Replace(string(ans.body), `"CH"`, `"ch"`, 1))
		}, "organizations[0].billing-address.country"},
		{"not JSON", func(ans *answer) { ans.body = ans.body[:len(ans.body)-1] }, "decode"},
		{"undeclared status", func(ans *answer) { ans.status = http.StatusCreated }, "status 201"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := &recordingTB{TB: t}
			srv := NewServer(WithTB(tb))
			defer srv.Close()
			srv.AddOrganizations(1)
			srv.breakAnswer = func(op string, ans *answer) {
				if op == "list-distributor-organizations" {
					tc.mutate(ans)
				}
			}
			req, _ := http.NewRequest("GET", srv.URL+"/distributor/organization", nil)
			_ = signer.New(srv.Key(), srv.Secret()).Sign(req)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", resp.StatusCode)
			}
			tb.mu.Lock()
			defer tb.mu.Unlock()
			t.Log(tb.errs)
			if len(tb.errs) != 1 || !strings.Contains(tb.errs[0], tc.say) {
				t.Errorf("tb.Errorf calls: %q; want one naming %s", tb.errs, tc.say)
			}
		})
	}
}

// WithoutAnswerValidation lets an answer that breaks the contract through
// untouched and reports nothing, while requests are still validated.
func TestWithoutAnswerValidation(t *testing.T) {
	tb := &recordingTB{TB: t}
	srv := NewServer(WithTB(tb), WithoutAnswerValidation())
	defer srv.Close()
	srv.AddOrganizations(1)
	srv.breakAnswer = func(op string, ans *answer) {
		ans.body = []byte(strings.Replace(string(ans.body), `"active"`, `"zombie"`, 1))
	}
	s := signer.New(srv.Key(), srv.Secret())
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		_ = s.Sign(req)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if status, body := get("/distributor/organization"); status != http.StatusOK || !strings.Contains(body, `"zombie"`) {
		t.Errorf("list: %d %s; want 200 with the broken answer as the handler made it", status, body)
	}
	if status, body := get("/distributor/organization/not-a-uuid"); status != http.StatusBadRequest {
		t.Errorf("invalid request: %d %s; want 400", status, body)
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.errs) != 0 {
		t.Errorf("tb.Errorf calls: %q; want none", tb.errs)
	}
}
