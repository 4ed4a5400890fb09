package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// createArgs creates the organization most tests work on.
var createArgs = []string{"create-distributor-organization",
	"--display-name", "Acme Alpine AG", "--owner-email", "ops@acme.example", "--client-id", "crm-2001",
	"--billing-name", "Acme Alpine AG", "--street-name", "Seestrasse", "--building-number", "353",
	"--city", "Zürich", "--postal-code", "8038", "--country", "CH"}

var meteringUsage = []string{"--usage", "partner:license_product:3.1415", "--usage", "partner:commission:-42.00005"}

// rows splits a table into rows of cells (cells are separated by two or
// more spaces; leading indentation is dropped).
func rows(out string) [][]string {
	var rs [][]string
	for line := range strings.Lines(out) {
		if line = strings.TrimSpace(line); line != "" {
			rs = append(rs, regexp.MustCompile(`\s{2,}`).Split(line, -1))
		}
	}
	return rs
}

func wantRow(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("row %q, want %q", got, want)
	}
}

func TestCommandsTable(t *testing.T) {
	t.Parallel()
	srv := newServer(t)

	rs := rows(runOK(t, srv, createArgs...))
	if len(rs) != 2 {
		t.Fatalf("create: %q", rs)
	}
	wantRow(t, rs[0], "ID", "STATUS", "CLIENT-ID", "NAME", "COUNTRY")
	id := rs[1][0]
	wantRow(t, rs[1], id, "active", "crm-2001", "Acme Alpine AG", "CH")
	stored := srv.Organizations()[0]
	if b := stored.BillingAddress; stored.Id.String() != id || b.StreetName != "Seestrasse" || *b.BuildingNumber != "353" ||
		b.City != "Zürich" || b.PostalCode != "8038" || b.Address != nil {
		t.Errorf("the API stored %+v, billing %+v", stored, *b)
	}
	other := createOrg(t, srv, "crm-2002")

	rs = rows(runOK(t, srv, "list-distributor-organizations"))
	if len(rs) != 3 {
		t.Fatalf("list: %q", rs)
	}
	wantRow(t, rs[0], "ID", "STATUS", "CLIENT-ID", "NAME", "COUNTRY")
	wantRow(t, rs[1], id, "active", "crm-2001", "Acme Alpine AG", "CH")
	wantRow(t, rs[2], other.ID.String(), "active", "crm-2002", "Fixture crm-2002", "CH")

	for _, step := range []struct{ cmd, status string }{
		{"get-distributor-organization", "active"},
		{"suspend-distributor-organization", "suspended"},
		{"get-distributor-organization", "suspended"},
		{"activate-distributor-organization", "active"},
	} {
		rs = rows(runOK(t, srv, step.cmd, id))
		if len(rs) != 2 {
			t.Fatalf("%s: %q", step.cmd, rs)
		}
		wantRow(t, rs[1], id, step.status, "crm-2001", "Acme Alpine AG", "CH")
	}

	out := runOK(t, srv, append([]string{"metering-transaction", "--organization", id}, meteringUsage...)...)
	if !strings.HasPrefix(out, "applied 2 usage record(s) to "+id+"\n") {
		t.Errorf("metering:\n%s", out)
	}
	rs = rows(out)
	wantRow(t, rs[2], "partner", "license_product", "3.1415")
	wantRow(t, rs[3], "partner", "commission", "-42.00005")
	m := srv.Metering(wrapper.MustParseID(id))
	if len(m) != 2 || *m[0].Quantity != 3.1415 || *m[1].Quantity != -42.00005 || *m[1].Variable != "commission" {
		t.Errorf("the API stored %+v", m)
	}

	rs = rows(runOK(t, srv, "list-distributor-organization-usage", id))
	if len(rs) != 5 {
		t.Fatalf("usage: %q", rs)
	}
	wantRow(t, rs[0], "CODE", "CURRENCY", "TOTAL-EXCL-VAT", "TOTAL-INCL-VAT", "START", "END")
	wantRow(t, rs[2], "PRODUCT", "VARIABLE", "DESCRIPTION", "QUANTITY", "UNIT", "TOTAL-EXCL-VAT", "TOTAL-INCL-VAT")
	if rs[1][1] != partnertest.Currency || rs[3][3] != "-42.00005" || rs[4][3] != "3.1415" {
		t.Errorf("usage: %q", rs)
	}
	start := time.Now().UTC().Format("2006-01") + "-01T00:00:00Z"
	if rs[1][4] != start {
		t.Errorf("usage starts %s, want %s", rs[1][4], start)
	}

	// --period after the ID and before it.
	after := runOK(t, srv, "list-distributor-organization-usage", id, "--period", "2025-01")
	before := runOK(t, srv, "list-distributor-organization-usage", "--period=2025-01", id)
	if after != before {
		t.Errorf("--period after the ID:\n%s\nbefore:\n%s", after, before)
	}
	if rs = rows(after); len(rs) < 4 || rs[1][4] != "2025-01-01T00:00:00Z" || rs[1][5] != "2025-02-01T00:00:00Z" {
		t.Errorf("usage for 2025-01: %q", rs)
	}

	out = runOK(t, srv, "terminate-distributor-organization", id)
	if want := id + " terminated: organization " + id + " terminated\n"; out != want {
		t.Errorf("terminate: %q, want %q", out, want)
	}
	out = runOK(t, srv, "schedule-purge-distributor-organization", id)
	if want := id + " purge scheduled: purge of organization " + id + " scheduled\n"; out != want {
		t.Errorf("schedule-purge: %q, want %q", out, want)
	}
	rs = rows(runOK(t, srv, "get-distributor-organization", id))
	wantRow(t, rs[1], id, "terminated", "crm-2001", "Acme Alpine AG", "CH")
}

