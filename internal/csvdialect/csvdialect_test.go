package csvdialect_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/exopartner/exopartner/internal/csvdialect"
)

var cols = csvdialect.Columns{Required: []string{"organization", "product", "quantity"}, Optional: []string{"batch"}}

// TestNewReaderDetects: the separator is the one with which the header
// names the required columns, whatever else the file holds (commas in a
// ";" file's quoted and unquoted fields, a BOM, CRLF, quoted header names).
func TestNewReaderDetects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		comma    rune
		want     [][]string
	}{
		{"comma", "organization,product,quantity\nA,p,1.5\n", ',', [][]string{{"organization", "product", "quantity"}, {"A", "p", "1.5"}}},
		{"Excel de-CH CSV UTF-8: BOM, CRLF, ;, quotes", "\ufeff\"organization\";product;quantity;batch\r\n" +
			"A;\"Caf\u00e9; cr\u00e8me\";3,1415;\"INV \"\"7\"\"\"\r\nB;Z\u00fcrich, Bahnhof;2;INV-8\r\n", ';',
			[][]string{{"organization", "product", "quantity", "batch"}, {"A", "Caf\u00e9; cr\u00e8me", "3,1415", `INV "7"`}, {"B", "Z\u00fcrich, Bahnhof", "2", "INV-8"}}},
		{"TAB", "quantity\torganization\tproduct\n1,5\tA\tp, q\n", '\t', [][]string{{"quantity", "organization", "product"}, {"1,5", "A", "p, q"}}},
		{"a ; file whose fields hold commas", "organization;product;quantity\nA,B;p,q;1\n", ';', [][]string{{"organization", "product", "quantity"}, {"A,B", "p,q", "1"}}},
		{"blank lines before the header", "\r\n\norganization;product;quantity\nA;p;1\n", ';', [][]string{{"organization", "product", "quantity"}, {"A", "p", "1"}}},
		{"no line end", "organization;product;quantity", ';', [][]string{{"organization", "product", "quantity"}}},
		{"empty", "", ',', nil},
		{"BOM only", "\ufeff", ',', nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time: detection must not depend on how reads split the file.
			cr, d, err := csvdialect.NewReader(iotest.OneByteReader(strings.NewReader(tc.in)), cols)
			if err != nil {
				t.Fatal(err)
			}
			if d.Comma != tc.comma || cr.Comma != tc.comma {
				t.Errorf("separator %q (reader %q), want %q", d.Comma, cr.Comma, tc.comma)
			}
			got, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("records %q, want %q", got, tc.want)
			}
			for i := range got {
				if strings.Join(got[i], "|") != strings.Join(tc.want[i], "|") {
					t.Errorf("record %d: %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestNewReaderLineNumbers: the header is line 1 and rows keep the file's
// line numbers, a BOM and CRLF notwithstanding.
func TestNewReaderLineNumbers(t *testing.T) {
	t.Parallel()
	cr, _, err := csvdialect.NewReader(strings.NewReader("\ufefforganization;product;quantity\r\nA;\"p\r\nq\";1\r\nB;p;2\r\n"), cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{1, 2, 4} {
		if _, err := cr.Read(); err != nil {
			t.Fatal(err)
		}
		if line, _ := cr.FieldPos(0); line != want {
			t.Errorf("record at line %d, want %d", line, want)
		}
	}
	if _, err := cr.Read(); err != io.EOF {
		t.Errorf("after the last record: %v, want io.EOF", err)
	}
}

// TestNewReaderRefuses: a header that names the columns with no separator
// is one line saying which separator it seems to use and what it lacks.
func TestNewReaderRefuses(t *testing.T) {
	t.Parallel()
	const want = `: want the columns organization,product,quantity and optionally batch, separated by ",", ";" or TAB`
	for _, tc := range []struct{ name, in, want string }{
		{"; with a misnamed column", "organization;Produkt;quantity;batch\n",
			`header: it seems to be separated by ";", and then lacks "product" and has the unknown "Produkt"` + want},
		{", with a column missing", "\ufefforganization,quantity\r\n", `header: it seems to be separated by ",", and then lacks "product"` + want},
		{"TAB, German names", "Organisation\tProdukt\tMenge\n",
			`header: it seems to be separated by TAB, and then lacks "organization", "product", "quantity" and has the unknown "Organisation", "Produkt", "Menge"` + want},
		{"pipes", "organization|product|quantity\n", `header: it seems to be separated by "|", which is not a CSV separator` + want},
		{"one word", "organization product quantity\n", `header: no separator (",", ";" or TAB) in "organization product quantity"` + want},
		{"UTF-16, as Excel's Unicode Text", "\xff\xfeo\x00r\x00g\x00", `file: the file is UTF-16 (Excel's "Unicode Text"); save it as "CSV UTF-8"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := csvdialect.NewReader(strings.NewReader(tc.in), cols)
			var de *csvdialect.Error
			if !errors.As(err, &de) || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
	// A reading error is returned as it is.
	if _, _, err := csvdialect.NewReader(iotest.ErrReader(io.ErrUnexpectedEOF), cols); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading error: %v", err)
	}
}

// TestDecimal: a decimal comma is read in a ";" file only; whatever could
// be read two ways is refused, with both readings where there are two.
func TestDecimal(t *testing.T) {
	t.Parallel()
	semi, comma, tab := csvdialect.Dialect{Comma: ';'}, csvdialect.Dialect{Comma: ','}, csvdialect.Dialect{Comma: '\t'}
	for _, tc := range []struct {
		d        csvdialect.Dialect
		in, want string // want: the number, or the start of the reason
		ok       bool
	}{
		{semi, "3,1415", "3.1415", true},
		{semi, "-42,00005", "-42.00005", true},
		{semi, "1,234", "1.234", true},
		{semi, ",5", ".5", true},
		{semi, "3.1415", "3.1415", true},
		{semi, "0.125", "0.125", true},
		{semi, "1234", "1234", true},
		{semi, "abc", "abc", true},     // for the reader to refuse
		{semi, "1.2.3", "1.2.3", true}, // not a number either
		{semi, "1.2,3", "1.2,3", true},
		{semi, "1,2,3", "1,2,3", true},
		{comma, "3.1415", "3.1415", true},
		{comma, "1.234", "1.234", true},
		{tab, "-42.00005", "-42.00005", true},
		{semi, "1.234,5", `"1.234,5" could be read two ways: it has both "." and ","`, false},
		{semi, "1,234.5", `"1,234.5" could be read two ways: it has both "." and ","`, false},
		{comma, "1,234.5", `"1,234.5" could be read two ways: it has both "." and ","`, false},
		{semi, "1.234", `"1.234" could be read two ways in a file separated by ";" (1.234, or 1234 where "." separates thousands): write 1,234 or 1.2340 for 1.234, and 1234 for 1234`, false},
		{semi, "-12.345", `"-12.345" could be read two ways in a file separated by ";" (-12.345, or -12345`, false},
		{semi, "1.234.567", `"1.234.567" has several ".", so it separates thousands`, false},
		{semi, "1,234,567", `"1,234,567" has several ",", so it separates thousands`, false},
		{comma, "3,1415", `"3,1415" could be read two ways (3.1415 or 31415): in a file separated by "," a comma is no decimal separator`, false},
		{tab, "1,5", `"1,5" could be read two ways (1.5 or 15): in a file separated by TAB a comma is no decimal separator`, false},
		{semi, "1'234.5", `"1'234.5" has a thousands separator ("'")`, false},
		{semi, "1\u2019234,5", `"1’234,5" has a thousands separator ("’")`, false},
		{semi, "1\u00a0234,5", `"1\u00a0234,5" has a thousands separator ("\u00a0")`, false},
		{semi, "1 234,5", `"1 234,5" has a thousands separator (" ")`, false},
	} {
		got, err := tc.d.Decimal(tc.in)
		switch {
		case tc.ok && (err != nil || got != tc.want):
			t.Errorf("%s file, %q: %q, %v; want %q", tc.d, tc.in, got, err, tc.want)
		case !tc.ok && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%s file, %q: %q, %v; want the reason %s", tc.d, tc.in, got, err, tc.want)
		}
	}
}

// TestIndex: each column's first field; unknown and duplicate names in
// header order, then the required columns absent, in their order.
func TestIndex(t *testing.T) {
	t.Parallel()
	index, problems := cols.Index([]string{"quantity", "vat", "batch", "organization", "quantity", "Batch"})
	if want := map[string]int{"quantity": 0, "batch": 2, "organization": 3}; len(index) != len(want) ||
		index["quantity"] != 0 || index["batch"] != 2 || index["organization"] != 3 {
		t.Errorf("index %v, want %v", index, want)
	}
	want := []csvdialect.HeaderProblem{
		{Kind: csvdialect.Unknown, Column: "vat"},
		{Kind: csvdialect.Duplicate, Column: "quantity"},
		{Kind: csvdialect.Unknown, Column: "Batch"},
		{Kind: csvdialect.Missing, Column: "product"},
	}
	if len(problems) != len(want) {
		t.Fatalf("problems %+v, want %+v", problems, want)
	}
	for i := range want {
		if problems[i] != want[i] {
			t.Errorf("problem %d: %+v, want %+v", i, problems[i], want[i])
		}
	}
	if index, problems := cols.Index([]string{"product", "organization", "quantity"}); len(problems) != 0 || len(index) != 3 {
		t.Errorf("a good header: %v, %+v", index, problems)
	}
}
