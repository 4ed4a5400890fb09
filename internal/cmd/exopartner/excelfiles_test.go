package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// excelCRLF turns line ends into CRLF, as Excel saves a CSV.
func excelCRLF(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

const saveAsUTF8 = `: the file looks like Windows-1252; save it as "CSV UTF-8" (Excel: Save As, "CSV UTF-8 (Comma delimited)") and run again`

// TestSyncWindows1252File: a CRM export Excel saved in Windows-1252 is
// refused with FILE:LINE: column: not valid UTF-8 and how to fix it; exit
// 2, nothing sent. Run three times, it creates nothing (it used to create
// one "Z\uFFFDrich" organization per run).
func TestSyncWindows1252File(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	file := writeCRM(t, excelCRLF(crmHeader+"Z\xfcrich-1,Fixture,owner@fixture.example,Fixture,Rue du Rh\xf4ne,1,Gen\xe8ve,1204,CH,,active\n"))
	for range 3 {
		r := runCLI(t, envOf(srv), "sync", "--apply", "--file", file)
		want := file + `:2: client-id: not valid UTF-8 (got "Z\xfcrich-1")` + saveAsUTF8 + "\n" +
			file + `:2: street-name: not valid UTF-8 (got "Rue du Rh\xf4ne")` + saveAsUTF8 + "\n" +
			file + `:2: city: not valid UTF-8 (got "Gen\xe8ve")` + saveAsUTF8 + "\n"
		if r.code != 2 || r.stderr != want || r.stdout != "" {
			t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant exit 2, stderr:\n%s", r.code, r.stdout, r.stderr, want)
		}
	}
	if n := srv.Requests(""); n != 0 || len(srv.Organizations()) != 0 {
		t.Errorf("%d requests sent, %d organizations; want none", n, len(srv.Organizations()))
	}
}

// TestMeteringWindows1252File: a metering file in Windows-1252 ("caf\xe9",
// "caf\xe8") is refused whole, exit 2, nothing sent, no journal written.
func TestMeteringWindows1252File(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := srv.AddOrganizations(1)[0].String()
	dir := t.TempDir()
	file, journal := filepath.Join(dir, "usage.csv"), filepath.Join(dir, "journal")
	writeFile(t, file, excelCRLF("organization,product,variable,quantity,batch\n"+id+",caf\xe9,cups,1,INV-7\n"+id+",caf\xe8,cups,2,INV-8\n"))
	r := runCLI(t, envOf(srv), "metering-transaction", "--file", file, "--journal", journal)
	want := file + `:2: product: not valid UTF-8 (got "caf\xe9")` + saveAsUTF8 + "\n" +
		file + `:3: product: not valid UTF-8 (got "caf\xe8")` + saveAsUTF8 + "\n"
	if r.code != 2 || r.stderr != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2, stderr:\n%s", r.code, r.stderr, want)
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// TestSyncLookAlikes: in a file as Excel writes it (BOM, CRLF, accents),
// rows whose client-ids look alike are a bad file (exit 2, nothing sent);
// a file whose client-ids look like live organizations' plans a conflict
// naming them, and --apply, run twice, creates nothing for them.
func TestSyncLookAlikes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dup := writeCRM(t, "\ufeff"+excelCRLF(crmHeader+crmLine("crm-3", "active")+crmLine("CRM-3", "active")+crmLine("crm-3\u200b", "active")))
	r := runCLI(t, envOf(srv), "sync", "--apply", "--file", dup)
	if r.code != 2 || !strings.HasPrefix(r.stderr, dup+`:3: client-id: duplicate of line 2: "CRM-3" looks like "crm-3"`) ||
		!strings.Contains(r.stderr, dup+`:4: client-id: must not contain the control, invisible or non-ASCII space character U+200B`) ||
		srv.Requests("") != 0 {
		t.Fatalf("exit %d, %d requests, stderr:\n%s", r.code, srv.Requests(""), r.stderr)
	}

	nfd := createOrgAnyID(t, srv, "Zu\u0308rich")
	upper := createOrgAnyID(t, srv, "CRM-3")
	file := writeCRM(t, "\ufeff"+excelCRLF(crmHeader+crmLine("Zürich", "active")+crmLine("crm-3", "active")))
	srv.ResetCounts()
	for range 2 {
		r = runCLI(t, envOf(srv), "sync", "--apply", "--file", file)
		if r.code != 0 || !strings.Contains(r.stdout, "Left alone") ||
			!strings.Contains(r.stdout, `Zürich: client-id "Z\u00fcrich" looks like the client-id of live organization(s)`) ||
			!strings.Contains(r.stdout, nfd.ID.String()+` (active, client-id "Zu\u0308rich")`) ||
			!strings.Contains(r.stdout, upper.ID.String()+` (active, client-id "CRM-3")`) || !strings.Contains(r.stdout, "Nothing to do.") {
			t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
	}
	if n := writeRequests(srv); n != 0 || len(srv.Organizations()) != 2 {
		t.Errorf("%d writes, %d organizations; want 0 and 2", n, len(srv.Organizations()))
	}
}

// createOrgAnyID puts an organization with any client-id in place, as an
// older client (or another tool) may have created it.
func createOrgAnyID(t *testing.T, srv *partnertest.Server, clientID string) wrapper.Organization {
	t.Helper()
	return srv.Seed(wrapper.Organization{Status: wrapper.StatusActive, ClientID: clientID, BillingAddress: wrapper.BillingAddress{
		Name: "Fixture " + clientID, StreetName: "Rue du Rhône", BuildingNumber: "1", PostalCode: "1204", City: "Genève", Country: "CH"}})
}

// excelSemicolon turns a "," file into what Excel saves as "CSV UTF-8" in
// a Swiss, German or Austrian locale: a BOM, ";" and CRLF (the fixtures'
// fields hold no "," or ";").
func excelSemicolon(s string) string {
	return "\ufeff" + excelCRLF(strings.ReplaceAll(s, ",", ";"))
}

// TestSyncSemicolonFile: sync --file reads a CRM export Excel saved with
// ";" (BOM, CRLF, accents, a quoted field holding ";") as its "," twin;
// --apply creates the new customer with its accents intact. A ";" header
// that does not name the columns is one line naming the separator, exit 2,
// nothing sent.
func TestSyncSemicolonFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	keep := createOrg(t, srv, "crm-keep")
	file := writeCRM(t, excelSemicolon(crmHeader+crmLine("crm-keep", "active"))+
		"crm-new;\"Caf\u00e9; Bar\";it@cafe.example;Caf\u00e9 du Lac;Rue du Rh\u00f4ne;7;Z\u00fcrich;8001;CH;;active\r\n")
	r := runCLI(t, envOf(srv), "sync", "--file", file, "--apply")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	rs := rows(r.stdout)
	wantRow(t, rs[1], "crm-keep", keep.ID.String(), "active", "active", "nothing")
	wantRow(t, rs[2], "crm-new", "-", "-", "active", "create")
	var created wrapper.Organization
	for _, o := range srv.Organizations() {
		if o.ClientID == "crm-new" {
			created = o
		}
	}
	if created.BillingAddress.City != "Zürich" || created.BillingAddress.Name != "Café du Lac" {
		t.Errorf("created %+v", created)
	}

	srv.ResetCounts()
	bad := writeCRM(t, excelSemicolon(strings.Replace(crmHeader, "postal-code", "PLZ", 1)+crmLine("crm-x", "active")))
	r = runCLI(t, envOf(srv), "sync", "--file", bad)
	want := bad + `:1: header: it seems to be separated by ";", and then lacks "postal-code" and has the unknown "PLZ": ` +
		`want the columns client-id,display-name,owner-email,name,street-name,building-number,city,postal-code,country,address,status, separated by ",", ";" or TAB` + "\n"
	if r.code != 2 || r.stderr != want || srv.Requests("") != 0 {
		t.Errorf("exit %d, %d requests, stderr:\n%s\nwant exit 2, stderr:\n%s", r.code, srv.Requests(""), r.stderr, want)
	}
}

// TestMeteringSemicolonFile: metering-transaction --file sends a ";" file
// with decimal commas as the numbers written (3,1415 is 3.1415), and
// refuses a quantity that could be read two ways (exit 2, nothing sent,
// the reason in the line).
func TestMeteringSemicolonFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := srv.AddOrganizations(1)[0]
	dir := t.TempDir()
	file, journal := filepath.Join(dir, "usage.csv"), filepath.Join(dir, "journal")
	writeFile(t, file, "\ufefforganization;product;variable;quantity;batch\r\n"+
		id.String()+";partner;license_product;3,1415;INV-7\r\n"+id.String()+";\"caf\u00e9; cr\u00e8me\";commission;-42,00005;INV-7\r\n")
	r := runCLI(t, envOf(srv), "metering-transaction", "--file", file, "--journal", journal)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	got := srv.Metering(id)
	if len(got) != 2 || got[0].Quantity != 3.1415 || got[1].Quantity != -42.00005 || got[1].Product != "café; crème" {
		t.Errorf("applied %+v", got)
	}

	srv.ResetCounts()
	ambiguous := filepath.Join(dir, "ambiguous.csv")
	writeFile(t, ambiguous, "organization;product;variable;quantity;batch\r\n"+id.String()+";partner;license_product;1.234,5;INV-8\r\n")
	r = runCLI(t, envOf(srv), "metering-transaction", "--file", ambiguous, "--journal", journal)
	want := ambiguous + `:2: quantity: "1.234,5" could be read two ways: it has both "." and ","`
	if r.code != 2 || !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 || srv.Requests("") != 0 {
		t.Errorf("exit %d, %d requests, stderr:\n%s\nwant exit 2 and one line starting %s", r.code, srv.Requests(""), r.stderr, want)
	}
}
