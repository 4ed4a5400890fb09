package meterfile_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
)

const (
	org1 = "6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f"
	org2 = "0c8e5a4b-7d21-4f6a-8b3c-2e9d1f0a7b6c"
)

func TestParseGroupsRows(t *testing.T) {
	csv := "\ufefforganization,product,variable,quantity\n" +
		org1 + ",partner,license,3.1415\n" +
		org2 + ",partner,license,1\n" +
		org1 + ",partner,commission,-42.00005\n"
	txs, err := meterfile.Parse("m.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) != 2 {
		t.Fatalf("got %d transactions, want 2 (one per organization): %+v", len(txs), txs)
	}
	if txs[0].Organization != wrapper.MustParseID(org1) || txs[0].Line != 2 || len(txs[0].Usage) != 2 {
		t.Errorf("first transaction: %+v", txs[0])
	}
	want := wrapper.UsageRecord{Product: "partner", Variable: "commission", Quantity: -42.00005}
	if txs[0].Usage[1] != want {
		t.Errorf("row: got %+v, want %+v", txs[0].Usage[1], want)
	}
	if txs[1].Organization != wrapper.MustParseID(org2) || txs[1].Line != 3 || txs[1].File != "m.csv" {
		t.Errorf("second transaction: %+v", txs[1])
	}
}

func TestParseGroupsByBatch(t *testing.T) {
	csv := "batch,quantity,organization,product,variable\n" +
		"2025-01,1," + org1 + ",p,v\n" +
		"2025-02,2," + org1 + ",p,v\n" +
		"2025-01,3," + org1 + ",p,w\n"
	txs, err := meterfile.Parse("m.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) != 2 || txs[0].Batch != "2025-01" || len(txs[0].Usage) != 2 || txs[1].Batch != "2025-02" || len(txs[1].Usage) != 1 {
		t.Fatalf("want two transactions by (organization, batch), got %+v", txs)
	}
	if txs[0].ID() == txs[1].ID() {
		t.Error("two batches share an identity")
	}
}

func TestIdentity(t *testing.T) {
	parse := func(csv string) meterfile.Transaction {
		t.Helper()
		txs, err := meterfile.Parse("m.csv", strings.NewReader("organization,product,variable,quantity,batch\n"+csv))
		if err != nil || len(txs) != 1 {
			t.Fatalf("%v %+v", err, txs)
		}
		return txs[0]
	}
	base := parse(org1 + ",p,a,1.5,b1\n" + org1 + ",p,b,2,b1\n")
	same := []string{
		org1 + ",p,b,2,b1\n" + org1 + ",p,a,1.5,b1\n",       // rows reordered
		org1 + ",p,a,1.50000,b1\n" + org1 + ",p,b,2.0,b1\n", // same numbers, other spelling
	}
	for _, s := range same {
		if got := parse(s).ID(); got != base.ID() {
			t.Errorf("%q: identity changed", s)
		}
	}
	other := []string{
		org1 + ",p,a,1.5,b2\n" + org1 + ",p,b,2,b2\n",       // other batch
		org2 + ",p,a,1.5,b1\n" + org2 + ",p,b,2,b1\n",       // other organization
		org1 + ",p,a,1.5,b1\n" + org1 + ",p,b,2.00001,b1\n", // other quantity
		org1 + ",p,a,1.5,b1\n",                              // a row fewer
		org1 + ",q,a,1.5,b1\n" + org1 + ",p,b,2,b1\n",       // other product
	}
	for _, s := range other {
		if got := parse(s).ID(); got == base.ID() {
			t.Errorf("%q: same identity as a different transaction", s)
		}
	}
	if len(base.ID()) != 64 {
		t.Errorf("identity %q: want 64 hex digits", base.ID())
	}
}

