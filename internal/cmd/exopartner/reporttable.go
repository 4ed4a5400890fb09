package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	usagereport "github.com/exopartner/exopartner/wrapper/report"
)

// reportWidth is how many columns usage-report --format table fits in.
const reportWidth = 120

// Where the report's columns go in the table for people: the organization's
// in its heading, the statement's in the heading too when each
// organization's rows share one, the rest in the table. Numbers are always
// table columns.
var (
	orgColumns       = []string{"client-id", "name", "country", "status"} // then the organization's ID
	statementColumns = []string{"code", "currency", "start-date", "end-date"}
	// shrinkOrder ranks the text columns cut to fit, the least needed
	// first, for columns of one width; numbers and dates are never cut.
	shrinkOrder = []string{"description", "unit", "variable", "product", "code", "currency"}
)

// minShrunk is the narrowest a cut column gets: a few characters and "…".
const minShrunk = 4

// writeReportTable prints the report for people within width columns: the
// rows grouped by organization under a heading (client-id, name, country,
// status, then its ID), the columns that hold one value in every row said
// once above the table, the statement's columns that hold one value in
// each organization's rows said in its heading, the line's amounts headed
// EXCL-VAT and INCL-VAT, and text cut with "…" where the table is still
// too wide (--wide prints every column). Then the totals, and the
// discrepancies grouped by organization. Every cell is escaped for the
// terminal (cell).
func writeReportTable(w io.Writer, r *usagereport.Report, width int) error {
	columns := usagereport.Columns()
	groups, all := reportGroups(r)
	l := placeColumns(columns, groups, all)
	fmt.Fprintln(w, cut(fmt.Sprintf("Usage %s: %d organization(s), %d row(s)", r.Period, r.Organizations, len(r.Rows)), width))
	writeEveryRow(w, columns, l.everyRow, all, width)
	t := lineTable(columns, l.table, groups, width)
	for _, g := range groups {
		writeGroup(w, columns, g, l, &t, width)
	}
	writeTotals(w, r, width)
	return writeDiscrepancies(w, r, width)
}

// reportGroup is one organization's rows, their cells escaped, in the
// report's columns order.
type reportGroup struct {
	heading []string // the organization's cells: its first row's
	rows    [][]string
}

// reportGroups returns the report's rows, their cells escaped and dates
// at midnight UTC shown as days, grouped by organization, and all of them.
func reportGroups(r *usagereport.Report) (groups []*reportGroup, all [][]string) {
	for i, row := range r.Rows {
		cells := row.Cells()
		texts := make([]string, len(cells))
		for j, c := range cells {
			texts[j] = cell(c.Text)
			if c.Date && c.Text != "" {
				texts[j] = shortDate(c.Text)
			}
		}
		if i == 0 || row.Organization != r.Rows[i-1].Organization {
			groups = append(groups, &reportGroup{heading: texts})
		}
		g := groups[len(groups)-1]
		g.rows = append(g.rows, texts)
		all = append(all, texts)
	}
	return groups, all
}

// reportLayout is where each line column goes, by index in the report's
// columns (the organization's go in each group's heading).
type reportLayout struct {
	everyRow []int // one value in every row: said once above the table
	perGroup []int // a statement's, one value in each organization's rows: said in its heading
	table    []int // the table's columns
}

// placeColumns decides where each line column goes: numbers always in the
// table.
func placeColumns(columns []string, groups []*reportGroup, all [][]string) reportLayout {
	same := func(rows [][]string, col int) bool {
		return !slices.ContainsFunc(rows, func(row []string) bool { return row[col] != rows[0][col] })
	}
	var l reportLayout
	for i, name := range columns {
		switch {
		case name == "organization" || slices.Contains(orgColumns, name):
		case isNumberColumn(i):
			l.table = append(l.table, i)
		case len(all) > 1 && same(all, i):
			l.everyRow = append(l.everyRow, i)
		case slices.Contains(statementColumns, name) && !slices.ContainsFunc(groups, func(g *reportGroup) bool { return !same(g.rows, i) }):
			l.perGroup = append(l.perGroup, i)
		default:
			l.table = append(l.table, i)
		}
	}
	return l
}

// writeEveryRow says the columns of everyRow once, with their value.
func writeEveryRow(w io.Writer, columns []string, everyRow []int, all [][]string, width int) {
	if len(everyRow) == 0 {
		return
	}
	said := []string{"In every row:"}
	for n, i := range everyRow {
		s := columns[i] + " " + all[0][i]
		if n < len(everyRow)-1 {
			s += ","
		}
		said = append(said, s)
	}
	for _, line := range fill(said, " ", width, "  ") {
		fmt.Fprintln(w, line)
	}
}