// decodeStrict decodes one JSON document into v, refusing unknown keys: the
// output has exactly the wire shape of the generated types.
func decodeStrict(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %T: %v\n%s", v, err, out)
	}
	if dec.More() {
		t.Fatalf("more than one JSON document:\n%s", out)
	}
}

// keys returns every object key in a JSON document.
func keys(t *testing.T, out string) map[string]bool {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ks := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				ks[k] = true
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return ks
}

// wantKeys checks the keys are the API's: the given ones are there and all
// are lower case.
func wantKeys(t *testing.T, out string, want ...string) {
	t.Helper()
	ks := keys(t, out)
	for _, k := range want {
		if !ks[k] {
			t.Errorf("no key %q in\n%s", k, out)
		}
	}
	for k := range ks {
		if k != strings.ToLower(k) || strings.Contains(k, "_") {
			t.Errorf("key %q is not as on the wire", k)
		}
	}
}

func TestCommandsJSON(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	runJSON := func(args ...string) string { return runOK(t, srv, append([]string{"--output", "json"}, args...)...) }
	orgKeys := []string{"id", "status", "client-id", "billing-address", "name", "street-name", "building-number", "city", "postal-code", "country"}

	out := runJSON(createArgs...)
	wantKeys(t, out, orgKeys...)
	var org api.OrganizationOutput
	decodeStrict(t, out, &org)
	if *org.Status != api.Active || *org.ClientId != "crm-2001" || org.BillingAddress.City != "Zürich" || org.BillingAddress.Address != nil {
		t.Errorf("create: %s", out)
	}
	id := org.Id.String()

	out = runJSON("list-distributor-organizations")
	wantKeys(t, out, append(orgKeys, "organizations")...)
	var list api.ListDistributorOrganizations200JSONResponseBody
	decodeStrict(t, out, &list)
	if len(*list.Organizations) != 1 || (*list.Organizations)[0].Id.String() != id {
		t.Errorf("list: %s", out)
	}

	for _, step := range []struct {
		cmd    string
		status api.OrganizationOutputStatus
	}{
		{"get-distributor-organization", api.Active},
		{"suspend-distributor-organization", api.Suspended},
		{"activate-distributor-organization", api.Active},
	} {
		out = runJSON(step.cmd, id)
		wantKeys(t, out, orgKeys...)
		var o api.OrganizationOutput
		decodeStrict(t, out, &o)
		if o.Id.String() != id || *o.Status != step.status {
			t.Errorf("%s: %s", step.cmd, out)
		}
	}

	out = runJSON(append([]string{"metering-transaction", "--organization", id}, meteringUsage...)...)
	var ok api.OkMap
	decodeStrict(t, out, &ok)
	if ok.Ok == nil || !*ok.Ok {
		t.Errorf("metering: %s", out)
	}

	out = runJSON("list-distributor-organization-usage", id)
	wantKeys(t, out, "code", "currency", "total-excl-vat", "total-incl-vat", "start-date", "end-date",
		"usage", "product", "variable", "description", "quantity", "unit")
	var usage api.ListDistributorOrganizationUsage200JSONResponseBody
	decodeStrict(t, out, &usage)
	if len(usage) != 1 || len(*usage[0].Usage) != 2 || *(*usage[0].Usage)[0].Quantity != -42.00005 || *(*usage[0].Usage)[1].Quantity != 3.1415 {
		t.Errorf("usage: %s", out)
	}
	out = runJSON("list-distributor-organization-usage", id, "--period", "2025-01")
	usage = nil
	decodeStrict(t, out, &usage)
	if len(usage) != 1 || !usage[0].StartDate.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("usage for 2025-01: %s", out)
	}

	for _, step := range []struct{ cmd, want string }{
		{"terminate-distributor-organization", "organization " + id + " terminated"},
		{"schedule-purge-distributor-organization", "purge of organization " + id + " scheduled"},
	} {
		out = runJSON(step.cmd, id)
		wantKeys(t, out, "message")
		var m api.TerminateDistributorOrganization200JSONResponseBody
		decodeStrict(t, out, &m)
		if m.Message == nil || *m.Message != step.want {
			t.Errorf("%s: %s", step.cmd, out)
		}
	}
}

