package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	usagereport "github.com/exopartner/exopartner/wrapper/report"
	flag "github.com/spf13/pflag"
)

// These tests drive the command line as the exo CLI's users type it, through
// run and cobra's parsing: flags anywhere, exo's flag names, help, version,
// completion, --client-id, -Q, -A/-C and JSON without HTML escaping.

// TestFlagsAnywhere: global flags are accepted after the command, between
// its arguments, and by their exo names and shorthands.
func TestFlagsAnywhere(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	org := createOrg(t, srv, "crm-anywhere")
	id := org.ID.String()
	for _, args := range [][]string{
		{"list-distributor-organizations", "--output", "json"},
		{"list-distributor-organizations", "--output-format", "json"},
		{"list-distributor-organizations", "-O", "json"},
		{"-O", "json", "list-distributor-organizations"},
		{"list-distributor-organizations", "--output-format=json", "--timeout", "30s"},
	} {
		var list api.ListDistributorOrganizations200JSONResponseBody
		decodeStrict(t, runOK(t, srv, args...), &list)
		if len(list.Organizations) != 1 || list.Organizations[0].ID != org.ID {
			t.Errorf("%q: %+v", args, list)
		}
	}
	// Between the command and its ID, with -v after both.
	r := runCLI(t, envOf(srv), "get-distributor-organization", "-O", "json", id, "-v")
	var got api.Organization
	decodeStrict(t, r.stdout, &got)
	if r.code != 0 || got.ID != org.ID || !strings.Contains(r.stderr, `msg="exopartner attempt"`) {
		t.Errorf("exit %d, stdout %s, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	// --endpoint after the command overrides the environment's.
	env := mapEnv(map[string]string{wrapper.EnvAPIKey: srv.Key(), wrapper.EnvAPISecret: srv.Secret(),
		wrapper.EnvEndpoint: "http://127.0.0.1:1/v1.alpha"}) // nothing listens there
	if r := runCLI(t, env, "list-distributor-organizations", "--endpoint", srv.URL); r.code != 0 || !strings.Contains(r.stdout, "crm-anywhere") {
		t.Errorf("--endpoint after the command: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestOutputText: -O text prints the table's rows, one TAB between cells,
// no header, empty cells empty, control characters escaped.
func TestOutputText(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := createOrg(t, srv, "crm-text")
	b := srv.Seed(wrapper.Organization{ // no client-id; a TAB and an ESC in its name
		BillingAddress: wrapper.BillingAddress{Name: "Tab\tEsc\x1b[31m AG", StreetName: "Hauptstrasse", City: "Bern", PostalCode: "3011", Country: "CH"},
	})
	out := runOK(t, srv, "list-distributor-organizations", "-O", "text")
	want := a.ID.String() + "\tactive\tcrm-text\tFixture crm-text\tCH\n" + b.ID.String() + "\tactive\t\t" + `Tab\tEsc\x1b[31m AG` + "\tCH\n"
	if out != want {
		t.Errorf("list:\n%q\nwant\n%q", out, want)
	}
	if out := runOK(t, srv, "-O", "text", "metering-transaction", "--organization", a.ID.String(), "--usage", "partner:license_product:3.1415"); out != a.ID.String()+"\tpartner\tlicense_product\t3.1415\n" {
		t.Errorf("metering: %q", out)
	}
	out = runOK(t, srv, "-O", "text", "list-distributor-organization-usage", a.ID.String())
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("usage: %q", out)
	}
	cells := strings.Split(lines[0], "\t")
	if len(cells) != 13 || cells[1] != partnertest.Currency || cells[6] != "partner" || cells[7] != "license_product" || cells[9] != "3.1415" {
		t.Errorf("usage cells %q", cells)
	}
	if out := runOK(t, srv, "terminate-distributor-organization", b.ID.String(), "-O", "text"); !strings.HasPrefix(out, b.ID.String()+"\tterminated\t") {
		t.Errorf("terminate: %q", out)
	}
}

// TestTimeoutFlag: --timeout takes a duration such as 30s and says so when
// given a bare number, before anything is sent.
func TestTimeoutFlag(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--timeout", "30", "list-distributor-organizations"}, `exopartner: list-distributor-organizations: --timeout "30": want a duration such as 30s` + "\n"},
		{[]string{"--timeout", "30"}, `exopartner: --timeout "30": want a duration such as 30s` + "\n"},
		{[]string{"list-distributor-organizations", "--timeout", "30"}, `exopartner: list-distributor-organizations: --timeout "30": want a duration such as 30s` + "\n"},
		{[]string{"list-distributor-organizations", "--timeout=-1s"}, `--timeout "-1s": want a positive duration such as 30s`},
	} {
		r := runCLI(t, envOf(srv), tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
	runOK(t, srv, "list-distributor-organizations", "--timeout", "30s")
}

// TestHelpShowsDefaults: a command's help lists its flags and the global
// flags as --name with their defaults, exits 0, and --help works anywhere.
func TestHelpShowsDefaults(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"usage-report", "--help"}, {"help", "usage-report"}, {"--period", "2025-01", "usage-report", "-h"}} {
		r := runCLI(t, mapEnv(nil), args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%q: exit %d, stderr %q", args, r.code, r.stderr)
		}
		for _, want := range []string{
			"usage: exopartner [global flags] usage-report --period YYYY-MM",
			"\nflags:\n", "\n  --format string\n", `csv, json, table or xlsx (an Excel workbook: numbers as numbers, dates as dates, in any locale) (default "csv")`,
			"\n  --delimiter string\n", `(default ",")`, "\n  --bom\n", "\n  --wide\n",
			"\n  --concurrency int\n", fmt.Sprintf("(default %d)", usagereport.DefaultConcurrency),
			"\nglobal flags (anywhere on the line):\n", "\n  --output-format, -O string\n", `(default "table")`,
			"\n  --use-account, -A NAME\n", "\n  --config, -C PATH\n", "\n  --quiet, -Q\n", "\n  --timeout duration\n", "\n  --verbose, -v\n",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%q: help lacks %q:\n%s", args, want, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "\n  --output string") {
			t.Errorf("%q: the --output alias is listed apart:\n%s", args, r.stdout)
		}
	}
	if r := runCLI(t, mapEnv(nil), "serve", "--help"); r.code != 0 || !strings.Contains(r.stdout, `(default "127.0.0.1:8080")`) {
		t.Errorf("serve --help: exit %d:\n%s", r.code, r.stdout)
	}
	if r := runCLI(t, mapEnv(nil), "help", "completion"); r.code != 0 || !strings.Contains(r.stdout, "\n  bash ") || !strings.Contains(r.stdout, "\n  fish ") {
		t.Errorf("help completion: exit %d:\n%s", r.code, r.stdout)
	}
}

// TestUsageDocumentsGlobalFlags keeps the usage text in step with the
// global flags.
func TestUsageDocumentsGlobalFlags(t *testing.T) {
	t.Parallel()
	usage := usageText()
	newRoot(&env{}).PersistentFlags().VisitAll(func(f *flag.Flag) {
		if !f.Hidden && !strings.Contains(usage, "  --"+f.Name) {
			t.Errorf("the usage text does not list --%s", f.Name)
		}
		if f.Shorthand != "" && !strings.Contains(usage, "--"+f.Name+", -"+f.Shorthand) {
			t.Errorf("the usage text does not give -%s for --%s", f.Shorthand, f.Name)
		}
	})
}

// singleDash is a long flag written with one dash, as Go's flag package
// prints them.
var singleDash = regexp.MustCompile(`(^|[\s"'(])-[a-z][a-z-]+`)

// TestFlagErrorsNameFlagsWithTwoDashes: every parse error is exit 2, names
// the flag as it is typed (--name), says what to type, and sends nothing.
func TestFlagErrorsNameFlagsWithTwoDashes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	const id = "0b5c7c1e-6a4b-4ad0-9d1e-3f8f6f2f6a10"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list-distributor-organization-usage", id, "--perod", "2025-01"}, "list-distributor-organization-usage: unknown flag --perod; did you mean --period?\n"},
		{[]string{"list-distributor-organization-usage", id, "-period", "2025-01"}, "list-distributor-organization-usage: unknown flag -period; did you mean --period?\n"},
		{[]string{"list-distributor-organization-usage", id, "--period"}, "list-distributor-organization-usage: --period needs a value\n"},
		{[]string{"list-distributor-organizations", "-O"}, "list-distributor-organizations: --output-format needs a value\n"},
		{[]string{"-O", "yaml", "list-distributor-organizations"}, `exopartner: --output-format "yaml": want table, json, text` + "\n"},
		{[]string{"usage-report", "--period", "2025-01", "--concurrency", "many"}, `usage-report: --concurrency "many": want a whole number` + "\n"},
		{[]string{"sync", "--apply=maybe"}, `sync: --apply "maybe": want true or false` + "\n"},
		{[]string{"list-distributor-organizations", "--colour"}, "list-distributor-organizations: unknown flag --colour\n"},
	} {
		r := runCLI(t, envOf(srv), tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
		if m := singleDash.FindString(strings.ReplaceAll(r.stderr, "unknown flag -period", "")); m != "" {
			t.Errorf("%q: stderr names a flag with one dash (%q):\n%s", tc.args, m, r.stderr)
		}
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// TestVersion: version prints the program's version and Go's, as text or
// as one JSON object.
func TestVersion(t *testing.T) {
	t.Parallel()
	r := runCLI(t, mapEnv(nil), "version")
	if r.code != 0 || r.stderr != "" || !regexp.MustCompile(`^exopartner \S+( \(commit [0-9a-f]+(, modified)?\))? go\S+ \w+/\w+\n$`).MatchString(r.stdout) {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if v := runCLI(t, mapEnv(nil), "--version"); v.code != 0 || v.stdout != r.stdout {
		t.Errorf("--version: exit %d, stdout %q; want %q", v.code, v.stdout, r.stdout)
	}
	r = runCLI(t, mapEnv(nil), "version", "-O", "json")
	var v struct{ Version, Go, Platform string }
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != 0 || v.Version == "" || !strings.HasPrefix(v.Go, "go") || v.Platform == "" {
		t.Errorf("exit %d, %v: %q", r.code, err, r.stdout)
	}
	if r := runCLI(t, mapEnv(nil), "version", "extra"); r.code != 2 || !strings.Contains(r.stderr, "version: unexpected arguments: extra") {
		t.Errorf("version extra: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestCompletion: completion prints a bash, zsh or fish script, and the
// scripts' completions come from the command tree.
func TestCompletion(t *testing.T) {
	t.Parallel()
	for shell, want := range map[string]string{"bash": "__start_exopartner", "zsh": "#compdef exopartner", "fish": "complete -c exopartner"} {
		r := runCLI(t, mapEnv(nil), "completion", shell)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, want) {
			t.Errorf("completion %s: exit %d, stderr %q, no %q in %d bytes", shell, r.code, r.stderr, want, len(r.stdout))
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}} {
		if r := runCLI(t, mapEnv(nil), args...); r.code != 2 || !strings.Contains(r.stderr, "bash, zsh, fish") || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want []string // completion lines
	}{
		{[]string{"__complete", "suspend-"}, []string{"suspend-distributor-organization\tSuspend an organization."}},
		{[]string{"__complete", "-O", ""}, []string{"table", "json", "text"}},
		{[]string{"__complete", "get-distributor-organization", "--client"}, []string{"--client-id\t"}},
		{[]string{"__complete", "help", "comp"}, []string{"completion"}},
	} {
		r := runCLI(t, mapEnv(nil), tc.args...)
		lines := strings.Split(r.stdout, "\n")
		for _, w := range tc.want {
			found := false
			for _, l := range lines {
				found = found || strings.HasPrefix(l, w)
			}
			if r.code != 0 || !found {
				t.Errorf("%q: exit %d, no line %q in:\n%s", tc.args, r.code, w, r.stdout)
			}
		}
	}
}

// TestClientID: commands that take an organization find it by --client-id
// with one listing; none or several matches are exit 1 and named; bad
// command lines send nothing.
func TestClientID(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	one := createOrg(t, srv, "crm-1")
	twinA, twinB := createOrg(t, srv, "crm-2"), createOrg(t, srv, "crm-2")
	upper := createOrg(t, srv, "CRM-3")
	srv.ResetCounts()

	out := runOK(t, srv, "suspend-distributor-organization", "--client-id", "crm-1")
	if rs := rows(out); len(rs) != 2 || rs[1][0] != one.ID.String() || rs[1][1] != "suspended" {
		t.Errorf("suspend: %q", out)
	}
	if l, s := srv.Requests("list-distributor-organizations"), srv.Requests("suspend-distributor-organization"); l != 1 || s != 1 || srv.Requests("") != 2 {
		t.Errorf("sent %d listings, %d suspends, %d requests; want one listing and one suspend", l, s, srv.Requests(""))
	}
	var got api.Organization
	decodeStrict(t, runOK(t, srv, "get-distributor-organization", "--client-id=crm-1", "-O", "json"), &got)
	if got.ID != one.ID || got.Status != api.StatusSuspended {
		t.Errorf("get: %+v", got)
	}
	for _, args := range [][]string{
		{"activate-distributor-organization", "--client-id", "crm-1"},
		{"list-distributor-organization-usage", "--client-id", "crm-1", "--period", "2025-01"},
		{"metering-transaction", "--client-id", "crm-1", "--usage", "partner:license_product:2"},
	} {
		runOK(t, srv, args...)
	}
	if m := srv.Metering(one.ID); len(m) != 1 || m[0].Quantity != 2 {
		t.Errorf("metering stored %+v", m)
	}

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"get-distributor-organization", "--client-id", "crm-2"}, []string{
			`exopartner: get-distributor-organization: --client-id "crm-2": 2 organizations have this client-id: `,
			twinA.ID.String() + ` (active, client-id "crm-2")`, twinB.ID.String() + ` (active, client-id "crm-2")`, "give the organization's ID instead"}},
		{[]string{"terminate-distributor-organization", "--client-id", "crm-9"}, []string{
			`exopartner: terminate-distributor-organization: --client-id "crm-9": no organization has this client-id or one like it (4 organizations listed)`}},
		{[]string{"get-distributor-organization", "--client-id", "crm-3"}, []string{
			`--client-id "crm-3": organizations have client-ids that look like it`, upper.ID.String() + ` (active, client-id "CRM-3")`}},
		{[]string{"suspend-distributor-organization", "--client-id", "crm-1\u200b"}, []string{
			`--client-id "crm-1\u200b": organizations have client-ids that look like it`, one.ID.String() + ` (active, client-id "crm-1")`}},
		{[]string{"schedule-purge-distributor-organization", "--client-id", "crm-1"}, []string{
			`--client-id "crm-1": no terminated organization has this client-id or one like it`}},
		{[]string{"metering-transaction", "--client-id", "crm-2", "--usage", "p:v:1"}, []string{"2 organizations have this client-id"}},
	} {
		srv.ResetCounts()
		r := runCLI(t, envOf(srv), tc.args...)
		if r.code != 1 || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q; want 1", tc.args, r.code, r.stdout)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%q: stderr lacks %q:\n%s", tc.args, w, r.stderr)
			}
		}
		if n, l := srv.Requests(""), srv.Requests("list-distributor-organizations"); n != 1 || l != 1 {
			t.Errorf("%q: %d requests, want only the listing", tc.args, n)
		}
	}

	// A customer terminated, then created again (as sync does): the commands
	// act on the live organization, schedule-purge on the terminated one,
	// and a client-id only a terminated organization has still finds it.
	old := createOrg(t, srv, "crm-4")
	runOK(t, srv, "terminate-distributor-organization", old.ID.String())
	again := createOrg(t, srv, "crm-4")
	if rs := rows(runOK(t, srv, "suspend-distributor-organization", "--client-id", "crm-4")); len(rs) != 2 || rs[1][0] != again.ID.String() {
		t.Errorf("suspend crm-4: %q, want %s", rs, again.ID)
	}
	if out := runOK(t, srv, "schedule-purge-distributor-organization", "--client-id", "crm-4"); !strings.HasPrefix(out, old.ID.String()+" purge") {
		t.Errorf("purge crm-4: %q, want %s", out, old.ID)
	}
	gone := createOrg(t, srv, "crm-5")
	runOK(t, srv, "terminate-distributor-organization", gone.ID.String())
	if rs := rows(runOK(t, srv, "get-distributor-organization", "--client-id", "crm-5")); len(rs) != 2 || rs[1][0] != gone.ID.String() {
		t.Errorf("get crm-5: %q, want %s", rs, gone.ID)
	}

	srv.ResetCounts()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"get-distributor-organization", one.ID.String(), "--client-id", "crm-1"}, "give the organization ID or --client-id, not both"},
		{[]string{"get-distributor-organization", "--client-id", ""}, "--client-id: must not be empty"},
		{[]string{"get-distributor-organization"}, "missing the organization ID (or --client-id X)"},
		{[]string{"list-distributor-organization-usage", "--client-id", "crm-1", "--period", "2025-13"}, "invalid input: --period"},
		{[]string{"metering-transaction", "--client-id", "crm-1", "--usage", "p:v:NaN"}, "metering-transaction: invalid input: usage[0].quantity: must be a finite number"},
		{[]string{"metering-transaction", "--client-id", "crm-1", "--usage", "p:v:1.123456"}, "usage[0].quantity: must have at most 5 decimals"},
		{[]string{"metering-transaction", "--client-id", "crm-1"}, "at least one --usage"},
		{[]string{"metering-transaction", "--client-id", "crm-1", "--organization", one.ID.String(), "--usage", "p:v:1"}, "give --organization or --client-id, not both"},
	} {
		r := runCLI(t, envOf(srv), tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("bad command lines sent %d requests, want 0", n)
	}
}

