package crmsync

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/internal/csvdialect"
	"github.com/exopartner/exopartner/wrapper"
)

// columns are the CSV file's columns, named as on the wire. The header
// names them, in any order.
var columns = []string{
	"client-id", "display-name", "owner-email",
	"name", "street-name", "building-number", "city", "postal-code", "country", "address",
	"status",
}

// fileColumns are the columns, for csvdialect: every one is required.
var fileColumns = csvdialect.Columns{Required: columns}

// Columns returns the columns a CRM file must have, in the documented
// order: client-id, display-name, owner-email, name, street-name,
// building-number, city, postal-code, country, address, status. The
// address columns are the billing address's fields; building-number and
// address may be empty.
func Columns() []string { return slices.Clone(columns) }

// ReadCSV reads a CRM file: a header naming every column of [Columns] (in
// any order, no other), then one customer per line. The separator is ",",
// ";" (as Excel saves CSV in a Swiss, German or Austrian locale) or TAB,
// whichever makes the header name the columns; with none, the file is
// refused with one line saying which separator the header seems to use.
// The whole file is checked before it is returned, structure (header,
// field counts, quoting) and fields alike ([Validate]); any problem gives
// an *InvalidError listing every bad line as "name:LINE: column: reason".
// Values are taken as they are, without trimming. The file must be UTF-8
// (a byte order mark before the header is ignored, CRLF line ends are
// fine): a field that is not is reported as
// "name:LINE: column: not valid UTF-8 (…)", with how to save the file as
// "CSV UTF-8".
func ReadCSV(r io.Reader, name string) ([]Customer, error) {
	f := &file{bad: &InvalidError{File: name}, notUTF8: map[Problem]bool{}}
	cr, index, err := f.header(r)
	if err != nil {
		return nil, err
	}
	customers, err := f.customers(cr, index)
	if err != nil {
		return nil, err
	}
	if err := f.validate(customers); err != nil {
		return nil, err
	}
	if f.bad.Problems != nil {
		slices.SortStableFunc(f.bad.Problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
		return nil, f.bad
	}
	return customers, nil
}

// file is a CRM file being read: what is wrong with it so far.
type file struct {
	bad     *InvalidError
	notUTF8 map[Problem]bool // line and column of the fields that are not UTF-8
}

// header reads the file's dialect and header: the reader positioned on
// the first customer, and each column's field. A bad header is f.bad.
func (f *file) header(r io.Reader) (*csv.Reader, map[string]int, error) {
	cr, _, err := csvdialect.NewReader(r, fileColumns)
	var de *csvdialect.Error
	if errors.As(err, &de) {
		f.bad.Problems = append(f.bad.Problems, Problem{1, de.Column, de.Reason})
		return nil, nil, f.bad
	}
	if err != nil {
		return nil, nil, fmt.Errorf("crmsync: reading %s: %w", f.bad.File, err)
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		f.bad.Problems = append(f.bad.Problems, Problem{1, "header", "missing: want the columns " + strings.Join(columns, ",")})
		return nil, nil, f.bad
	}
	if err != nil {
		return nil, nil, readError(f.bad, err)
	}
	index, problems := headerIndex(header)
	if problems != nil {
		f.bad.Problems = problems
		return nil, nil, f.bad
	}
	return cr, index, nil
}

// customers reads the customers after the header, a line with the wrong
// number of fields or a field that is not UTF-8 added to f.bad; a quoting
// error ends the file, whose rest cannot be trusted.
func (f *file) customers(cr *csv.Reader, index map[string]int) ([]Customer, error) {
	var customers []Customer
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return customers, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			f.bad.Problems = append(f.bad.Problems, Problem{pe.StartLine, "columns",
				fmt.Sprintf("%d fields, want %d as in the header", len(rec), len(columns))})
			continue
		}
		if err != nil { // a quoting error: the rest of the file cannot be trusted
			if err := readError(f.bad, err); err != error(f.bad) {
				return nil, err
			}
			return customers, nil
		}
		line, _ := cr.FieldPos(0)
		field := func(col string) string { return rec[index[col]] }
		f.utf8(line, field)
		customers = append(customers, customer(line, field))
	}
}

// utf8 adds each field of the customer on line that is not UTF-8 to f.bad.
func (f *file) utf8(line int, field func(col string) string) {
	for _, col := range columns {
		if v := field(col); !utf8.ValidString(v) {
			f.notUTF8[Problem{Line: line, Column: col}] = true
			f.bad.Problems = append(f.bad.Problems, Problem{line, col, contract.NotUTF8InFile(v)})
		}
	}
}

// customer is the customer on line, whose fields field gives by column.
func customer(line int, field func(col string) string) Customer {
	return Customer{
		Line: line, ClientID: field("client-id"), DisplayName: field("display-name"), OwnerEmail: field("owner-email"),
		BillingAddress: wrapper.BillingAddress{
			Name: field("name"), StreetName: field("street-name"), BuildingNumber: field("building-number"),
			City: field("city"), PostalCode: field("postal-code"), Country: field("country"), Address: field("address"),
		},
		Status: wrapper.Status(field("status")),
	}
}

// validate adds what [Validate] finds wrong with customers to f.bad, but
// for the fields already reported as not UTF-8 (said once, with the file's
// hint).
func (f *file) validate(customers []Customer) error {
	var ie *InvalidError
	err := Validate(customers)
	if !errors.As(err, &ie) {
		return err
	}
	for _, p := range ie.Problems {
		if !f.notUTF8[Problem{Line: p.Line, Column: p.Column}] {
			f.bad.Problems = append(f.bad.Problems, p)
		}
	}
	return nil
}

// headerIndex maps each column to its field, or reports what is wrong with
// the header (line 1).
func headerIndex(header []string) (map[string]int, []Problem) {
	index, hps := fileColumns.Index(header)
	var problems []Problem
	for _, hp := range hps {
		reason := "missing column"
		switch hp.Kind {
		case csvdialect.Unknown:
			reason = "unknown column (want " + strings.Join(columns, ",") + ")"
		case csvdialect.Duplicate:
			reason = "duplicate column"
		}
		problems = append(problems, Problem{1, hp.Column, reason})
	}
	return index, problems
}

// readError adds a CSV syntax error to bad and returns bad.
func readError(bad *InvalidError, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("crmsync: reading %s: %w", bad.File, err)
	}
	bad.Problems = append(bad.Problems, Problem{pe.Line, "csv", fmt.Sprintf("column %d: %v", pe.Column, pe.Err)})
	return bad
}