// TestAPIErrors: an error answer exits 1, and stderr names the operation
// and the status.
func TestAPIErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	unknown := "0b5c7c1e-6a4b-4ad0-9d1e-3f8f6f2f6a10"
	for _, args := range [][]string{
		{"get-distributor-organization", unknown},
		{"activate-distributor-organization", unknown},
		{"suspend-distributor-organization", unknown},
		{"terminate-distributor-organization", unknown},
		{"schedule-purge-distributor-organization", unknown},
		{"list-distributor-organization-usage", unknown},
		{"metering-transaction", "--organization", unknown, "--usage", "p:v:1"},
	} {
		r := runCLI(t, envOf(srv), args...)
		if want := args[0] + ": 404 Not Found"; r.code != 1 || !strings.Contains(r.stderr, want) || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 1 and %q", args, r.code, r.stdout, r.stderr, want)
		}
	}

	id := createOrg(t, srv, "crm-3001").ID.String()
	r := runCLI(t, envOf(srv), "schedule-purge-distributor-organization", id)
	if r.code != 1 || !strings.Contains(r.stderr, "schedule-purge-distributor-organization: 409 Conflict") {
		t.Errorf("purge before terminate: exit %d, stderr %q", r.code, r.stderr)
	}
	runOK(t, srv, "terminate-distributor-organization", id)
	for _, cmd := range []string{"activate-distributor-organization", "suspend-distributor-organization", "terminate-distributor-organization"} {
		r := runCLI(t, envOf(srv), cmd, id)
		if r.code != 1 || !regexp.MustCompile(regexp.QuoteMeta(cmd)+`: 4\d\d `).MatchString(r.stderr) {
			t.Errorf("%s after terminate: exit %d, stderr %q", cmd, r.code, r.stderr)
		}
	}
}

// TestOutcomeUnknown: a create answered 500 may have been applied; the CLI
// exits 1 and says to check before repeating.
func TestOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.InjectFault("create-distributor-organization", 1, partnertest.Fault{Status: 500, AfterAction: true})
	r := runCLI(t, envOf(srv), createArgs...)
	if r.code != 1 || !strings.Contains(r.stderr, "create-distributor-organization: outcome unknown") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if n := srv.Requests("create-distributor-organization"); n != 1 {
		t.Errorf("create sent %d times, want once", n)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.InjectFault("list-distributor-organizations", -1, partnertest.Fault{Latency: time.Minute})
	start := time.Now()
	r := runCLI(t, envOf(srv), "--timeout", "200ms", "list-distributor-organizations")
	if r.code != 1 || !strings.Contains(r.stderr, "list-distributor-organizations") || !strings.Contains(r.stderr, "deadline exceeded") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v despite --timeout 200ms", d)
	}
}

// TestVerbose: -v logs every attempt, retries included, never the secret or
// the signature.
func TestVerbose(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-verbose-never-logged"
	srv := newServer(t, partnertest.WithCredentials("EXOverbose", secret))
	id := createOrg(t, srv, "crm-4001").ID.String()
	srv.InjectFault("get-distributor-organization", 1, partnertest.Fault{Status: 503, RetryAfter: "0"})
	r := runCLI(t, envOf(srv), "-v", "get-distributor-organization", id)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 attempt records, got:\n%s", r.stderr)
	}
	for i, want := range []string{"attempt=1 .*status=503", "attempt=2 .*status=200"} {
		l := lines[i]
		if !strings.Contains(l, `msg="exopartner attempt"`) || !strings.Contains(l, "operation=get-distributor-organization") ||
			!strings.Contains(l, "method=GET") || !strings.Contains(l, "path=/v1.alpha/distributor/organization/"+id) ||
			!regexp.MustCompile(want).MatchString(l) {
			t.Errorf("record %d: %s", i+1, l)
		}
	}
	for _, bad := range []string{secret, "signature", "Authorization"} {
		if strings.Contains(r.stderr, bad) {
			t.Errorf("stderr holds %q:\n%s", bad, r.stderr)
		}
	}
	if rs := rows(r.stdout); len(rs) != 2 || rs[1][0] != id {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

func TestUsageFlag(t *testing.T) {
	t.Parallel()
	var u usageFlag
	for _, s := range []string{"partner:license_product:3.1415", "p:a:b:-1e-5", "sos:storage:+12"} {
		if err := u.Set(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	want := usageFlag{
		{Product: "partner", Variable: "license_product", Quantity: 3.1415},
		{Product: "p", Variable: "a:b", Quantity: -0.00001},
		{Product: "sos", Variable: "storage", Quantity: 12},
	}
	if !slices.Equal(u, want) {
		t.Errorf("got %v, want %v", u, want)
	}
	for _, s := range []string{"", "p", "p:v", ":v:1", "p::1", "p:v:", "p:v:1,5", "p:v:one"} {
		if err := u.Set(s); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
}
