package meterfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/internal/csvdialect"
	"github.com/exopartner/exopartner/wrapper"
)

// Column names of the file, as the API names the fields on the wire.
const (
	ColumnOrganization = "organization"
	ColumnProduct      = "product"
	ColumnVariable     = "variable"
	ColumnQuantity     = "quantity"
	ColumnBatch        = "batch" // optional
)

// maxProblems is how many bad lines a LineErrors lists before giving up.
const maxProblems = 50

// LineError is a bad line of a metering file. Its message reads
// FILE:LINE: column: reason. It matches [wrapper.ErrInvalidInput]: a file
// with a bad line is refused whole, before anything is sent.
type LineError struct {
	File   string
	Line   int
	Column string // a column name, or "header" or "file"
	Reason string
}

func (e *LineError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Column, e.Reason)
}

// Is makes errors.Is(err, wrapper.ErrInvalidInput) hold.
func (e *LineError) Is(target error) bool { return target == wrapper.ErrInvalidInput }

// LineErrors is every bad line of a file (up to a limit), one per line of
// its message, in file order.
type LineErrors []*LineError

func (e LineErrors) Error() string {
	var b strings.Builder
	for i, le := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(le.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find each *LineError and errors.Is match
// [wrapper.ErrInvalidInput].
func (e LineErrors) Unwrap() []error {
	errs := make([]error, len(e))
	for i, le := range e {
		errs[i] = le
	}
	return errs
}

// ParseFile reads and validates a metering file and groups its rows into
// transactions, in the order of their first row. Any bad line makes it
// return no transaction and a [LineErrors].
func ParseFile(path string) ([]Transaction, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("meterfile: %w", err)
	}
	return Parse(path, bytes.NewReader(data))
}

// Parse is [ParseFile] for a reader; name stands for the file in messages.
func Parse(name string, r io.Reader) ([]Transaction, error) {
	step, err := contract.QuantityStep()
	if err != nil {
		return nil, fmt.Errorf("meterfile: %w", err)
	}
	p := parser{name: name, step: step}
	txs := p.parse(r)
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	return txs, nil
}

type parser struct {
	name     string
	step     contract.Step // of a quantity, as the spec's multipleOf says
	dialect  csvdialect.Dialect
	problems LineErrors
}

func (p *parser) bad(line int, column, format string, a ...any) {
	if len(p.problems) < maxProblems {
		p.problems = append(p.problems, &LineError{File: p.name, Line: line, Column: column, Reason: fmt.Sprintf(format, a...)})
	}
}

// decimal is a plain decimal number: no exponent, no hex, no inf or nan.
var decimal = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// fileColumns are the columns of a metering file, for csvdialect.
var fileColumns = csvdialect.Columns{
	Required: []string{ColumnOrganization, ColumnProduct, ColumnVariable, ColumnQuantity},
	Optional: []string{ColumnBatch},
}

func (p *parser) parse(r io.Reader) []Transaction {
	cr, header, col, ok := p.open(r)
	if !ok {
		return nil
	}
	g := grouping{file: p.name, index: map[groupKey]int{}}
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if p.readError(err) {
				continue
			}
			return nil
		}
		rows++
		line := func(i int) int { l, _ := cr.FieldPos(i); return l }
		if org, batch, u, ok := p.row(header, rec, col, line); ok {
			g.add(org, batch, u, line(0))
		}
	}
	if rows == 0 && len(p.problems) == 0 {
		p.bad(1, "file", "no rows after the header")
	}
	return g.txs
}

// open reads the file's dialect and header: the reader positioned on the
// first row, the header, and each column's index.
func (p *parser) open(r io.Reader) (*csv.Reader, []string, map[string]int, bool) {
	cr, dialect, err := csvdialect.NewReader(r, fileColumns)
	var de *csvdialect.Error
	if errors.As(err, &de) {
		p.bad(1, de.Column, "%s", de.Reason)
		return nil, nil, nil, false
	}
	if err != nil {
		p.bad(1, "file", "%v", err)
		return nil, nil, nil, false
	}
	p.dialect = dialect
	header, err := cr.Read()
	if err == io.EOF {
		p.bad(1, "file", "empty: want a header line %s,%s,%s,%s[,%s]", ColumnOrganization, ColumnProduct, ColumnVariable, ColumnQuantity, ColumnBatch)
		return nil, nil, nil, false
	}
	if err != nil {
		p.csvError(err)
		return nil, nil, nil, false
	}
	col, ok := p.header(header)
	return cr, header, col, ok
}

// readError reports a record the reader could not read, and whether to go
// on with the next one.
func (p *parser) readError(err error) bool {
	p.csvError(err)
	if len(p.problems) >= maxProblems {
		return false
	}
	var pe *csv.ParseError
	// A wrong number of fields: the reader moves on to the next record. A
	// quoting error: the rest cannot be trusted.
	return errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount)
}

// row checks a record, whose fields start on the lines line gives, and
// returns its organization, batch and usage; false when it is bad.
func (p *parser) row(header, rec []string, col map[string]int, line func(int) int) (wrapper.ID, string, wrapper.UsageRecord, bool) {
	n := len(p.problems)
	if !p.utf8(header, rec, line) {
		return wrapper.ID{}, "", wrapper.UsageRecord{}, false
	}
	org := p.organization(line(col[ColumnOrganization]), rec[col[ColumnOrganization]])
	u := wrapper.UsageRecord{Product: rec[col[ColumnProduct]], Variable: rec[col[ColumnVariable]]}
	if u.Product == "" {
		p.bad(line(col[ColumnProduct]), ColumnProduct, "required")
	}
	if u.Variable == "" {
		p.bad(line(col[ColumnVariable]), ColumnVariable, "required")
	}
	u.Quantity = p.quantity(line(col[ColumnQuantity]), rec[col[ColumnQuantity]])
	batch := ""
	if i, ok := col[ColumnBatch]; ok {
		batch = p.batch(line(i), rec[i])
	}
	return org, batch, u, len(p.problems) == n
}

