package crmsync_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/crmsync"
)

// crlf turns a file's line ends into CRLF, as Excel writes them.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// TestReadCSVWindows1252: a CRM export saved by Excel as "CSV (Comma
// delimited)" on Windows (Windows-1252, CRLF, no BOM) is refused whole:
// each field that is not UTF-8 is reported once, as FILE:LINE: column: not
// valid UTF-8, with how to save the file instead.
func TestReadCSVWindows1252(t *testing.T) {
	t.Parallel()
	in := crlf(header + row("crm-1", "active") +
		"Z\xfcrich-7,Caf\xe9 du Lac,owner@cafe.example,Caf\xe9 du Lac,Bahnhofstrasse,1,Z\xfcrich,8001,CH,,active\n")
	_, err := crmsync.ReadCSV(strings.NewReader(in), "crm.csv")
	var ie *crmsync.InvalidError
	if !errors.As(err, &ie) || !errors.Is(err, wrapper.ErrInvalidInput) {
		t.Fatalf("got %v, want an *InvalidError", err)
	}
	hint := `: the file looks like Windows-1252; save it as "CSV UTF-8" (Excel: Save As, "CSV UTF-8 (Comma delimited)") and run again`
	want := []string{
		`crm.csv:3: client-id: not valid UTF-8 (got "Z\xfcrich-7")` + hint,
		`crm.csv:3: display-name: not valid UTF-8 (got "Caf\xe9 du Lac")` + hint,
		`crm.csv:3: name: not valid UTF-8 (got "Caf\xe9 du Lac")` + hint,
		`crm.csv:3: city: not valid UTF-8 (got "Z\xfcrich")` + hint,
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

// TestReadCSVLookAlikeDuplicates: in a file as Excel writes it (BOM, CRLF,
// accents), rows whose client-ids look alike are duplicates, and a
// client-id that is not canonical text is refused.
func TestReadCSVLookAlikeDuplicates(t *testing.T) {
	t.Parallel()
	in := "\ufeff" + crlf(header+row("crm-3", "active")+row("CRM-3", "active")+row("Zürich", "active")+
		row("Zu\u0308rich", "suspended")+row("crm-4", "active")+row("crm-4", "active")+row("crm-3\u200b", "active")+"crm-5 "+strings.TrimPrefix(row("crm-5", "active"), "crm-5"))
	_, err := crmsync.ReadCSV(strings.NewReader(in), "crm.csv")
	var ie *crmsync.InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an *InvalidError", err)
	}
	want := []string{
		`crm.csv:3: client-id: duplicate of line 2: "CRM-3" looks like "crm-3" (client-ids equal after Unicode NFC, trimming and case folding are one customer)`,
		`crm.csv:5: client-id: must be in Unicode NFC, composed characters (got "Zu\u0308rich", which is "Z\u00fcrich" in NFC)`,
		`crm.csv:5: client-id: duplicate of line 4: "Zu\u0308rich" looks like "Z\u00fcrich" (client-ids equal after Unicode NFC, trimming and case folding are one customer)`,
		`crm.csv:7: client-id: duplicate of line 6 ("crm-4")`,
		`crm.csv:8: client-id: must not contain the control, invisible or non-ASCII space character U+200B (got "crm-3\u200b")`,
		`crm.csv:8: client-id: duplicate of line 2: "crm-3\u200b" looks like "crm-3" (client-ids equal after Unicode NFC, trimming and case folding are one customer)`,
		`crm.csv:9: client-id: must not begin or end with a space (got "crm-5 ")`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

// TestPlanLookAlikeConflict: live organizations whose client-ids look like
// the file's ("CRM-3" for "crm-3", NFD "Zürich" for NFC) are neither
// matched nor duplicated: the step is a conflict naming them, Apply sends
// nothing for it, and they are not listed as untracked.
func TestPlanLookAlikeConflict(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ctx := context.Background()
	upper := srv.Seed(wrapper.Organization{Status: wrapper.StatusActive, ClientID: "CRM-3",
		BillingAddress: customer("x", wrapper.StatusActive).BillingAddress})
	nfd := srv.Seed(wrapper.Organization{Status: wrapper.StatusSuspended, ClientID: "Zu\u0308rich",
		BillingAddress: customer("x", wrapper.StatusActive).BillingAddress})
	twin := customer("crm-9", wrapper.StatusActive)
	a, b := seed(t, c, twin, wrapper.StatusActive), seed(t, c, twin, wrapper.StatusActive)
	customers := []crmsync.Customer{customer("crm-3", wrapper.StatusActive), customer("Zürich", wrapper.StatusActive),
		twin, customer("crm-4", wrapper.StatusActive)}
	srv.ResetCounts()
	for run := range 2 {
		p, err := crmsync.Plan(ctx, c, customers)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range [][]wrapper.Organization{{upper}, {nfd}, {a, b}} {
			s := p.Steps[i]
			if len(s.Actions) != 0 || s.Organization.ID != (wrapper.ID{}) || len(s.ConflictWith) != len(want) ||
				!strings.Contains(s.Conflict, want[0].ID.String()) {
				t.Fatalf("run %d, %s: %+v; want a conflict with %v", run, s.Customer.ClientID, s, want)
			}
			for j := range want {
				if s.ConflictWith[j].ID != want[j].ID {
					t.Errorf("run %d, %s: conflict with %v, want %v", run, s.Customer.ClientID, s.ConflictWith, want)
				}
			}
		}
		if !strings.Contains(p.Steps[0].Conflict, `looks like`) || !strings.Contains(p.Steps[2].Conflict, "is on several live organizations") {
			t.Errorf("conflicts %q, %q", p.Steps[0].Conflict, p.Steps[2].Conflict)
		}
		if len(p.Untracked) != 0 {
			t.Errorf("untracked %v, want none: the look-alikes are in the conflicts", p.Untracked)
		}
		if _, err := crmsync.Apply(ctx, c, p); err != nil {
			t.Fatal(err)
		}
	}
	if w := writes(srv); w[opCreate] != 1 || len(w) != 1 {
		t.Errorf("writes %v, want one create (crm-4)", w)
	}
	if n := len(srv.Organizations()); n != 5 {
		t.Errorf("%d organizations, want 5", n)
	}
}
