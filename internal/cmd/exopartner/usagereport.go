package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/internal/safetext"
	"github.com/exopartner/exopartner/wrapper"
	usagereport "github.com/exopartner/exopartner/wrapper/report"
)

func usageReport(fs *flag.FlagSet) action {
	const name = "usage-report"
	period := fs.String("period", "", "month as YYYY-MM (required)")
	format := fs.String("format", "csv", "csv, json, table or xlsx (an Excel workbook: numbers as numbers, dates as dates, in any locale)")
	delimiter := fs.String("delimiter", ",", `CSV separator: ",", ";" (what Excel reads as columns in a Swiss, German or Austrian locale) or tab`)
	bom := fs.Bool("bom", false, "start the CSV with a UTF-8 byte order mark, without which Excel garbles accents (Zürich)")
	wide := fs.Bool("wide", false, fmt.Sprintf("with --format table, print every column of every row (default: grouped by organization, fit to %d columns)", reportWidth))
	statuses := new(statusFlag)
	fs.Var(statuses, "status", "report only organizations in these statuses, comma-separated (default: all)")
	concurrency := fs.Int("concurrency", usagereport.DefaultConcurrency, "usage reads in flight")
	outFile := fs.String("output-file", "", "write the report to `PATH` instead of stdout")
	return func(ctx context.Context, e *env, _ wrapper.ID) error {
		if *period == "" {
			return usagef(name, "--period YYYY-MM is required")
		}
		p, err := wrapper.ParsePeriod(*period)
		if err != nil {
			return relabel(err, name, func(string) string { return "--period" }, fmt.Sprintf(" (got %q)", *period))
		}
		write, err := reportWriter(fs, *format, *delimiter, *bom, *wide)
		if err != nil {
			return err
		}
		if *format == "xlsx" && *outFile == "" && isTerminal(e.stdout) {
			return usagef(name, "--format xlsx writes a binary workbook: give --output-file PATH.xlsx, or redirect stdout to a file")
		}
		opts := usagereport.Options{Concurrency: *concurrency}
		if opts.Concurrency < 1 {
			return usagef(name, "--concurrency %d: want at least 1", *concurrency)
		}
		if opts.Statuses, err = parseStatuses(statuses.typed); err != nil {
			return usagef(name, "--status: %v", err)
		}
		c, err := e.client()
		if err != nil {
			return err
		}
		out, closeOut, err := openOutput(e.stdout, *outFile)
		if err != nil {
			return usagef(name, "--output-file: %v", err)
		}
		if isTerminal(e.stderr) && !e.quiet {
			opts.Progress = progress(e.stderr, name)
		}
		r, err := usagereport.Build(ctx, c, p, opts)
		if err == nil {
			err = write(out, r)
		}
		// Kept with failed organizations too: their rows are still written.
		if cerr := closeOut(err == nil); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		printReportNotes(e.stderr, name, *format, r)
		if n := len(r.Failed); n > 0 {
			return fmt.Errorf("exopartner: %s: the usage of %d of %d organizations could not be read (listed above); "+
				"the report holds every row that was read", name, n, r.Organizations)
		}
		return nil
	}
}

func clientIDNote(id string) string {
	if id == "" {
		return ""
	}
	return " (client-id " + safetext.Terminal(id) + ")"
}

// printReportNotes lists on stderr what the report's output does not show:
// the discrepancies for CSV (JSON, the table and the workbook hold them),
// and the organizations that could not be read.
func printReportNotes(stderr io.Writer, name, format string, r *usagereport.Report) {
	if format == "csv" {
		for _, d := range r.Discrepancies {
			fmt.Fprintf(stderr, "exopartner: %s: discrepancy: %s\n", name, discrepancyText(d))
		}
		if len(r.Discrepancies) > 0 {
			fmt.Fprintf(stderr, "exopartner: %s: %d statement(s) do not add up to their own totals (listed above): "+
				"the statements' totals are what Exoscale bills; check them before billing from the lines\n", name, len(r.Discrepancies))
		}
	}
	for _, f := range r.Failed {
		fmt.Fprintf(stderr, "exopartner: %s: organization %s%s: %s\n", name, f.Organization, clientIDNote(f.ClientID), safetext.Message(f.Err.Error()))
	}
}