// grouping groups rows into transactions, one per (organization, batch), in
// the order of their first row.
type grouping struct {
	file  string
	index map[groupKey]int
	txs   []Transaction
}

type groupKey struct {
	org   wrapper.ID
	batch string
}

// add adds a row, read on line, to its transaction.
func (g *grouping) add(org wrapper.ID, batch string, u wrapper.UsageRecord, line int) {
	k := groupKey{org, batch}
	i, seen := g.index[k]
	if !seen {
		i = len(g.txs)
		g.index[k] = i
		g.txs = append(g.txs, Transaction{Organization: org, Batch: batch, File: g.file, Line: line})
	}
	g.txs[i].Usage = append(g.txs[i].Usage, u)
}

// header maps each column name to its index, and reports unknown,
// duplicate and missing columns.
func (p *parser) header(h []string) (map[string]int, bool) {
	col, problems := fileColumns.Index(h)
	for _, hp := range problems {
		switch hp.Kind {
		case csvdialect.Unknown:
			p.bad(1, "header", "unknown column %q (want %s,%s,%s,%s and optionally %s)", hp.Column,
				ColumnOrganization, ColumnProduct, ColumnVariable, ColumnQuantity, ColumnBatch)
		case csvdialect.Duplicate:
			p.bad(1, "header", "duplicate column %q", hp.Column)
		case csvdialect.Missing:
			p.bad(1, "header", "missing column %q", hp.Column)
		}
	}
	return col, len(problems) == 0
}

// utf8 reports each field of rec that is not valid UTF-8 (a file saved in
// Windows-1252), and whether all are.
func (p *parser) utf8(header, rec []string, line func(int) int) bool {
	ok := true
	for i, v := range rec {
		if !utf8.ValidString(v) {
			p.bad(line(i), header[i], "%s", contract.NotUTF8InFile(v))
			ok = false
		}
	}
	return ok
}

func (p *parser) csvError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			p.bad(pe.StartLine, "file", "wrong number of columns (want as many as the header)")
			return
		}
		p.bad(pe.Line, "file", "%v", pe.Err)
		return
	}
	p.bad(1, "file", "%v", err)
}

func (p *parser) organization(line int, s string) wrapper.ID {
	if s == "" {
		p.bad(line, ColumnOrganization, "required")
		return wrapper.ID{}
	}
	id, err := wrapper.ParseID(s)
	if err != nil {
		p.bad(line, ColumnOrganization, contract.UUIDRule+", got %q", s)
		return id
	}
	if id == (wrapper.ID{}) {
		p.bad(line, ColumnOrganization, "must not be the nil UUID")
	}
	return id
}

// batch checks a batch cell. A batch is a transaction's identity (with the
// organization): an empty cell would make its rows a transaction known by
// its content instead, and "INV-7 " another batch than "INV-7", billed
// again; both are refused.
func (p *parser) batch(line int, s string) string {
	switch {
	case s == "":
		p.bad(line, ColumnBatch, "required in a file with a batch column")
	case strings.TrimSpace(s) != s:
		p.bad(line, ColumnBatch, "leading or trailing space in %q", s)
	}
	return s
}

// quantity parses a plain decimal that is an exact multiple of the spec's
// multipleOf, p.step (so many significant decimal places at most, trailing
// zeros not counting), as the API accepts, and whose float64 is exactly
// the decimal written: a number with more significant digits than a
// float64 holds (1234567890123.12345) would be sent, and billed, as
// another number. In a file separated by ";" a decimal comma is read too
// (3,1415); a number that could be read two ways (1.234,5) is refused
// (csvdialect.Dialect.Decimal). Messages quote the cell as written.
func (p *parser) quantity(line int, cell string) float64 {
	if cell == "" {
		p.bad(line, ColumnQuantity, "required")
		return 0
	}
	s, err := p.dialect.Decimal(cell)
	if err != nil {
		p.bad(line, ColumnQuantity, "%v", err)
		return 0
	}
	if !decimal.MatchString(s) {
		p.bad(line, ColumnQuantity, "want a decimal number such as 12.5 or -0.00001, got %q", cell)
		return 0
	}
	if !contract.ExactMultiple(s, p.step.MultipleOf) {
		if p.step.PlacesOnly() {
			p.bad(line, ColumnQuantity, "at most %d decimal places, got %q", p.step.Decimals, cell)
		} else {
			p.bad(line, ColumnQuantity, "must be a multiple of %s, got %q",
				strconv.FormatFloat(p.step.MultipleOf, 'f', -1, 64), cell)
		}
		return 0
	}
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(q, 0) {
		p.bad(line, ColumnQuantity, "out of range, got %q", cell)
		return 0
	}
	if q == 0 {
		q = 0 // -0 is sent as 0
	}
	if sent, want := strconv.FormatFloat(q, 'f', -1, 64), canonical(s); sent != want {
		p.bad(line, ColumnQuantity, "too many significant digits to be sent exactly: %q would be sent as %s; "+
			"a quantity is sent as a 64-bit float (about 15 significant digits)", cell, sent)
		return 0
	}
	return q
}

// canonical writes s, a match of decimal, as strconv.FormatFloat(q, 'f',
// -1, 64) writes the number it stands for: no "+", no leading zeros, no
// trailing zeros after the point nor a bare point, and no sign for zero.
func canonical(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	whole, frac, _ := strings.Cut(s, ".")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		whole += "." + frac
	}
	if neg && whole != "0" {
		return "-" + whole
	}
	return whole
}
