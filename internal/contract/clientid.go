package contract

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Client-ids that look alike are one customer: "crm-3", "crm-3 ", "CRM-3",
// "crm-3" followed by a zero-width space, and "Zürich" in NFC and in NFD are
// different bytes a person cannot tell apart (or a CRM does not). The rule,
// in this file only:
//
//   - A new organization's client-id (create, ensure, a CRM file) is
//     canonical text: no leading or trailing space, no control, invisible
//     or non-ASCII space character, no U+FFFD, and Unicode NFC
//     ([ClientIDRule]).
//   - Two client-ids look alike when their [ClientIDKey]s are equal: NFC,
//     invisible characters dropped, other spaces made ASCII spaces,
//     trimmed, and case-folded. Rows of one file that look alike are a
//     duplicate; a live organization whose client-id looks like the one
//     asked for, without being equal to it, is a conflict a person
//     resolves, never matched and never duplicated.
//
// Compatibility forms (full-width "ｃｒｍ", ligatures) are not folded: they
// are not what spreadsheets and CRMs produce by accident.

// ClientIDRule returns the rule client-id s breaks as the client-id of a new
// organization, or "" when it is canonical text. Text that is not valid
// UTF-8 is left to [NotUTF8].
func ClientIDRule(s string) string {
	if !utf8.ValidString(s) {
		return ""
	}
	if strings.TrimSpace(s) != s {
		return "must not begin or end with a space (got " + Quote(s) + ")"
	}
	if plainASCII(s) {
		return "" // no control, invisible or unusual space character, and NFC
	}
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return "must not contain U+FFFD, the replacement character: the text was mangled by an earlier " +
				"conversion (got " + Quote(s) + ")"
		case invisible(r) || unusualSpace(r):
			return fmt.Sprintf("must not contain the control, invisible or non-ASCII space character %U (got %s)", r, Quote(s))
		}
	}
	if !norm.NFC.IsNormalString(s) {
		return "must be in Unicode NFC, composed characters (got " + Quote(s) + ", which is " + Quote(norm.NFC.String(s)) + " in NFC)"
	}
	return ""
}

// ClientIDKey returns what look-alike client-ids have in common: a and b
// look alike when ClientIDKey(a) == ClientIDKey(b). It is defined for any
// string; a byte that is not UTF-8 counts as U+FFFD.
func ClientIDKey(s string) string {
	if plainASCII(s) {
		return strings.ToLower(strings.Trim(s, " "))
	}
	s = norm.NFD.String(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case unusualSpace(r):
			return ' '
		case invisible(r):
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	return norm.NFC.String(cases.Fold().String(s))
}

// SameClientID reports whether client-ids a and b look alike (equal ones
// included): ClientIDKey(a) == ClientIDKey(b), without allocating when
// both are printable ASCII.
func SameClientID(a, b string) bool {
	if a == b {
		return true
	}
	if plainASCII(a) && plainASCII(b) {
		return strings.EqualFold(strings.Trim(a, " "), strings.Trim(b, " "))
	}
	return ClientIDKey(a) == ClientIDKey(b)
}

// plainASCII reports whether s is printable ASCII (spaces included), whose
// key is simply its lower case, trimmed.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// invisible reports whether r is a control character (Cc), a format
// character (Cf: zero-width space and joiners, bidirectional marks, the byte
// order mark, the soft hyphen), a variation selector or another
// default-ignorable code point (the Hangul fillers, say): characters that
// show as nothing or change how others show.
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// unusualSpace reports whether r is a space or line break other than the
// ASCII space: a no-break space looks like a space and is not one.
func unusualSpace(r rune) bool {
	return r != ' ' && !unicode.IsControl(r) && (unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp))
}
