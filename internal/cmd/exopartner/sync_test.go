package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

const crmHeader = "client-id,display-name,owner-email,name,street-name,building-number,city,postal-code,country,address,status\n"

// crmLine is a valid CRM line; createOrg's fixtures have the same address.
func crmLine(id, status string) string {
	return id + ",Fixture " + id + ",owner@fixture.example,Fixture " + id + ",Rue du Rhône,1,Genève,1204,CH,," + status + "\n"
}

func writeCRM(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "crm.csv")
	writeFile(t, path, content)
	return path
}

// writeRequests counts the write requests that reached srv.
func writeRequests(srv *partnertest.Server) int {
	n := 0
	for _, op := range []string{"create-distributor-organization", "activate-distributor-organization", "suspend-distributor-organization",
		"terminate-distributor-organization", "schedule-purge-distributor-organization", "metering-transaction"} {
		n += srv.Requests(op)
	}
	return n
}

// TestSyncPlanApplySecondRun: the plan is printed with one listing and no
// write; --apply carries it out; the same file again has nothing to do and
// sends only the listing. Drift and organizations absent from the file are
// reported and never touched.
func TestSyncPlanApplySecondRun(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	keep := createOrg(t, srv, "crm-keep")
	moved := createOrg(t, srv, "crm-moved")
	stop := createOrg(t, srv, "crm-stop")
	other := createOrg(t, srv, "crm-other") // not in the file
	file := writeCRM(t, crmHeader+crmLine("crm-keep", "active")+
		strings.Replace(crmLine("crm-moved", "active"), "Genève", "Lausanne", 1)+
		crmLine("crm-stop", "suspended")+crmLine("crm-new", "active"))
	srv.ResetCounts()

	r := runCLI(t, envOf(srv), "sync", "--file", file)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("plan: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	rs := rows(r.stdout)
	wantRow(t, rs[0], "CLIENT-ID", "ORGANIZATION", "STATUS", "WANTED", "ACTION")
	wantRow(t, rs[1], "crm-keep", keep.ID.String(), "active", "active", "nothing")
	wantRow(t, rs[2], "crm-moved", moved.ID.String(), "active", "active", "nothing")
	wantRow(t, rs[3], "crm-stop", stop.ID.String(), "active", "suspended", "suspend")
	wantRow(t, rs[4], "crm-new", "-", "-", "active", "create")
	wantRow(t, rs[5], "Drift the API cannot change (no update operation): reported, not fixed.")
	wantRow(t, rs[7], "crm-moved", moved.ID.String(), "city", "Genève", "Lausanne")
	wantRow(t, rs[8], "Organizations whose client-id is not in the file: never touched.")
	wantRow(t, rs[10], other.ID.String(), "active", "crm-other", "Fixture crm-other", "CH")
	if !strings.HasSuffix(r.stdout, "\n2 change(s) planned; nothing sent. Run again with --apply to carry them out.\n") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if srv.Requests("") != 1 || writeRequests(srv) != 0 {
		t.Errorf("plan sent %d requests, %d writes; want one listing", srv.Requests(""), writeRequests(srv))
	}

	srv.ResetCounts()
	r = runCLI(t, envOf(srv), "sync", "--file", file, "--apply")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("apply: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "\nApplied 2 of 2 change(s):\n") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if srv.Requests("list-distributor-organizations") != 1 || srv.Requests("create-distributor-organization") != 1 ||
		srv.Requests("suspend-distributor-organization") != 1 || writeRequests(srv) != 2 {
		t.Errorf("apply sent %d requests, %d writes; want one listing, one create, one suspend", srv.Requests(""), writeRequests(srv))
	}
	for _, o := range srv.Organizations() {
		if o.ID == other.ID && o.Status != wrapper.StatusActive || o.ID == stop.ID && o.Status != wrapper.StatusSuspended {
			t.Errorf("%s is %s", o.ID, o.Status)
		}
	}

	srv.ResetCounts()
	r = runCLI(t, envOf(srv), "sync", "--file", file, "--apply")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "\nNothing to do.\n") || !strings.Contains(r.stdout, "Lausanne") {
		t.Fatalf("second run: exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if srv.Requests("") != 1 || writeRequests(srv) != 0 {
		t.Errorf("second run sent %d requests, %d writes; want only the listing", srv.Requests(""), writeRequests(srv))
	}
}

// TestSyncApplyFailure: a failed change is exit 1, named on stderr; the
// others are carried out.
func TestSyncApplyFailure(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	createOrg(t, srv, "crm-a")
	file := writeCRM(t, crmHeader+crmLine("crm-a", "terminated")+crmLine("crm-b", "active"))
	srv.InjectFault("terminate-distributor-organization", 1, partnertest.Fault{Status: http.StatusConflict})
	r := runCLI(t, envOf(srv), "sync", "--file", file, "--apply")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "exopartner: sync: crm-a: terminate: ") ||
		lines[1] != "exopartner: sync: 1 of 2 change(s) failed (listed above); run sync again to retry them" {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "Applied 1 of 2 change(s)") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if srv.Applied("create-distributor-organization") != 2 { // crm-a's fixture and crm-b
		t.Errorf("%d creates applied, want 2", srv.Applied("create-distributor-organization"))
	}
}

// TestSyncBadFile: a bad file is refused whole with FILE:LINE: column:
// reason for every problem, exit 2, and nothing is sent, not even a read.
func TestSyncBadFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	createOrg(t, srv, "crm-a")
	srv.ResetCounts()
	dup := writeCRM(t, crmHeader+crmLine("crm-a", "active")+crmLine("crm-b", "paused")+crmLine("crm-a", "suspended"))
	badHeader := writeCRM(t, "client-id,display-name\ncrm-a,A\n")
	quoting := writeCRM(t, crmHeader+`crm-a,"A,o@a.example`+"\n")
	badFields := writeCRM(t, crmHeader+"crm-a,,o@a,A,S,1,C,1,Switzerland,,active\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--file", dup}, dup + `:3: status: must be one of active, suspended, terminated (got "paused")` + "\n" +
			dup + `:4: client-id: duplicate of line 2 ("crm-a")` + "\n"},
		{[]string{"--file", badHeader}, badHeader + `:1: header: it seems to be separated by ",", and then lacks "owner-email", "name", `},
		{[]string{"--file", quoting}, quoting + ":2: csv: column "},
		{[]string{"--file", badFields}, badFields + ":2: display-name: must not be empty\n" + badFields + ":2: owner-email: must be an e-mail address (got "},
		{[]string{"--file", filepath.Join(t.TempDir(), "missing.csv")}, "exopartner: sync: --file: open "},
		{nil, "exopartner: sync: --file PATH.csv is required\n"},
	} {
		r := runCLI(t, envOf(srv), append([]string{"sync", "--apply"}, tc.args...)...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s\nwant exit 2 and a stderr starting:\n%s", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
	if orgs, err := newClient(t, srv).ListOrganizations(context.Background()); err != nil || len(orgs) != 1 || orgs[0].Status != wrapper.StatusActive {
		t.Errorf("organizations %+v, %v", orgs, err)
	}
}

// TestSyncJSON: --output json prints the plan, and with --apply what was
// done, as one JSON document.
func TestSyncJSON(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	moved := createOrg(t, srv, "crm-moved")
	other := createOrg(t, srv, "crm-other")
	file := writeCRM(t, crmHeader+strings.Replace(crmLine("crm-moved", "suspended"), "1204", "1205", 1)+crmLine("crm-new", "active"))
	srv.ResetCounts()

	r := runCLI(t, envOf(srv), "--output", "json", "sync", "--file", file)
	want := `{
  "plan": [
    {
      "client-id": "crm-moved",
      "organization": "` + moved.ID.String() + `",
      "status": "active",
      "wanted": "suspended",
      "actions": [
        "suspend"
      ],
      "drift": [
        {
          "column": "postal-code",
          "api": "1204",
          "file": "1205"
        }
      ]
    },
    {
      "client-id": "crm-new",
      "organization": null,
      "status": null,
      "wanted": "active",
      "actions": [
        "create"
      ],
      "drift": []
    }
  ],
  "untracked": [
    {
      "organization": "` + other.ID.String() + `",
      "status": "active",
      "client-id": "crm-other"
    }
  ]
}
`
	if r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Fatalf("exit %d, stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.code, r.stdout, want, r.stderr)
	}
	if writeRequests(srv) != 0 {
		t.Errorf("the plan sent %d writes", writeRequests(srv))
	}

	srv.InjectFault("create-distributor-organization", 1, partnertest.Fault{Status: http.StatusBadRequest})
	r = runCLI(t, envOf(srv), "--output", "json", "sync", "--file", file, "--apply")
	var doc struct {
		Applied []struct {
			ClientID     string   `json:"client-id"`
			Organization *string  `json:"organization"`
			Status       *string  `json:"status"`
			Done         []string `json:"done"`
			Error        string   `json:"error"`
		} `json:"applied"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v in:\n%s", err, r.stdout)
	}
	a := doc.Applied
	if r.code != 1 || len(a) != 2 || a[0].ClientID != "crm-moved" || *a[0].Status != "suspended" || a[0].Done[0] != "suspend" || a[0].Error != "" ||
		a[1].ClientID != "crm-new" || a[1].Organization != nil || len(a[1].Done) != 0 || !strings.HasPrefix(a[1].Error, "create: ") ||
		!strings.HasPrefix(r.stderr, "exopartner: sync: crm-new: create: ") {
		t.Errorf("exit %d, applied %+v, stderr:\n%s", r.code, a, r.stderr)
	}
}

// TestSyncApplyCanceled: when the context ends during --apply, what was
// applied is still printed, in JSON as in a table, and the exit is 1 with
// the context's error; the later changes are not tried.
func TestSyncApplyCanceled(t *testing.T) {
	t.Parallel()
	for _, output := range []string{"json", "table"} {
		t.Run(output, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			createOrg(t, srv, "crm-a")
			createOrg(t, srv, "crm-b")
			file := writeCRM(t, crmHeader+crmLine("crm-a", "suspended")+crmLine("crm-b", "suspended"))
			srv.ResetCounts()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			// The run is interrupted while the first suspend is in flight
			// (before its answer can leave), so the second is never tried.
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, ":suspend") {
					cancel()
				}
				srv.API.ServeHTTP(w, r)
			}))
			defer front.Close()
			env := mapEnv(map[string]string{wrapper.EnvAPIKey: srv.Key(), wrapper.EnvAPISecret: srv.Secret(),
				wrapper.EnvEndpoint: front.URL + partnertest.BasePath})
			var stdout, stderr bytes.Buffer
			code := run(ctx, []string{"--output", output, "sync", "--file", file, "--apply", "--concurrency", "1"}, &stdout, &stderr, env)
			if code != 1 || !strings.Contains(stderr.String(), context.Canceled.Error()) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr.String(), context.Canceled)
			}
			if n := srv.Requests("suspend-distributor-organization"); n != 1 {
				t.Errorf("%d suspends sent, want 1: the second change is not tried once ctx ended", n)
			}
			if output == "table" {
				_, applied, ok := strings.Cut(stdout.String(), "\nApplied ")
				if !ok || !strings.Contains(applied, "\ncrm-a ") || strings.Contains(applied, "crm-b") {
					t.Errorf("stdout:\n%s", stdout.String())
				}
				return
			}
			var doc struct {
				Plan    []json.RawMessage `json:"plan"`
				Applied *[]struct {
					ClientID string `json:"client-id"`
				} `json:"applied"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
				t.Fatalf("%v in stdout:\n%s", err, stdout.String())
			}
			if len(doc.Plan) != 2 || doc.Applied == nil || len(*doc.Applied) != 1 || (*doc.Applied)[0].ClientID != "crm-a" {
				t.Errorf("stdout:\n%s", stdout.String())
			}
		})
	}
}
