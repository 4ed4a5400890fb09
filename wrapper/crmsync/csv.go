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
	bad := &InvalidError{File: name}
	cr, _, err := csvdialect.NewReader(r, fileColumns)
	var de *csvdialect.Error
	if errors.As(err, &de) {
		bad.Problems = append(bad.Problems, Problem{1, de.Column, de.Reason})
		return nil, bad
	}
	if err != nil {
		return nil, fmt.Errorf("crmsync: reading %s: %w", name, err)
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		bad.Problems = append(bad.Problems, Problem{1, "header", "missing: want the columns " + strings.Join(columns, ",")})
		return nil, bad
	}
	if err != nil {
		return nil, readError(bad, err)
	}
	index, problems := headerIndex(header)
	if problems != nil {
		bad.Problems = problems
		return nil, bad
	}
	var customers []Customer
	notUTF8 := map[Problem]bool{} // line and column of the fields that are not UTF-8
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			bad.Problems = append(bad.Problems, Problem{pe.StartLine, "columns",
				fmt.Sprintf("%d fields, want %d as in the header", len(rec), len(header))})
			continue
		}
		if err != nil { // a quoting error: the rest of the file cannot be trusted
			if err := readError(bad, err); err != error(bad) {
				return nil, err
			}
			break
		}
		line, _ := cr.FieldPos(0)
		field := func(col string) string { return rec[index[col]] }
		for _, col := range columns {
			if v := field(col); !utf8.ValidString(v) {
				notUTF8[Problem{Line: line, Column: col}] = true
				bad.Problems = append(bad.Problems, Problem{line, col, contract.NotUTF8InFile(v)})
			}
		}
		customers = append(customers, Customer{
			Line: line, ClientID: field("client-id"), DisplayName: field("display-name"), OwnerEmail: field("owner-email"),
			BillingAddress: wrapper.BillingAddress{
				Name: field("name"), StreetName: field("street-name"), BuildingNumber: field("building-number"),
				City: field("city"), PostalCode: field("postal-code"), Country: field("country"), Address: field("address"),
			},
			Status: wrapper.Status(field("status")),
		})
	}
	var ie *InvalidError
	if err := Validate(customers); errors.As(err, &ie) {
		for _, p := range ie.Problems {
			if !notUTF8[Problem{Line: p.Line, Column: p.Column}] { // said once, with the file's hint
				bad.Problems = append(bad.Problems, p)
			}
		}
	} else if err != nil {
		return nil, err
	}
	if bad.Problems != nil {
		slices.SortStableFunc(bad.Problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
		return nil, bad
	}
	return customers, nil
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
