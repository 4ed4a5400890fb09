package main

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/wrapper"
	usagereport "github.com/exopartner/exopartner/wrapper/report"
)

// reportColumns are the usage report's CSV columns, and its JSON rows' keys.
var reportColumns = []string{"organization", "client-id", "name", "country", "status", "code", "currency", "start-date",
	"end-date", "product", "variable", "description", "quantity", "unit", "total-excl-vat", "total-incl-vat"}

func usageReport(fs *flag.FlagSet) action {
	const name = "usage-report"
	period := fs.String("period", "", "month as YYYY-MM (required)")
	format := fs.String("format", "csv", "csv, json or table")
	statuses := fs.String("status", "", "report only organizations in these statuses, comma-separated, e.g. active,suspended (default: all)")
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
		write, ok := reportWriters[*format]
		if !ok {
			return usagef(name, "--format %q: want csv, json or table", *format)
		}
		opts := usagereport.Options{Concurrency: *concurrency}
		if opts.Concurrency < 1 {
			return usagef(name, "--concurrency %d: want at least 1", *concurrency)
		}
		if opts.Statuses, err = parseStatuses(*statuses); err != nil {
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
		for _, f := range r.Failed {
			fmt.Fprintf(e.stderr, "exopartner: %s: organization %s%s: %v\n", name, f.Organization, clientIDNote(f.ClientID), f.Err)
		}
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
	return " (client-id " + id + ")"
}

// parseStatuses parses a comma-separated list of statuses.
func parseStatuses(s string) ([]wrapper.Status, error) {
	if s == "" {
		return nil, nil
	}
	known := []wrapper.Status{wrapper.StatusActive, wrapper.StatusCreated, wrapper.StatusSuspended, wrapper.StatusTerminated}
	var out []wrapper.Status
	for f := range strings.SplitSeq(s, ",") {
		st := wrapper.Status(strings.TrimSpace(f))
		ok := false
		for _, k := range known {
			ok = ok || st == k
		}
		if !ok {
			return nil, fmt.Errorf("unknown status %q: want active, created, suspended or terminated", st)
		}
		out = append(out, st)
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

var reportWriters = map[string]func(io.Writer, *usagereport.Report) error{
	"csv": writeReportCSV, "json": writeReportJSON, "table": writeReportTable,
}

// reportCells are a row's cells in reportColumns' order.
func reportCells(r usagereport.Row) []string {
	return []string{r.Organization.String(), r.ClientID, r.Name, r.Country, string(r.Status), r.Code, r.Currency,
		reportDate(r.StartDate), reportDate(r.EndDate), r.Product, r.Variable, r.Description, r.Quantity.String(), r.Unit,
		usagereport.Money(r.TotalExclVAT), usagereport.Money(r.TotalInclVAT)}
}

func reportDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func writeReportCSV(w io.Writer, r *usagereport.Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(reportColumns)
	for _, row := range r.Rows {
		_ = cw.Write(reportCells(row))
	}
	cw.Flush()
	return cw.Error()
}

func writeReportJSON(w io.Writer, r *usagereport.Report) error {
	type total struct {
		Currency string      `json:"currency"`
		Excl     json.Number `json:"total-excl-vat"`
		Incl     json.Number `json:"total-incl-vat"`
	}
	type failure struct {
		Organization wrapper.ID `json:"organization"`
		Error        string     `json:"error"`
	}
	doc := struct {
		Period string           `json:"period"`
		Rows   []map[string]any `json:"rows"`
		Totals []total          `json:"totals"`
		Failed []failure        `json:"failed"`
		_      struct{}         `json:"-"`
	}{Period: r.Period.String(), Rows: []map[string]any{}, Totals: []total{}, Failed: []failure{}}
	numeric := map[string]bool{"quantity": true, "total-excl-vat": true, "total-incl-vat": true}
	for _, row := range r.Rows {
		m := make(map[string]any, len(reportColumns))
		for i, cell := range reportCells(row) {
			col := reportColumns[i]
			switch {
			case numeric[col]:
				m[col] = json.Number(cell)
			case cell == "" && (col == "start-date" || col == "end-date"):
				m[col] = nil
			default:
				m[col] = cell
			}
		}
		doc.Rows = append(doc.Rows, m)
	}
	for _, t := range r.Totals {
		doc.Totals = append(doc.Totals, total{t.Currency, json.Number(usagereport.Money(t.TotalExclVAT)), json.Number(usagereport.Money(t.TotalInclVAT))})
	}
	for _, f := range r.Failed {
		doc.Failed = append(doc.Failed, failure{f.Organization, f.Err.Error()})
	}
	return writeJSON(w, doc)
}

func writeReportTable(w io.Writer, r *usagereport.Report) error {
	t := newTable(w)
	fmt.Fprintln(t, strings.ToUpper(strings.Join(reportColumns, "\t")))
	for _, row := range r.Rows {
		cells := reportCells(row)
		for i := range cells {
			cells[i] = dash(cells[i])
		}
		fmt.Fprintln(t, strings.Join(cells, "\t"))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(t, "\nTOTALS %s\tTOTAL-EXCL-VAT\tTOTAL-INCL-VAT\n", r.Period)
	for _, tot := range r.Totals {
		fmt.Fprintf(t, "%s\t%s\t%s\n", dash(tot.Currency), usagereport.Money(tot.TotalExclVAT), usagereport.Money(tot.TotalInclVAT))
	}
	return t.Flush()
}