// discrepancyText states a discrepancy with both figures.
func discrepancyText(d usagereport.Discrepancy) string {
	return fmt.Sprintf("statement %s of organization %s%s (%s): total-excl-vat %s, its %d line(s) add up to %s; "+
		"total-incl-vat %s, its lines add up to %s", safetext.Terminal(d.Code), d.Organization, clientIDNote(d.ClientID),
		safetext.Terminal(d.Currency), usagereport.Money(d.TotalExclVAT), d.Lines, usagereport.Money(d.LinesExclVAT),
		usagereport.Money(d.TotalInclVAT), usagereport.Money(d.LinesInclVAT))
}

// statusNames are the organization statuses the embedded spec declares
// (organization-output.status), in its order: a status a revision adds is
// accepted and listed with no edit here.
func statusNames() []string {
	names, err := contract.Enum("organization-output", "status")
	if err != nil {
		panic(err) // the spec is compiled in: a build defect
	}
	return names
}

// statusFlag is --status as typed, checked by parseStatuses when the
// command runs. Its argument in the help lists the statuses the spec
// declares, read only when the help is shown: defining the flag loads no
// spec.
type statusFlag struct{ typed string }

func (f *statusFlag) String() string     { return f.typed }
func (f *statusFlag) Set(s string) error { f.typed = s; return nil }
func (f *statusFlag) Type() string       { return strings.Join(statusNames(), "|") }

// parseStatuses parses a comma-separated list of statuses.
func parseStatuses(s string) ([]wrapper.Status, error) {
	if s == "" {
		return nil, nil
	}
	known := statusNames()
	var out []wrapper.Status
	for f := range strings.SplitSeq(s, ",") {
		st := strings.TrimSpace(f)
		if !slices.Contains(known, st) {
			return nil, fmt.Errorf("unknown status %q: want %s or %s", st,
				strings.Join(known[:len(known)-1], ", "), known[len(known)-1])
		}
		out = append(out, wrapper.Status(st))
	}
	return out, nil
}

// openOutput returns where the report goes: stdout, or a new file next to
// path. closeOut(keep) renames that file to path once everything was
// written (keep true), replacing a previous report only then; otherwise it
// removes the new file and leaves whatever was at path untouched. The file
// gets the mode os.Create would give path: the existing file's, or 0666
// less the umask.
func openOutput(stdout io.Writer, path string) (w io.Writer, closeOut func(keep bool) error, err error) {
	if path == "" {
		return stdout, func(bool) error { return nil }, nil
	}
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target // write through a link, as os.Create does
	}
	var f *os.File
	for range 100 {
		f, err = os.OpenFile(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"."+rand.Text()+".tmp"),
			os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = &fs.PathError{Op: "create", Path: path, Err: pe.Err}
		}
		return nil, nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		if err := f.Chmod(fi.Mode().Perm()); err != nil {
			return nil, nil, errors.Join(err, f.Close(), os.Remove(f.Name()))
		}
	}
	return f, func(keep bool) error {
		if !keep {
			return errors.Join(f.Close(), os.Remove(f.Name()))
		}
		err := errors.Join(f.Sync(), f.Close())
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			return errors.Join(fmt.Errorf("writing %s: %w", path, err), os.Remove(f.Name()))
		}
		return nil
	}, nil
}

