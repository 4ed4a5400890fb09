package contract

import (
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Every string the client sends must be valid UTF-8. JSON is UTF-8, and
// encoding/json turns each byte of an invalid sequence into U+FFFD without
// a word: a client-id read from a Windows-1252 file ("Z\xfcrich") would be
// stored as "Z\uFFFDrich" and never equal the file's again, and "caf\xe9"
// and "caf\xe8" would be sent, and hashed, alike. The rule is refusal,
// never repair: guessing the encoding would be a second silent change.

// NotUTF8 is the rule a string that is not valid UTF-8 breaks, with the
// string shown escaped ("Z\xfcrich").
func NotUTF8(s string) string {
	return "must be valid UTF-8 text (got " + quoteCut(s) + ")"
}

// UTF8Problems walks doc, a request body as the generic JSON value it
// encodes to (maps, []any, strings, numbers), with its strings as the caller
// gave them, and returns one Problem per string (object key or value) that
// is not valid UTF-8, named below prefix as on the wire
// ("usage[0].product"), in a stable order.
func UTF8Problems(prefix string, doc any) []Problem {
	var out []Problem
	var walk func(v any, ptr []string)
	walk = func(v any, ptr []string) {
		switch v := v.(type) {
		case string:
			if !utf8.ValidString(v) {
				out = append(out, Problem{Field: Field(prefix, ptr...), Rule: NotUTF8(v)})
			}
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				if !utf8.ValidString(k) {
					out = append(out, Problem{Field: Field(prefix, ptr...), Rule: "keys " + NotUTF8(k)})
					continue
				}
				walk(v[k], append(slices.Clip(ptr), k))
			}
		case []any:
			for i, x := range v {
				walk(x, append(slices.Clip(ptr), strconv.Itoa(i)))
			}
		}
	}
	walk(doc, nil)
	return out
}

// NotUTF8InFile is what a reader of a CSV file (a CRM export, a metering
// file) says of a field that is not valid UTF-8, after FILE:LINE: column:.
// Such a file was almost always saved by a spreadsheet in Windows-1252
// (Excel's "CSV (Comma delimited)" on Windows); the reason says how to
// save it instead.
func NotUTF8InFile(field string) string {
	return "not valid UTF-8 (got " + quoteCut(field) + `): the file looks like Windows-1252; ` +
		`save it as "CSV UTF-8" (Excel: Save As, "CSV UTF-8 (Comma delimited)") and run again`
}

// quoteCut quotes s with Go escapes, at most 40 bytes of it.
func quoteCut(s string) string {
	const max = 40
	if len(s) <= max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:max]) + "…"
}

// Quote is how exopartner shows a value a person must tell apart from a
// look-alike in a message: Go-quoted with every non-ASCII character
// escaped ("crm-3\u200b", "Zu\u0308rich").
func Quote(s string) string { return fmt.Sprintf("%+q", s) }