func TestParseBadFiles(t *testing.T) {
	const h = "organization,product,variable,quantity\n"
	for _, tc := range []struct {
		name, csv string
		want      []string
	}{
		{"empty file", "", []string{"m.csv:1: file: empty"}},
		{"header only", h, []string{"m.csv:1: file: no rows after the header"}},
		{"missing column", "organization,product,quantity\n" + org1 + ",p,1\n", []string{`m.csv:1: header: it seems to be separated by ",", and then lacks "variable": want the columns organization,product,variable,quantity and optionally batch, separated by ",", ";" or TAB`}},
		{"unknown column", "organization,product,variable,quantity,price\n" + org1 + ",p,v,1,2\n", []string{`m.csv:1: header: unknown column "price"`}},
		{"duplicate header", "organization,product,variable,quantity,product\n" + org1 + ",p,v,1,p\n", []string{`m.csv:1: header: duplicate column "product"`}},
		{"bad uuid", h + "acme,p,v,1\n", []string{`m.csv:2: organization: must be a UUID (8-4-4-4-12 hex digits), got "acme"`}},
		{"uuid without dashes", h + strings.ReplaceAll(org1, "-", "") + ",p,v,1\n", []string{"m.csv:2: organization: must be a UUID"}},
		{"nil uuid", h + "00000000-0000-0000-0000-000000000000,p,v,1\n", []string{"m.csv:2: organization: must not be the nil UUID"}},
		{"empty organization", h + ",p,v,1\n", []string{"m.csv:2: organization: required"}},
		{"empty product", h + org1 + ",,v,1\n", []string{"m.csv:2: product: required"}},
		{"empty variable", h + org1 + ",p,,1\n", []string{"m.csv:2: variable: required"}},
		{"empty quantity", h + org1 + ",p,v,\n", []string{"m.csv:2: quantity: required"}},
		{"quantity not a number", h + org1 + ",p,v,lots\n", []string{`m.csv:2: quantity: want a decimal number such as 12.5 or -0.00001, got "lots"`}},
		{"quantity NaN", h + org1 + ",p,v,NaN\n", []string{`m.csv:2: quantity: want a decimal number`}},
		{"quantity infinite", h + org1 + ",p,v,-Inf\n", []string{`m.csv:2: quantity: want a decimal number`}},
		{"quantity exponent", h + org1 + ",p,v,1e3\n", []string{`m.csv:2: quantity: want a decimal number`}},
		{"quantity comma", h + org1 + `,p,v,"1,5"` + "\n", []string{`m.csv:2: quantity: "1,5" could be read two ways (1.5 or 15): in a file separated by "," a comma is no decimal separator`}},
		{"quantity too large", h + org1 + ",p,v,1" + strings.Repeat("0", 400) + "\n", []string{"m.csv:2: quantity: out of range"}},
		{"too many decimals", h + org1 + ",p,v,0.000001\n", []string{`m.csv:2: quantity: at most 5 decimal places, got "0.000001"`}},
		{"quantity beyond a float64's digits", h + org1 + ",p,v,1234567890123.12345\n",
			[]string{`m.csv:2: quantity: too many significant digits to be sent exactly: "1234567890123.12345" would be sent as 1234567890123.1235;`}},
		{"integer beyond a float64's digits", h + org1 + ",p,v,-9007199254740993\n",
			[]string{`m.csv:2: quantity: too many significant digits to be sent exactly: "-9007199254740993" would be sent as -9007199254740992;`}},
		{"too few columns", h + org1 + ",p,v\n", []string{"m.csv:2: file: wrong number of columns"}},
		{"too many columns", h + org1 + ",p,v,1,x\n", []string{"m.csv:2: file: wrong number of columns"}},
		{"bad quoting", h + org1 + `,p,"v,1` + "\n", []string{"m.csv:2: file:"}},
		{"every bad line listed", h + org1 + ",p,v,1\n" + "x,p,v,1\n" + org1 + ",,v,1\n" + org1 + ",p,v\n" + org1 + ",p,v,abc\n",
			[]string{"m.csv:3: organization:", "m.csv:4: product: required", "m.csv:5: file: wrong number of columns", "m.csv:6: quantity:"}},
		{"line of a multi-line field", h + org1 + `,"p` + "\n" + `q",v,1` + "\n" + org1 + ",p,v,x\n", []string{"m.csv:4: quantity:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			txs, err := meterfile.Parse("m.csv", strings.NewReader(tc.csv))
			if err == nil {
				t.Fatalf("accepted: %+v", txs)
			}
			if txs != nil {
				t.Errorf("returned transactions with an error: %+v", txs)
			}
			if !errors.Is(err, wrapper.ErrInvalidInput) {
				t.Errorf("%v: does not match wrapper.ErrInvalidInput", err)
			}
			var le *meterfile.LineError
			if !errors.As(err, &le) || le.File != "m.csv" || le.Line == 0 || le.Column == "" {
				t.Errorf("%v: no *LineError with file, line and column", err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("problem %d: got %q, want it to start with %q", i, lines[i], w)
				}
			}
		})
	}
}

func TestParseAcceptsEdgeQuantities(t *testing.T) {
	csv := "organization,product,variable,quantity\n" +
		org1 + ",p,a,-42.00005\n" + org1 + ",p,b,1.1234500000\n" + org1 + ",p,c,.5\n" + org1 + ",p,d,+7\n" + org1 + ",p,e,0\n" +
		// As many significant digits as a float64 holds exactly, in
		// other spellings of the same numbers.
		org1 + ",p,f,-0.000\n" + org1 + ",p,g,0012345678901.12345\n" + org1 + ",p,h,+9007199254740992.\n" + org1 + ",p,i,-.00001\n"
	txs, err := meterfile.Parse("m.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, u := range txs[0].Usage {
		got = append(got, u.Quantity)
	}
	want := []float64{-42.00005, 1.12345, 0.5, 7, 0, 0, 12345678901.12345, 9007199254740992, -0.00001}
	if len(got) != len(want) {
		t.Fatalf("quantities: got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] || math.Signbit(got[i]) != math.Signbit(want[i]) {
			t.Errorf("quantities: got %v, want %v", got, want)
			break
		}
	}
}

func TestParseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.csv")
	if err := os.WriteFile(path, []byte("organization,product,variable,quantity\nx,p,v,1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := meterfile.ParseFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":2: organization:") {
		t.Errorf("got %v, want the file's path in the message", err)
	}
	if _, err := meterfile.ParseFile(filepath.Join(t.TempDir(), "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}
