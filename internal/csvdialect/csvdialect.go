// Package csvdialect is the one place exopartner reads a CSV file as office
// software saves it: UTF-8 with or without a byte order mark, CRLF or LF line
// ends, and a separator of ",", ";" (Excel in a Swiss, German or Austrian
// locale) or TAB, detected from the header line. Both CSV readers
// (wrapper/crmsync and wrapper/meterfile) open their files with [NewReader]
// and read numbers with [Dialect.Decimal].
//
// A separator is accepted only when the header, split at it, names every
// column the reader requires: a file is never read with a guessed
// separator. Otherwise the file is refused with one line that says which
// separator the header seems to use and what it lacks.
//
// Text that is not UTF-8 (a file saved as Windows-1252) is not this
// package's business: it is read as it is, and each reader refuses such a
// field by the UTF-8 rule of internal/contract. A UTF-16 file (Excel's
// "Unicode Text") is refused here, whole, since no field of it can be read.
package csvdialect

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Separators are the separators a file may use, in the order they are
// tried: ",", ";" and TAB.
var Separators = []rune{',', ';', '\t'}

// seen are the separators the header may seem to use: the accepted ones,
// and "|", which is named when it is the one, to say it is not accepted.
var seen = append(slices.Clone(Separators), '|')

// Columns are the header a reader expects.
type Columns struct {
	Required []string // every one must be in the header
	Optional []string // may be
}

// want describes c for a message: "a,b,c" or "a,b,c and optionally d".
func (c Columns) want() string {
	s := strings.Join(c.Required, ",")
	if len(c.Optional) > 0 {
		s += " and optionally " + strings.Join(c.Optional, ",")
	}
	return s
}

// Dialect is how a file was written: its separator.
type Dialect struct {
	Comma rune // ',', ';' or '\t'
}

// String names the separator as a message shows it: ",", ";" or TAB.
func (d Dialect) String() string { return sepName(d.Comma) }

func sepName(r rune) string {
	if r == '\t' {
		return "TAB"
	}
	return fmt.Sprintf("%q", string(r))
}

// Error is a file that cannot be read as CSV at all: its separator is not
// one of [Separators] or its header does not name the columns with any of
// them, or it is UTF-16. It is a problem of line 1; Column is "header" or
// "file", and Reason is one line.
type Error struct {
	Column string
	Reason string
}

func (e *Error) Error() string { return e.Column + ": " + e.Reason }

// headerLimit bounds the header line looked at to detect the separator.
const headerLimit = 64 << 10

// NewReader reads r's header line, picks the separator with which it names
// every required column (the first of [Separators] that does), and returns
// a csv.Reader set to it, positioned before the header, so that the header
// is its first record and line numbers are the file's. A UTF-8 byte order
// mark before the header is dropped. An empty r is returned as a reader
// for "," whose first Read answers io.EOF.
//
// When no separator makes the header name the required columns, the error
// is an *[Error] saying in one line which separator the header seems to use
// (the one it holds most often outside quotes) and, split at it, which
// columns it lacks and which it has that are unknown. An error reading r
// is returned as it is.
func NewReader(r io.Reader, cols Columns) (*csv.Reader, Dialect, error) {
	br := bufio.NewReaderSize(r, headerLimit)
	head, err := br.Peek(headerLimit)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, Dialect{}, err
	}
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3)
		head = head[3:]
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return nil, Dialect{}, &Error{Column: "file", Reason: `the file is UTF-16 (Excel's "Unicode Text"); ` +
			`save it as "CSV UTF-8" (Excel: Save As, "CSV UTF-8 (Comma delimited)") and run again`}
	}
	line := bytes.TrimLeft(head, "\r\n") // csv.Reader skips empty lines too
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	newReader := func(comma rune) *csv.Reader {
		cr := csv.NewReader(br)
		cr.Comma = comma
		return cr
	}
	if len(line) == 0 {
		return newReader(','), Dialect{','}, nil // empty: the reader says so
	}
	for _, sep := range Separators {
		if fields := split(line, sep); containsAll(fields, cols.Required) {
			return newReader(sep), Dialect{sep}, nil
		}
	}
	return nil, Dialect{}, &Error{Column: "header", Reason: headerReason(line, cols)}
}

// split splits a header line at sep, quotes allowed (and forgiven).
func split(line []byte, sep rune) []string {
	cr := csv.NewReader(bytes.NewReader(line))
	cr.Comma = sep
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	fields, err := cr.Read()
	if err != nil {
		return nil
	}
	return fields
}

func containsAll(fields, want []string) bool {
	for _, w := range want {
		if !slices.Contains(fields, w) {
			return false
		}
	}
	return len(want) > 0
}

// headerReason says, for a header that names the required columns with no
// separator, what separator it seems to use and what it lacks with it.
func headerReason(line []byte, cols Columns) string {
	want := "want the columns " + cols.want() + ", separated by \",\", \";\" or TAB"
	sep, n := seemingSeparator(line)
	if n == 0 {
		return fmt.Sprintf("no separator (\",\", \";\" or TAB) in %q: %s", short(string(line)), want)
	}
	if !slices.Contains(Separators, sep) {
		return fmt.Sprintf("it seems to be separated by %s, which is not a CSV separator: %s", sepName(sep), want)
	}
	_, problems := cols.Index(split(line, sep))
	var missing, unknown []string
	for _, p := range problems {
		switch p.Kind {
		case Missing:
			missing = append(missing, fmt.Sprintf("%q", p.Column))
		case Unknown:
			unknown = append(unknown, fmt.Sprintf("%q", short(p.Column)))
		}
	}
	what := "lacks " + strings.Join(missing, ", ")
	if len(unknown) > 0 {
		what += " and has the unknown " + strings.Join(unknown, ", ")
	}
	return fmt.Sprintf("it seems to be separated by %s, and then %s: %s", sepName(sep), what, want)
}

// seemingSeparator is the candidate the header holds most often outside
// quotes (ties go to the earlier one), with its count.
func seemingSeparator(line []byte) (rune, int) {
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(line) {
		if c == '"' {
			quoted = !quoted
		} else if !quoted {
			counts[c]++
		}
	}
	best, n := rune(0), 0
	for _, sep := range seen {
		if counts[sep] > n {
			best, n = sep, counts[sep]
		}
	}
	return best, n
}

// short cuts s to a length a one-line message can carry.
func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return s
}
