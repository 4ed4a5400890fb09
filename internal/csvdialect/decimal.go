package csvdialect

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// grouped is a digit, one of the characters spreadsheets group digits with
// besides "." and "," (the Swiss apostrophes, a space, no-break and narrow
// no-break spaces, and the underscore of programs), and a digit.
var grouped = lazyRegexp("[0-9]['\u2019 \u00a0\u202f_][0-9]")

// thousandsLike is a number a German-locale spreadsheet may have written
// with a "." as thousands separator: 1.234, -12.345, 123.456.
var thousandsLike = lazyRegexp(`^[+-]?[1-9][0-9]{0,2}\.[0-9]{3}$`)

// Numbers with digits grouped in thousands: 1.234.567 and 1,234,567, and
// with a decimal separator too, either way: 1.234,5 and 1,234.5.
var (
	groupedDots       = lazyRegexp(`^[+-]?[0-9]{1,3}(\.[0-9]{3})+$`)
	groupedCommas     = lazyRegexp(`^[+-]?[0-9]{1,3}(,[0-9]{3})+$`)
	groupedAndDecimal = lazyRegexp(`^[+-]?([0-9]{1,3}(\.[0-9]{3})*,[0-9]*|[0-9]{1,3}(,[0-9]{3})*\.[0-9]*)$`)
)

// lazyRegexp compiles expr on first use: importing the package costs
// nothing.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Decimal returns s, a number as a file of dialect d writes it, as a plain
// decimal with a point, or why it cannot be read as one number. Nothing is
// guessed: a number that could be read two ways is refused with both.
//
//   - In a file separated by ";" (where the comma is the decimal separator,
//     as Excel saves it in such locales), a single "," and no other
//     separator is a decimal comma: "3,1415" is 3.1415. A single "." is a
//     decimal point ("3.1415", "-42.00005", "0.125"), unless it could be a
//     thousands separator as a German locale writes it ("1.234": 1.234 or
//     1234?), which is refused.
//   - In a file separated by "," or TAB, a "," in a number is refused: it
//     could be a decimal comma or a thousands separator ("1,234").
//   - Digits grouped in thousands, with a decimal separator too ("1.234,5",
//     "1,234.5") or not ("1.234.567"), or with any other grouping character
//     (1'234.5, "1 234,5") are refused everywhere.
//
// Anything else (letters, an empty cell) is returned unchanged, for the
// reader's own rules to judge.
func (d Dialect) Decimal(s string) (string, error) {
	if m := grouped().FindString(s); m != "" {
		return "", fmt.Errorf("%q has a thousands separator (%q): write the number without one", s, m[1:len(m)-1])
	}
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case dots > 0 && commas > 0 && groupedAndDecimal().MatchString(s):
		return "", fmt.Errorf("%q could be read two ways: it has both \".\" and \",\", so one of them separates thousands, "+
			"and which one is not said; write it with one decimal separator and no thousands separator", s)
	case dots > 1 && groupedDots().MatchString(s), commas > 1 && groupedCommas().MatchString(s):
		sep := "."
		if commas > 1 {
			sep = ","
		}
		return "", fmt.Errorf("%q has several %q, so it separates thousands: write the number without a thousands separator", s, sep)
	case dots > 1 || commas > 1 || dots > 0 && commas > 0:
		return s, nil // not a number: for the reader to refuse
	case commas == 1 && d.Comma == ';':
		return strings.Replace(s, ",", ".", 1), nil
	case commas == 1:
		return "", fmt.Errorf("%q could be read two ways (%s or %s): in a file separated by %s a comma is no decimal separator; "+
			"write the number with a decimal point and no thousands separator", s, strings.Replace(s, ",", ".", 1), strings.Replace(s, ",", "", 1), d)
	case d.Comma == ';' && thousandsLike().MatchString(s):
		whole, frac, _ := strings.Cut(s, ".")
		return "", fmt.Errorf("%q could be read two ways in a file separated by \";\" (%s, or %s where \".\" separates thousands): "+
			"write %s,%s or %s.%s0 for %s, and %s%s for %s", s, s, whole+frac, whole, frac, whole, frac, s, whole, frac, whole+frac)
	}
	return s, nil
}
