package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

const opMetering = "metering-transaction"

// meteringFixture is a fake API with n organizations and a metering file
// of one two-row transaction per organization, in batch "2025-01".
type meteringFixture struct {
	orgs          []wrapper.ID
	file, journal string
}

func newMeteringFixture(t *testing.T, api *partnertest.API, n int) meteringFixture {
	t.Helper()
	dir := t.TempDir()
	f := meteringFixture{orgs: api.AddOrganizations(n), file: filepath.Join(dir, "usage.csv"), journal: filepath.Join(dir, "journal")}
	var b strings.Builder
	b.WriteString("organization,product,variable,quantity,batch\n")
	for i, id := range f.orgs {
		fmt.Fprintf(&b, "%s,partner,license_product,%d.25,2025-01\n%s,partner,commission,-42.00005,2025-01\n", id, i+1, id)
	}
	writeFile(t, f.file, b.String())
	return f
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// args runs the file one transaction after the other (--concurrency 1),
// so that a fault injected for the n-th request meets the n-th
// transaction and lines come in the file's order, unless extra sets
// --concurrency.
func (f meteringFixture) args(extra ...string) []string {
	args := []string{"metering-transaction", "--file", f.file, "--journal", f.journal}
	if !slices.Contains(extra, "--concurrency") {
		args = append(args, "--concurrency", "1")
	}
	return append(args, extra...)
}

// timesApplied is how many times each organization's transaction was
// applied, by the fake's own records (two rows per transaction).
func timesApplied(t *testing.T, api *partnertest.API, orgs []wrapper.ID) string {
	t.Helper()
	n := make([]int, len(orgs))
	for i, id := range orgs {
		rows := len(api.Metering(id))
		if rows%2 != 0 {
			t.Fatalf("organization %d: %d rows applied, not whole transactions", i, rows)
		}
		n[i] = rows / 2
	}
	return fmt.Sprint(n)
}

// outcomeColumn is the first word of each summary line.
func outcomeColumn(stdout string) string {
	var o []string
	for line := range strings.Lines(stdout) {
		o = append(o, strings.Fields(line)[0])
	}
	return strings.Join(o, " ")
}

func wantRun(t *testing.T, r result, code int, outcomes string) {
	t.Helper()
	if r.code != code || outcomeColumn(r.stdout) != outcomes {
		t.Fatalf("exit %d, outcomes %q; want exit %d, outcomes %q\nstdout:\n%s\nstderr:\n%s", r.code, outcomeColumn(r.stdout), code, outcomes, r.stdout, r.stderr)
	}
}

func TestMeteringFileExactlyOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	f := newMeteringFixture(t, srv.API, 3)
	r := runCLI(t, envOf(srv), f.args()...)
	wantRun(t, r, 0, "applied applied applied")
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
	first := strings.Split(strings.TrimSpace(r.stdout), "\n")[0]
	for _, want := range []string{"usage.csv:2", "organization " + f.orgs[0].String(), `batch "2025-01"`, "2 row(s)", "transaction "} {
		if !strings.Contains(first, want) {
			t.Errorf("summary line %q lacks %q", first, want)
		}
	}
	if got := timesApplied(t, srv.API, f.orgs); got != "[1 1 1]" {
		t.Errorf("applied %s", got)
	}
	srv.ResetCounts()
	for _, extra := range [][]string{nil, {"--resend-unknown"}} {
		wantRun(t, runCLI(t, envOf(srv), f.args(extra...)...), 0, "skipped skipped skipped")
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("reruns sent %d requests", n)
	}
	if got := timesApplied(t, srv.API, f.orgs); got != "[1 1 1]" {
		t.Errorf("applied %s", got)
	}
}

var transactionRE = regexp.MustCompile(`transaction ([0-9a-f]{64}): (unknown|refused|failed): `)

