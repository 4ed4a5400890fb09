package crmsync_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/crmsync"
)

const header = "client-id,display-name,owner-email,name,street-name,building-number,city,postal-code,country,address,status\n"

// row is a valid line for client-id id, with status.
func row(id, status string) string {
	return id + ",Customer " + id + ",owner@" + id + ".example,Customer " + id + ",Rue du Lac,7,Lausanne,1003,CH,," + status + "\n"
}

func TestReadCSV(t *testing.T) {
	t.Parallel()
	in := "\ufeff" + header + row("a", "active") + "\n" + `b,"Quoted, Inc.",o@b.example,"Quoted, Inc.",Main,,"Zürich",8001,CH,"c/o ""Desk""",terminated` + "\n"
	got, err := crmsync.ReadCSV(strings.NewReader(in), "crm.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []crmsync.Customer{
		{Line: 2, ClientID: "a", DisplayName: "Customer a", OwnerEmail: "owner@a.example", Status: wrapper.StatusActive,
			BillingAddress: wrapper.BillingAddress{Name: "Customer a", StreetName: "Rue du Lac", BuildingNumber: "7", City: "Lausanne", PostalCode: "1003", Country: "CH"}},
		{Line: 4, ClientID: "b", DisplayName: "Quoted, Inc.", OwnerEmail: "o@b.example", Status: wrapper.StatusTerminated,
			BillingAddress: wrapper.BillingAddress{Name: "Quoted, Inc.", StreetName: "Main", City: "Zürich", PostalCode: "8001", Country: "CH", Address: `c/o "Desk"`}},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	// Columns in another order.
	cols := crmsync.Columns()
	reordered := strings.Join(append(cols[1:], cols[0]), ",") + "\n" +
		"Customer z,owner@z.example,Customer z,Rue du Lac,7,Lausanne,1003,CH,,suspended,z\n"
	got, err = crmsync.ReadCSV(strings.NewReader(reordered), "crm.csv")
	if err != nil || len(got) != 1 || got[0].ClientID != "z" || got[0].Status != wrapper.StatusSuspended {
		t.Fatalf("reordered: %+v, %v", got, err)
	}

	// A header alone is an empty, valid file.
	if got, err := crmsync.ReadCSV(strings.NewReader(header), "crm.csv"); err != nil || len(got) != 0 {
		t.Fatalf("header only: %+v, %v", got, err)
	}
}

// TestReadCSVBadFile: every kind of bad file is refused whole, with one
// "FILE:LINE: column: reason" per problem.
func TestReadCSVBadFile(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("9", 81)
	for _, tc := range []struct {
		name, in string
		want     []string // the lines of the error, exactly or (ending in "…") as a prefix
	}{
		{"empty file", "", []string{"crm.csv:1: header: missing: want the columns " + strings.Join(crmsync.Columns(), ",")}},
		{"missing column", strings.Replace(header, ",address", "", 1) + "a,A,o@a.example,A,S,1,C,1,CH,active\n",
			[]string{`crm.csv:1: header: it seems to be separated by ",", and then lacks "address": want the columns ` + strings.Join(crmsync.Columns(), ",") + `, separated by ",", ";" or TAB`}},
		{"unknown and duplicate columns", strings.TrimSuffix(header, "\n") + ",vat-id,city\n",
			[]string{"crm.csv:1: vat-id: unknown column (want …", "crm.csv:1: city: duplicate column"}},
		{"wrong field count", header + row("a", "active") + "b,B,o@b.example\n" + row("c", "active"),
			[]string{"crm.csv:3: columns: 3 fields, want 11 as in the header"}},
		{"bad quoting", header + row("a", "active") + `b,"B,o@b.example` + "\n",
			[]string{`crm.csv:3: csv: column …`}},
		{"bare quote", header + `a,A "x",o@a.example,A,S,1,C,1,CH,,active` + "\n", []string{`crm.csv:2: csv: column 5: bare " in non-quoted-field`}},
		{"empty client-id", header + ",A,o@a.example,A,S,1,C,1,CH,,active\n",
			[]string{"crm.csv:2: client-id: required: it is the key that matches the customer to its organization"}},
		{"duplicate client-id", header + row("a", "active") + row("b", "active") + row("a", "suspended"),
			[]string{`crm.csv:4: client-id: duplicate of line 2 ("a")`}},
		{"bad status", header + row("a", "Active"), []string{`crm.csv:2: status: must be one of active, suspended, terminated (got "Active")`}},
		{"empty status", header + row("a", ""), []string{"crm.csv:2: status: required: one of active, suspended, terminated"}},
		{"contract violations", header +
			"a,,not-an-email,A,S,1,C," + long + ",ch,,active\n",
			[]string{"crm.csv:2: display-name: must not be empty", `crm.csv:2: owner-email: must be an e-mail address (got "not-an-email")`,
				"crm.csv:2: postal-code: must be at most 80 characters (got 81)",
				`crm.csv:2: country: must be an ISO 3166-1 alpha-2 country code, two upper-case letters such as CH (got "ch")`}},
		{"too long client-id", header + strings.Repeat("k", 192) + ",A,o@a.example,A,S,1,C,1,CH,,active\n", []string{"crm.csv:2: client-id: must be at most 191 characters (got 192)"}},
		{"every bad line listed", header + row("a", "gone") + row("b", "active") + row("c", "") + row("b", "active"),
			[]string{"crm.csv:2: status: …", "crm.csv:4: status: …", `crm.csv:5: client-id: duplicate of line 3 ("b")`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := crmsync.ReadCSV(strings.NewReader(tc.in), "crm.csv")
			var ie *crmsync.InvalidError
			if got != nil || !errors.As(err, &ie) || !errors.Is(err, wrapper.ErrInvalidInput) {
				t.Fatalf("got %+v, %v; want an *InvalidError", got, err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("error:\n%s\nwant %d lines: %q", err, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if p, ok := strings.CutSuffix(w, "…"); ok && strings.HasPrefix(lines[i], p) || lines[i] == w {
					continue
				}
				t.Errorf("line %d: %q, want %q", i, lines[i], w)
			}
		})
	}
}
