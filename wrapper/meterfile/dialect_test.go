package meterfile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
)

// TestParseExcelSemicolon: a metering file as Excel saves "CSV UTF-8" in a
// German-speaking locale (BOM, ";", CRLF, decimal commas, quotes around a
// field with a ";") is read: 3,1415 is 3.1415 and -42,00005 is -42.00005,
// exactly; the same file as "," with decimal points has the same
// transactions and identities.
func TestParseExcelSemicolon(t *testing.T) {
	t.Parallel()
	semi := "\ufefforganization;product;variable;quantity;batch\r\n" +
		org1 + ";partner;license_product;3,1415;INV-2025-01\r\n" +
		org1 + ";\"caf\u00e9; cr\u00e8me\";commission;-42,00005;INV-2025-01\r\n" +
		org2 + ";partner;license_product;0.125;INV-2025-01\r\n"
	comma := "organization,product,variable,quantity,batch\n" +
		org1 + ",partner,license_product,3.1415,INV-2025-01\n" +
		org1 + ",café; crème,commission,-42.00005,INV-2025-01\n" +
		org2 + ",partner,license_product,0.125,INV-2025-01\n"
	got, err := meterfile.Parse("usage.csv", strings.NewReader(semi))
	if err != nil {
		t.Fatal(err)
	}
	want, err := meterfile.Parse("usage.csv", strings.NewReader(comma))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Usage[0].Quantity != 3.1415 || got[0].Usage[1].Quantity != -42.00005 ||
		got[0].Usage[1].Product != "café; crème" || got[1].Usage[0].Quantity != 0.125 {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].ID() != want[i].ID() || got[i].Line != want[i].Line {
			t.Errorf("transaction %d: %s at line %d, want %s at line %d as in the \",\" file", i, got[i].ID(), got[i].Line, want[i].ID(), want[i].Line)
		}
	}
}

// TestParseAmbiguousQuantities: a quantity that could be read two ways is
// a bad line that says why, in whichever file; nothing is returned.
func TestParseAmbiguousQuantities(t *testing.T) {
	t.Parallel()
	const semi = "organization;product;variable;quantity\r\n"
	for _, tc := range []struct{ name, in, want string }{
		{"both separators", semi + org1 + ";p;v;1.234,5\r\n",
			`usage.csv:2: quantity: "1.234,5" could be read two ways: it has both "." and ",", so one of them separates thousands, and which one is not said; ` +
				`write it with one decimal separator and no thousands separator`},
		{"both separators, the other way", semi + org1 + ";p;v;1,234.5\r\n", `usage.csv:2: quantity: "1,234.5" could be read two ways: it has both "." and ","`},
		{"a German thousands separator", semi + org1 + ";p;v;1.234\r\n",
			`usage.csv:2: quantity: "1.234" could be read two ways in a file separated by ";" (1.234, or 1234 where "." separates thousands)`},
		{"Swiss thousands", semi + org1 + ";p;v;1'234.50\r\n", `usage.csv:2: quantity: "1'234.50" has a thousands separator ("'")`},
		{"a comma in a \",\" file", "organization,product,variable,quantity\n" + org1 + `,p,v,"3,1415"` + "\n",
			`usage.csv:2: quantity: "3,1415" could be read two ways (3.1415 or 31415): in a file separated by "," a comma is no decimal separator`},
		{"six decimals, with a comma", semi + org1 + ";p;v;0,000001\r\n", `usage.csv:2: quantity: at most 5 decimal places, got "0,000001"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			txs, err := meterfile.Parse("usage.csv", strings.NewReader(tc.in))
			if txs != nil || !errors.Is(err, wrapper.ErrInvalidInput) || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %+v,\n%v\nwant one line starting %s", txs, err, tc.want)
			}
		})
	}
}

// TestParseSemicolonRefused: a ";" file whose header does not name the
// columns is one line naming the separator; a ";" file in Windows-1252 is
// still refused field by field.
func TestParseSemicolonRefused(t *testing.T) {
	t.Parallel()
	_, err := meterfile.Parse("usage.csv", strings.NewReader("\ufefforganization;product;variable;Menge\r\n"+org1+";p;v;1\r\n"))
	want := `usage.csv:1: header: it seems to be separated by ";", and then lacks "quantity" and has the unknown "Menge": ` +
		`want the columns organization,product,variable,quantity and optionally batch, separated by ",", ";" or TAB`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	_, err = meterfile.Parse("usage.csv", strings.NewReader("organization;product;variable;quantity\r\n"+org1+";caf\xe9;v;1,5\r\n"))
	if err == nil || !strings.HasPrefix(err.Error(), `usage.csv:2: product: not valid UTF-8 (got "caf\xe9")`) || strings.Contains(err.Error(), "\n") {
		t.Errorf("Windows-1252: got %v", err)
	}
}