// lineTable is the table of the lines, its widths fit to every group's
// rows so that the groups' tables align.
func lineTable(columns []string, table []int, groups []*reportGroup, width int) fitTable {
	t := fitTable{indent: "  ", width: width}
	for _, i := range table {
		name := columns[i]
		t.headers = append(t.headers, strings.ToUpper(strings.TrimPrefix(name, "total-"))) // EXCL-VAT, INCL-VAT
		t.right = append(t.right, isNumberColumn(i))
		t.shrink = append(t.shrink, shrinkRank(name))
	}
	for _, g := range groups {
		for _, row := range g.rows {
			t.rows = append(t.rows, pick(row, table))
		}
	}
	t.fit()
	return t
}

// writeGroup prints one organization: its heading (who, then its ID and
// the statement's columns of l.perGroup), then its lines in t.
func writeGroup(w io.Writer, columns []string, g *reportGroup, l reportLayout, t *fitTable, width int) {
	index := func(name string) int { return slices.Index(columns, name) }
	fmt.Fprintln(w)
	who := []string{g.heading[index("client-id")], g.heading[index("name")], g.heading[index("country")], g.heading[index("status")]}
	for _, line := range fill(who, "  ", width, "  ") {
		fmt.Fprintln(w, line)
	}
	ids := []string{"organization " + g.heading[index("organization")]}
	for _, i := range l.perGroup {
		ids = append(ids, columns[i]+" "+g.rows[0][i])
	}
	for _, line := range fill(ids, "  ", width-2, "  ") {
		fmt.Fprintln(w, "  "+line)
	}
	rows := make([][]string, len(g.rows))
	for i, row := range g.rows {
		rows[i] = pick(row, l.table)
	}
	t.print(w, rows)
}

// writeTotals prints the totals per currency.
func writeTotals(w io.Writer, r *usagereport.Report, width int) {
	fmt.Fprintln(w)
	totals := fitTable{width: width, headers: []string{"TOTALS " + r.Period.String(), "TOTAL-EXCL-VAT", "TOTAL-INCL-VAT"},
		right: []bool{false, true, true}, shrink: []int{0, 0, 0}}
	for _, tot := range r.Totals {
		totals.rows = append(totals.rows, []string{cell(tot.Currency), usagereport.Money(tot.TotalExclVAT), usagereport.Money(tot.TotalInclVAT)})
	}
	totals.fit()
	totals.print(w, totals.rows)
}

// writeDiscrepancies lists the statements that do not reconcile, grouped
// by organization, within width.
func writeDiscrepancies(w io.Writer, r *usagereport.Report, width int) error {
	if len(r.Discrepancies) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	for _, line := range fill(strings.Fields(discrepanciesTitle), " ", width, "  ") {
		fmt.Fprintln(w, line)
	}
	t := fitTable{indent: "  ", width: width,
		headers: []string{"CODE", "CURRENCY", "LINES", "TOTAL-EXCL-VAT", "LINES-EXCL-VAT", "TOTAL-INCL-VAT", "LINES-INCL-VAT"},
		right:   []bool{false, false, true, true, true, true, true},
		shrink:  []int{2, 1, 0, 0, 0, 0, 0}}
	var groups [][][]string
	for i, d := range r.Discrepancies {
		row := []string{cell(d.Code), cell(d.Currency), fmt.Sprint(d.Lines), usagereport.Money(d.TotalExclVAT),
			usagereport.Money(d.LinesExclVAT), usagereport.Money(d.TotalInclVAT), usagereport.Money(d.LinesInclVAT)}
		if i == 0 || d.Organization != r.Discrepancies[i-1].Organization {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], row)
		t.rows = append(t.rows, row)
	}
	t.fit()
	n := 0
	for _, g := range groups {
		d := r.Discrepancies[n]
		n += len(g)
		for _, line := range fill([]string{cell(d.ClientID), "organization " + d.Organization.String()}, "  ", width, "  ") {
			fmt.Fprintln(w, line)
		}
		t.print(w, g)
	}
	return nil
}

const discrepanciesTitle = "DISCREPANCIES: statements whose lines do not add up to their own totals (the totals above are the statements')"

// isNumberColumn reports whether column i of [usagereport.Columns] holds
// numbers, as the report's cells say.
func isNumberColumn(i int) bool { return (usagereport.Row{}).Cells()[i].Number }

// shrinkRank is when a column is cut to fit: 1 first, 0 never.
func shrinkRank(name string) int {
	if i := slices.Index(shrinkOrder, name); i >= 0 {
		return i + 1
	}
	return 0
}

