// Package safetext is the one place exopartner makes text safe for what
// people open: a spreadsheet (CSV cells) and a terminal (tables, plans,
// messages). Text from the API or from a file is data; neither a
// spreadsheet nor a terminal may run it.
//
//   - [Cell] neutralises a spreadsheet text cell that would be run as a
//     formula (OWASP "CSV injection"): every CSV writer of exopartner calls
//     it on each text cell, and leaves the numbers it formats itself alone.
//   - [Terminal] and [Message] escape control characters, so that an escape
//     sequence in a billing name (ESC ] 0; … BEL rewrites a window title,
//     ESC [ 2K CR erases a line) is shown, not obeyed: every human output
//     of the command line goes through one of them.
package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// formulaStarts are the first characters that make a spreadsheet (Excel,
// LibreOffice, Google Sheets) read a cell as a formula, or as the start of
// one: =, +, -, @, TAB and CR (OWASP, CSV injection).
const formulaStarts = "=+-@\t\r"

// Cell returns s as a spreadsheet text cell that cannot run: when s begins
// with =, +, -, @, TAB or CR, it is prefixed with a single quote ('), which
// spreadsheets show as a plain text marker, as OWASP recommends
// ("=1+1" → "'=1+1", "-42" → "'-42"). Any other text is returned unchanged.
// Apply it to text cells only: a number the program formatted itself
// (-42.00005) is a number, and is written as it is.
func Cell(s string) string {
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Terminal returns s for one cell or field of human output: every control
// character (C0 including TAB and newline, DEL, C1), every invisible format
// character (bidirectional overrides, zero-width space, byte order mark),
// line and paragraph separators, and every byte that is not UTF-8 is
// written as a Go escape (\x1b, \r, \u202e, \xfc), so that the text stays
// on its line and in its column, and a terminal shows it instead of obeying
// it. Text without such characters is returned unchanged, without
// allocating.
func Terminal(s string) string { return escape(s, false) }

// Message is [Terminal] for a message of several lines: newlines are kept,
// every other control character is escaped.
func Message(s string) string { return escape(s, true) }

// escape writes s with each unsafe rune escaped; keepNewlines keeps '\n'.
func escape(s string, keepNewlines bool) string {
	i := firstUnsafe(s, keepNewlines)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x` + hex2(s[i]))
		case unsafe(r, keepNewlines):
			q := strconv.QuoteRune(r) // '\x1b', '\r', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe is the offset of the first rune escape changes, or -1.
func firstUnsafe(s string, keepNewlines bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f { // printable ASCII: the common case
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafe(r, keepNewlines) {
			return i
		}
		i += size
	}
	return -1
}

// unsafe reports whether r must be escaped.
func unsafe(r rune, keepNewlines bool) bool {
	if r == '\n' {
		return !keepNewlines
	}
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}