// TestQuiet: -Q prints nothing when a change succeeds, only the new ID for
// a create, and leaves reads alone.
func TestQuiet(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	out := runOK(t, srv, append([]string{"-Q"}, createArgs...)...)
	id, err := wrapper.ParseID(strings.TrimSuffix(out, "\n"))
	if err != nil || out != id.String()+"\n" {
		t.Fatalf("create -Q printed %q, want the new ID alone", out)
	}
	for _, args := range [][]string{
		{"suspend-distributor-organization", id.String(), "-Q"},
		{"--quiet", "activate-distributor-organization", id.String()},
		{"-Q", "-O", "json", "metering-transaction", "--organization", id.String(), "--usage", "p:v:1"},
		{"-Q", "-O", "text", "metering-transaction", "--organization", id.String(), "--usage", "p:v:1"},
		{"-Q", "terminate-distributor-organization", "--client-id", "crm-2001"},
	} {
		if out := runOK(t, srv, args...); out != "" {
			t.Errorf("%q printed %q, want nothing", args, out)
		}
	}
	if st := srv.Organizations()[0].Status; st != api.StatusTerminated || len(srv.Metering(id)) != 2 {
		t.Errorf("status %s, metering %+v: the quiet commands did not all apply", st, srv.Metering(id))
	}
	if rs := rows(runOK(t, srv, "-Q", "get-distributor-organization", id.String())); len(rs) != 2 || rs[1][1] != "terminated" {
		t.Errorf("get -Q: %q", rs)
	}
	// Failures still speak.
	if r := runCLI(t, envOf(srv), "-Q", "suspend-distributor-organization", id.String()); r.code != 1 || !strings.Contains(r.stderr, "suspend-distributor-organization: 4") {
		t.Errorf("failed suspend -Q: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestJSONNoHTMLEscaping: & < > are printed as they are in every JSON the
// CLI writes (documents and JSON lines), not as \u0026 \u003c \u003e.
func TestJSONNoHTMLEscaping(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	const name = "Müller & Söhne <Bau> AG"
	org := srv.Seed(wrapper.Organization{ClientID: "crm-a&b",
		BillingAddress: wrapper.BillingAddress{Name: name, StreetName: "Hauptstrasse", City: "Bern", PostalCode: "3011", Country: "CH"}})
	file := filepath.Join(t.TempDir(), "usage.csv")
	writeFile(t, file, "organization,product,variable,quantity,batch\n"+org.ID.String()+",partner,license_product,1,Q1 & Q2\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"get-distributor-organization", org.ID.String(), "-O", "json"}, `"name": "` + name + `"`},
		{[]string{"list-distributor-organizations", "--output", "json"}, `"client-id": "crm-a&b"`},
		{[]string{"get-distributor-organization", "--client-id", "crm-a&b", "-O", "json"}, `"client-id": "crm-a&b"`},
		{[]string{"metering-transaction", "--file", file, "--journal", file + ".journal", "-O", "json"}, `"batch":"Q1 & Q2"`},
	} {
		out := runOK(t, srv, tc.args...)
		if !strings.Contains(out, tc.want) || strings.Contains(out, `\u00`) {
			t.Errorf("%q: want %s, no \\u00 escape:\n%s", tc.args, tc.want, out)
		}
	}
}

// TestExoConfigAccount: -A/--use-account and -C/--config take the
// credentials from an account of the exo CLI configuration, before or after
// the command, over the environment's credentials.
func TestExoConfigAccount(t *testing.T) {
	t.Setenv(wrapper.EnvAccount, "") // the file's defaultAccount, whatever the developer's shell says
	srv := newServer(t, partnertest.WithCredentials("EXOpartnerkey", "partner-secret"))
	createOrg(t, srv, "crm-exo")
	cfg := filepath.Join(t.TempDir(), "exoscale.toml")
	writeFile(t, cfg, `defaultAccount = "compute"

[[accounts]]
name = "compute"
key = "EXOcomputekey"
secret = "compute-secret"

[[accounts]]
name = "partner"
key = "EXOpartnerkey"
secret = "partner-secret"
`)
	// The environment's credentials are wrong: only the file's partner account works.
	env := mapEnv(map[string]string{wrapper.EnvAPIKey: "EXOenvkey", wrapper.EnvAPISecret: "env-secret", wrapper.EnvEndpoint: srv.URL})
	for _, args := range [][]string{
		{"-C", cfg, "-A", "partner", "list-distributor-organizations"},
		{"list-distributor-organizations", "--config", cfg, "--use-account", "partner"},
		{"list-distributor-organizations", "--use-account=partner", "--config=" + cfg},
	} {
		if r := runCLI(t, env, args...); r.code != 0 || !strings.Contains(r.stdout, "crm-exo") {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"list-distributor-organizations"}, 1, `unknown API key "EXOenvkey"`},                // the environment's
		{[]string{"-C", cfg, "list-distributor-organizations"}, 1, `unknown API key "EXOcomputekey"`}, // the file's defaultAccount
		{[]string{"-C", cfg, "-A", "nope", "list-distributor-organizations"}, 2, `no account "nope" (from --use-account)`},
		{[]string{"-C", filepath.Join(t.TempDir(), "none.toml"), "list-distributor-organizations"}, 2, "none.toml"},
	} {
		srv.ResetCounts()
		r := runCLI(t, env, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
		checkCLIWords(t, r.stderr)
		if n := srv.Requests(""); tc.code == 2 && n != 0 {
			t.Errorf("%q: %d requests sent, want 0", tc.args, n)
		}
	}
}
