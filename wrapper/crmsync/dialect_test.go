package crmsync_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/crmsync"
)

// excelSemicolon is a CRM export as Excel saves "CSV UTF-8" in a Swiss,
// German or Austrian locale: a BOM, ";" separators, CRLF, and quotes
// around the fields that hold a ";" or a quote; a comma needs none.
const excelSemicolon = "\ufeffclient-id;display-name;owner-email;name;street-name;building-number;city;postal-code;country;address;status\r\n" +
	"crm-1;Caf\u00e9 du Lac, Gen\u00e8ve;owner@cafe.example;\"Caf\u00e9; Bar\";Rue du Rh\u00f4ne;7;Gen\u00e8ve;1204;CH;;active\r\n" +
	"crm-2;\"M\u00fcller \"\"Z\u00fcri\"\" AG\";it@mueller.example;M\u00fcller AG;Bahnhofstrasse;1;Z\u00fcrich;8001;CH;c/o Empfang, 3. Stock;suspended\r\n"

// TestReadCSVSemicolon: a ";" file as Excel writes it reads as the same
// customers as its "," equivalent: accents, quotes, commas and ";" in
// fields intact, line numbers the file's.
func TestReadCSVSemicolon(t *testing.T) {
	t.Parallel()
	got, err := crmsync.ReadCSV(strings.NewReader(excelSemicolon), "crm.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []crmsync.Customer{
		{Line: 2, ClientID: "crm-1", DisplayName: "Café du Lac, Genève", OwnerEmail: "owner@cafe.example", Status: wrapper.StatusActive,
			BillingAddress: wrapper.BillingAddress{Name: "Café; Bar", StreetName: "Rue du Rhône", BuildingNumber: "7", City: "Genève", PostalCode: "1204", Country: "CH"}},
		{Line: 3, ClientID: "crm-2", DisplayName: `Müller "Züri" AG`, OwnerEmail: "it@mueller.example", Status: wrapper.StatusSuspended,
			BillingAddress: wrapper.BillingAddress{Name: "Müller AG", StreetName: "Bahnhofstrasse", BuildingNumber: "1", City: "Zürich", PostalCode: "8001",
				Country: "CH", Address: "c/o Empfang, 3. Stock"}},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	// TAB-separated, as Excel's "Text (Tab delimited)".
	tab := strings.ReplaceAll(strings.ReplaceAll(excelSemicolon, ";", "\t"), "Café\t Bar", "Café; Bar")
	if got, err := crmsync.ReadCSV(strings.NewReader(tab), "crm.txt"); err != nil || len(got) != 2 || got[0] != want[0] {
		t.Fatalf("TAB: %+v, %v", got, err)
	}
}

// TestReadCSVSemicolonRefused: a ";" file whose header does not name the
// columns is one line that names the separator (it used to be 11
// "missing column" lines); a ";" file saved in Windows-1252 is still
// refused, field by field.
func TestReadCSVSemicolonRefused(t *testing.T) {
	t.Parallel()
	misnamed := strings.Replace(excelSemicolon, "owner-email", "E-Mail", 1)
	_, err := crmsync.ReadCSV(strings.NewReader(misnamed), "crm.csv")
	want := `crm.csv:1: header: it seems to be separated by ";", and then lacks "owner-email" and has the unknown "E-Mail": ` +
		`want the columns ` + strings.Join(crmsync.Columns(), ",") + `, separated by ",", ";" or TAB`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}

	cp1252 := strings.NewReplacer("\ufeff", "", "é", "\xe9", "è", "\xe8", "ô", "\xf4", "ü", "\xfc").Replace(excelSemicolon)
	_, err = crmsync.ReadCSV(strings.NewReader(cp1252), "crm.csv")
	var ie *crmsync.InvalidError
	if !errors.As(err, &ie) || len(ie.Problems) != 7 || !strings.HasPrefix(err.Error(), `crm.csv:2: display-name: not valid UTF-8 (got "Caf\xe9 du Lac, Gen\xe8ve")`) {
		t.Errorf("Windows-1252: got\n%v", err)
	}
}