// progress rewrites one line of w with the organizations done out of total,
// and ends the line when all are done.
func progress(w io.Writer, name string) func(done, total int) {
	return func(done, total int) {
		fmt.Fprintf(w, "\r%s: %d/%d organizations", name, done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// reportWriter returns the writer of --format, checking that the flags of
// one format are not given with another.
func reportWriter(fs *flag.FlagSet, format, delimiter string, bom, wide bool) (func(io.Writer, *usagereport.Report) error, error) {
	const name = "usage-report"
	for flag, only := range map[string]string{"delimiter": "csv", "bom": "csv", "wide": "table"} {
		if fs.Changed(flag) && format != only {
			return nil, usagef(name, "--%s applies to --format %s, not %s", flag, only, format)
		}
	}
	switch format {
	case "csv":
		opts := usagereport.CSVOptions{BOM: bom}
		switch delimiter {
		case ",", ";":
			opts.Comma = rune(delimiter[0])
		case "tab", "TAB", "\t", "\\t":
			opts.Comma = '\t'
		default:
			return nil, usagef(name, "--delimiter %q: want \",\", \";\" or tab", delimiter)
		}
		return func(w io.Writer, r *usagereport.Report) error { return usagereport.WriteCSVWith(w, r, opts) }, nil
	case "json":
		return writeReportJSON, nil
	case "table":
		if wide {
			return writeWideReportTable, nil
		}
		return func(w io.Writer, r *usagereport.Report) error { return writeReportTable(w, r, reportWidth) }, nil
	case "xlsx":
		return usagereport.WriteXLSX, nil
	}
	return nil, usagef(name, "--format %q: want csv, json, table or xlsx", format)
}

func writeReportJSON(w io.Writer, r *usagereport.Report) error {
	type total struct {
		Currency string      `json:"currency"`
		Excl     json.Number `json:"total-excl-vat"`
		Incl     json.Number `json:"total-incl-vat"`
	}
	type discrepancy struct {
		Organization wrapper.ID  `json:"organization"`
		ClientID     string      `json:"client-id"`
		Code         string      `json:"code"`
		Currency     string      `json:"currency"`
		Lines        int         `json:"lines"`
		Excl         json.Number `json:"total-excl-vat"`
		Incl         json.Number `json:"total-incl-vat"`
		LinesExcl    json.Number `json:"lines-excl-vat"`
		LinesIncl    json.Number `json:"lines-incl-vat"`
	}
	type failure struct {
		Organization wrapper.ID `json:"organization"`
		Error        string     `json:"error"`
	}
	doc := struct {
		Period        string           `json:"period"`
		Rows          []map[string]any `json:"rows"`
		Totals        []total          `json:"totals"`
		Discrepancies []discrepancy    `json:"discrepancies"`
		Failed        []failure        `json:"failed"`
		_             struct{}         `json:"-"`
	}{Period: r.Period.String(), Rows: []map[string]any{}, Totals: []total{}, Discrepancies: []discrepancy{}, Failed: []failure{}}
	columns := usagereport.Columns()
	for _, row := range r.Rows {
		m := make(map[string]any, len(columns))
		for i, cell := range row.Cells() {
			col := columns[i]
			switch {
			case cell.Number:
				m[col] = json.Number(cell.Text)
			case cell.Text == "" && (col == "start-date" || col == "end-date"):
				m[col] = nil
			default:
				m[col] = cell.Text
			}
		}
		doc.Rows = append(doc.Rows, m)
	}
	money := func(d decimal.Decimal) json.Number { return json.Number(usagereport.Money(d)) }
	for _, t := range r.Totals {
		doc.Totals = append(doc.Totals, total{t.Currency, money(t.TotalExclVAT), money(t.TotalInclVAT)})
	}
	for _, d := range r.Discrepancies {
		doc.Discrepancies = append(doc.Discrepancies, discrepancy{d.Organization, d.ClientID, d.Code, d.Currency, d.Lines,
			money(d.TotalExclVAT), money(d.TotalInclVAT), money(d.LinesExclVAT), money(d.LinesInclVAT)})
	}
	for _, f := range r.Failed {
		doc.Failed = append(doc.Failed, failure{f.Organization, f.Err.Error()})
	}
	return writeJSON(w, doc)
}