func TestMeteringFileRerunAfterUnknown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fault   partnertest.Fault
		applied bool
	}{
		{"not applied", partnertest.Fault{Status: 503}, false},
		{"applied, answer lost", partnertest.Fault{Status: 500, AfterAction: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			f := newMeteringFixture(t, srv.API, 2)
			srv.InjectFault(opMetering, 1, tc.fault)
			r := runCLI(t, envOf(srv), f.args()...)
			wantRun(t, r, 1, "unknown applied")
			m := transactionRE.FindStringSubmatch(r.stderr)
			if m == nil || m[2] != "unknown" || !strings.Contains(r.stderr, "1 transaction(s) need reconciliation") ||
				!strings.Contains(r.stderr, "usage.csv:2  organization "+f.orgs[0].String()) || !strings.Contains(r.stderr, "outcome unknown") {
				t.Fatalf("stderr does not list the unknown transaction:\n%s", r.stderr)
			}
			tx := m[1]
			wantApplied := map[bool]string{false: "[0 1]", true: "[1 1]"}[tc.applied]
			if got := timesApplied(t, srv.API, f.orgs); got != wantApplied {
				t.Errorf("applied %s, want %s", got, wantApplied)
			}

			// A plain rerun refuses it, lists it, exits 1 and sends nothing.
			srv.ResetCounts()
			r = runCLI(t, envOf(srv), f.args()...)
			wantRun(t, r, 1, "refused skipped")
			if m := transactionRE.FindStringSubmatch(r.stderr); m == nil || m[1] != tx || m[2] != "refused" || !strings.Contains(r.stderr, "--resend-unknown") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
			if n := srv.Requests(""); n != 0 {
				t.Errorf("the rerun sent %d requests", n)
			}

			// Reconciliation: mark it applied, or resend it.
			if tc.applied {
				wantRun(t, runCLI(t, envOf(srv), f.args("--mark-applied", tx)...), 0, "marked-applied skipped")
			} else {
				wantRun(t, runCLI(t, envOf(srv), f.args("--resend-unknown")...), 0, "applied skipped")
			}
			if got := timesApplied(t, srv.API, f.orgs); got != "[1 1]" {
				t.Errorf("applied %s after reconciliation", got)
			}
			srv.ResetCounts()
			wantRun(t, runCLI(t, envOf(srv), f.args("--resend-unknown")...), 0, "skipped skipped")
			if n := srv.Requests(""); n != 0 {
				t.Errorf("the last rerun sent %d requests", n)
			}
		})
	}
}

func TestMeteringFileFailedIsResent(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	f := newMeteringFixture(t, srv.API, 2)
	srv.InjectFault(opMetering, 1, partnertest.Fault{Status: 403})
	r := runCLI(t, envOf(srv), f.args()...)
	wantRun(t, r, 1, "failed applied")
	if m := transactionRE.FindStringSubmatch(r.stderr); m == nil || m[2] != "failed" {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	wantRun(t, runCLI(t, envOf(srv), f.args()...), 0, "applied skipped")
	if got := timesApplied(t, srv.API, f.orgs); got != "[1 1]" {
		t.Errorf("applied %s", got)
	}
}

func TestMeteringFileJSON(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	f := newMeteringFixture(t, srv.API, 1)
	r := runCLI(t, envOf(srv), append([]string{"--output", "json"}, f.args()...)...)
	var got struct {
		Outcome, File, Organization, Batch, Transaction string
		Line, Rows                                      int
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got.Outcome != "applied" || got.File != f.file || got.Line != 2 || got.Organization != f.orgs[0].String() ||
		got.Batch != "2025-01" || got.Rows != 2 || len(got.Transaction) != 64 {
		t.Errorf("%+v", got)
	}
}

// TestMeteringFileBadInput: every bad file is refused whole with
// FILE:LINE: column: reason, exit 2, nothing sent and no journal created.
func TestMeteringFileBadInput(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	org := srv.AddOrganizations(1)[0].String()
	const h = "organization,product,variable,quantity\n"
	good := h + org + ",p,v,1\n"
	for _, tc := range []struct{ name, csv, want string }{
		{"missing column", "organization,product,quantity\n" + org + ",p,1\n", `:1: header: it seems to be separated by ",", and then lacks "variable": ` +
			`want the columns organization,product,variable,quantity and optionally batch, separated by ",", ";" or TAB`},
		{"duplicate header", "organization,product,variable,quantity,quantity\n" + org + ",p,v,1,1\n", `:1: header: duplicate column "quantity"`},
		{"unknown column", "organization,product,variable,quantity,unit\n" + org + ",p,v,1,h\n", `:1: header: unknown column "unit" (want organization,product,variable,quantity and optionally batch)`},
		{"bad uuid", good + "not-a-uuid,p,v,1\n", `:3: organization: must be a UUID (8-4-4-4-12 hex digits), got "not-a-uuid"`},
		{"bad quantity", good + org + ",p,v,1.2.3\n", `:3: quantity: want a decimal number such as 12.5 or -0.00001, got "1.2.3"`},
		{"too many decimals", good + org + ",p,v,3.141592\n", `:3: quantity: at most 5 decimal places, got "3.141592"`},
		{"empty product", good + org + ",,v,1\n", `:3: product: required`},
		{"empty variable", good + org + ",p,,1\n", `:3: variable: required`},
		{"wrong column count", good + org + ",p,v,1,extra\n", `:3: file: wrong number of columns (want as many as the header)`},
		{"empty file", "", `:1: file: empty: want a header line organization,product,variable,quantity[,batch]`},
		{"header only", h, `:1: file: no rows after the header`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file, journal := filepath.Join(dir, "usage.csv"), filepath.Join(dir, "journal")
			writeFile(t, file, tc.csv)
			r := runCLI(t, envOf(srv), "metering-transaction", "--file", file, "--journal", journal)
			if r.code != 2 || r.stdout != "" || r.stderr != file+tc.want+"\n" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and stderr %q", r.code, r.stdout, r.stderr, file+tc.want)
			}
			if _, err := os.Stat(journal); !os.IsNotExist(err) {
				t.Errorf("a journal was created for a bad file: %v", err)
			}
		})
	}
	// Every bad line at once, in order.
	dir := t.TempDir()
	file := filepath.Join(dir, "usage.csv")
	writeFile(t, file, good+"x,p,v,1\n"+org+",p,v,1e9\n")
	r := runCLI(t, envOf(srv), "metering-transaction", "--file", file, "--journal", filepath.Join(dir, "j"))
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); r.code != 2 || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], file+":3: organization:") || !strings.HasPrefix(lines[1], file+":4: quantity:") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("bad files sent %d requests", n)
	}
}

func TestMeteringFileUsageAndJournalErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	f := newMeteringFixture(t, srv.API, 1)
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt")
	writeFile(t, corrupt, "organization,product,variable,quantity\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"file without journal", []string{"metering-transaction", "--file", f.file}, "--file needs --journal PATH"},
		{"journal without file", []string{"metering-transaction", "--journal", f.journal}, "--journal goes with --file"},
		{"file and organization", append(f.args(), "--organization", f.orgs[0].String()), "--file cannot be combined with --organization or --usage"},
		{"resend without file", []string{"metering-transaction", "--organization", f.orgs[0].String(), "--usage", "p:v:1", "--resend-unknown"},
			"--resend-unknown and --mark-applied go with --file and --journal"},
		{"missing file", []string{"metering-transaction", "--file", filepath.Join(dir, "none.csv"), "--journal", f.journal}, "no such file"},
		{"corrupt journal", []string{"metering-transaction", "--file", f.file, "--journal", corrupt},
			"journal " + corrupt + ":1: journal is corrupt: not a journal record; it was not opened"},
		{"journal is a directory", []string{"metering-transaction", "--file", f.file, "--journal", dir}, "meterfile: opening journal: "},
		{"journal in a missing directory", []string{"metering-transaction", "--file", f.file, "--journal", filepath.Join(dir, "no", "j")}, "meterfile: opening journal: "},
		{"mark an unknown transaction", f.args("--mark-applied", strings.Repeat("0", 64)), "cannot mark applied: 0000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, envOf(srv), tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("sent %d requests", n)
	}
	if data, _ := os.ReadFile(corrupt); string(data) != "organization,product,variable,quantity\n" {
		t.Errorf("the corrupt journal was modified: %q", data)
	}
	// The single-transaction mode still works.
	out := runOK(t, srv, "metering-transaction", "--organization", f.orgs[0].String(), "--usage", "p:v:1")
	if !strings.Contains(out, "applied 1 usage record(s)") {
		t.Errorf("single mode: %s", out)
	}
}

// errJournalWrite stands for a journal write that failed (a full disk).
var errJournalWrite = errors.New("no space left on device")

// failingJournal is the real journal file, whose n-th write fails without
// writing anything.
type failingJournal struct {
	journalFile
	n int
}

func (j *failingJournal) Record(entries ...meterfile.Entry) error {
	if j.n--; j.n == 0 {
		return errJournalWrite
	}
	return j.journalFile.Record(entries...)
}

// TestMeteringFileOutcomeNotJournaled: when the outcome of a sent
// transaction cannot be journaled, the run stops and the transaction is
// printed and listed for reconciliation as unknown, with what the API
// answered. Not parallel: it replaces openJournal.
func TestMeteringFileOutcomeNotJournaled(t *testing.T) {
	srv := newServer(t)
	f := newMeteringFixture(t, srv.API, 2)
	open := openJournal
	t.Cleanup(func() { openJournal = open })
	openJournal = func(ctx context.Context, path string, concurrency int) (journalFile, error) {
		j, err := open(ctx, path, concurrency)
		if err != nil {
			return nil, err
		}
		return &failingJournal{journalFile: j, n: 3}, nil // pending, sent, then the outcome fails
	}
	r := runCLI(t, envOf(srv), f.args()...)
	wantRun(t, r, 1, "unknown")
	if got := timesApplied(t, srv.API, f.orgs); got != "[1 0]" {
		t.Errorf("applied %s", got)
	}
	m := regexp.MustCompile(`transaction ([0-9a-f]{64})\n`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no transaction id in stdout:\n%s", r.stdout)
	}
	for _, want := range []string{
		"1 transaction(s) need reconciliation:\n",
		"usage.csv:2  organization " + f.orgs[0].String() + `  batch "2025-01"  transaction ` + m[1] +
			": unknown: sent, but its outcome could not be journaled (the API answered: it was applied): " + errJournalWrite.Error() + "\n",
		"the transactions not reached are sent by a rerun",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	// The journal says sent: a rerun refuses it until reconciled.
	openJournal = open
	r = runCLI(t, envOf(srv), f.args()...)
	wantRun(t, r, 1, "refused applied")
	r = runCLI(t, envOf(srv), f.args("--mark-applied", m[1])...)
	wantRun(t, r, 0, "marked-applied skipped")
	if got := timesApplied(t, srv.API, f.orgs); got != "[1 1]" {
		t.Errorf("applied %s", got)
	}
}