// shortDate shows an RFC 3339 date at midnight UTC as its day.
func shortDate(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Location() != time.UTC || t != t.Truncate(24*time.Hour) {
		return s
	}
	return t.Format(time.DateOnly)
}

func pick(row []string, cols []int) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = row[c]
	}
	return out
}

// fitTable prints aligned columns within width: numbers to the right, and
// the widest text columns cut until the lines fit.
type fitTable struct {
	indent  string
	width   int
	headers []string
	right   []bool
	shrink  []int // per column: its rank among columns of one width to cut (1 first), 0 never
	rows    [][]string
	widths  []int
}

// fit sets the widths: each column's longest cell, then cut to fit.
func (t *fitTable) fit() {
	t.widths = make([]int, len(t.headers))
	for i, h := range t.headers {
		t.widths[i] = utf8.RuneCountInString(h)
	}
	for _, row := range t.rows {
		for i, c := range row {
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(c))
		}
	}
	total := func() int {
		n := len(t.indent) + 2*(len(t.widths)-1)
		for _, w := range t.widths {
			n += w
		}
		return n
	}
	// Cut the widest text column by one, until the lines fit (ties: the
	// least needed first); numbers and dates are never cut.
	for total() > t.width {
		best := -1
		for i, rank := range t.shrink {
			if rank == 0 || t.widths[i] <= minShrunk {
				continue
			}
			if best < 0 || t.widths[i] > t.widths[best] || t.widths[i] == t.widths[best] && rank < t.shrink[best] {
				best = i
			}
		}
		if best < 0 {
			return // nothing left to cut
		}
		t.widths[best]--
	}
}

// print prints the header and rows, in the widths fit set.
func (t *fitTable) print(w io.Writer, rows [][]string) {
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString(t.indent)
		for i, c := range cells {
			c = cut(c, t.widths[i])
			pad := strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(c))
			switch {
			case t.right[i]:
				b.WriteString(pad + c)
			case i == len(cells)-1:
				b.WriteString(c)
			default:
				b.WriteString(c + pad)
			}
			if i < len(cells)-1 {
				b.WriteString("  ")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.headers)
	for _, row := range rows {
		line(row)
	}
}

// cut shortens s to n runes, its end replaced by "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// fill joins fields with sep into lines of at most width runes, the lines
// after the first starting with indent; a field longer than a line is cut.
func fill(fields []string, sep string, width int, indent string) []string {
	var lines []string
	cur := ""
	for _, f := range fields {
		if cur != "" && utf8.RuneCountInString(cur)+len(sep)+utf8.RuneCountInString(f) <= width {
			cur += sep + f
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		prefix := ""
		if len(lines) > 0 {
			prefix = indent
		}
		cur = prefix + cut(f, width-len(prefix))
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// writeWideReportTable prints every column of every row (--wide), then the
// totals and the discrepancies, as tables of aligned columns.
func writeWideReportTable(w io.Writer, r *usagereport.Report) error {
	t := newTable(w)
	fmt.Fprintln(t, strings.ToUpper(strings.Join(usagereport.Columns(), "\t")))
	for _, row := range r.Rows {
		cells := row.Cells()
		texts := make([]string, len(cells))
		for i, c := range cells {
			texts[i] = cell(c.Text)
		}
		fmt.Fprintln(t, strings.Join(texts, "\t"))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(t, "\nTOTALS %s\tTOTAL-EXCL-VAT\tTOTAL-INCL-VAT\n", r.Period)
	for _, tot := range r.Totals {
		fmt.Fprintf(t, "%s\t%s\t%s\n", cell(tot.Currency), usagereport.Money(tot.TotalExclVAT), usagereport.Money(tot.TotalInclVAT))
	}
	if len(r.Discrepancies) > 0 {
		if err := t.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(t, "\n"+discrepanciesTitle)
		fmt.Fprintln(t, "ORGANIZATION\tCLIENT-ID\tCODE\tCURRENCY\tLINES\tTOTAL-EXCL-VAT\tLINES-EXCL-VAT\tTOTAL-INCL-VAT\tLINES-INCL-VAT")
		for _, d := range r.Discrepancies {
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", d.Organization, cell(d.ClientID), cell(d.Code), cell(d.Currency), d.Lines,
				usagereport.Money(d.TotalExclVAT), usagereport.Money(d.LinesExclVAT), usagereport.Money(d.TotalInclVAT), usagereport.Money(d.LinesInclVAT))
		}
	}
	return t.Flush()
}
