package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
)

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"--output", "json", "help"}} {
		r := runCLI(t, mapEnv(nil), args...)
		if r.code != 0 || r.stderr != "" || r.stdout != usageText() {
			t.Errorf("%q: exit %d, stderr %q, stdout:\n%s", args, r.code, r.stderr, r.stdout)
		}
	}
	for _, args := range [][]string{
		{"help", "list-distributor-organization-usage"},
		{"list-distributor-organization-usage", "-h"},
		{"list-distributor-organization-usage", "0b5c7c1e-6a4b-4ad0-9d1e-3f8f6f2f6a10", "--help"},
	} {
		r := runCLI(t, mapEnv(nil), args...)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "exopartner [global flags] list-distributor-organization-usage ID") ||
			!strings.Contains(r.stdout, "\n  --period string\n") {
			t.Errorf("%q: exit %d, stderr %q, stdout:\n%s", args, r.code, r.stderr, r.stdout)
		}
	}
}

func TestNoCommand(t *testing.T) {
	t.Parallel()
	r := runCLI(t, mapEnv(nil))
	if r.code != 2 || r.stdout != "" || r.stderr != usageText() {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestUsageAndInvalidInput: bad command lines and invalid inputs exit 2,
// say what is wrong, and send nothing.
func TestUsageAndInvalidInput(t *testing.T) {
	t.Parallel()
	const id = "0b5c7c1e-6a4b-4ad0-9d1e-3f8f6f2f6a10"
	create := func(extra ...string) []string {
		return append([]string{"create-distributor-organization", "--display-name", "Acme AG", "--owner-email", "ops@acme.example",
			"--billing-name", "Acme AG", "--street-name", "Seestrasse", "--city", "Zürich", "--postal-code", "8002"}, extra...)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{"unknown command", []string{"list-organisations"}, []string{`unknown command "list-organisations"`, "exopartner help"}},
		{"unknown global flag", []string{"--colour", "list-distributor-organizations"}, []string{"-colour"}},
		{"bad output", []string{"--output", "yaml", "list-distributor-organizations"}, []string{`--output "yaml"`}},
		{"help of unknown command", []string{"help", "nope"}, []string{`unknown command "nope"`}},
		{"missing ID", []string{"get-distributor-organization"}, []string{"get-distributor-organization: missing the organization ID"}},
		{"missing ID with flag", []string{"list-distributor-organization-usage", "--period", "2025-01"}, []string{"missing the organization ID"}},
		{"two IDs", []string{"suspend-distributor-organization", id, id}, []string{"want one organization ID"}},
		{"extra argument", []string{"list-distributor-organizations", "all"}, []string{"unexpected arguments: all"}},
		{"ID not a UUID", []string{"get-distributor-organization", "not-a-uuid"}, []string{"get-distributor-organization: invalid input: id: must be a UUID", `(got "not-a-uuid")`}},
		{"ID with slash", []string{"activate-distributor-organization", id + "/../x"}, []string{"activate-distributor-organization: invalid input: id"}},
		{"ID path traversal", []string{"terminate-distributor-organization", "../../../organization"}, []string{"invalid input: id"}},
		{"ID escaped slash", []string{"schedule-purge-distributor-organization", "0b5c7c1e-6a4b-4ad0-9d1e%2F3f8f6f2f6a1"}, []string{"invalid input: id"}},
		{"bad period month", []string{"list-distributor-organization-usage", id, "--period", "2025-13"}, []string{"invalid input: --period", `(got "2025-13")`}},
		{"bad period form", []string{"list-distributor-organization-usage", "--period", "January", id}, []string{"invalid input: --period"}},
		{"bad usage syntax", []string{"metering-transaction", "--organization", id, "--usage", "a:b"}, []string{`--usage "a:b": want PRODUCT:VARIABLE:QUANTITY`}},
		{"usage not a number", []string{"metering-transaction", "--organization", id, "--usage", "p:v:lots"}, []string{`quantity "lots" is not a number`}},
		{"NaN quantity", []string{"metering-transaction", "--organization", id, "--usage", "p:v:NaN"}, []string{"metering-transaction: invalid input: usage[0].quantity: must be a finite number"}},
		{"infinite quantity", []string{"metering-transaction", "--organization", id, "--usage", "p:v:1", "--usage", "p:v:-Inf"}, []string{"usage[1].quantity"}},
		{"too many decimals", []string{"metering-transaction", "--organization", id, "--usage", "p:v:1.123456"}, []string{"metering-transaction: invalid input: usage[0].quantity: must have at most 5 decimals (got 1.123456)"}},
		{"metering without organization", []string{"metering-transaction", "--usage", "p:v:1"}, []string{"--organization is required"}},
		{"metering bad organization", []string{"metering-transaction", "--organization", "42", "--usage", "p:v:1"}, []string{"invalid input: --organization: must be a UUID"}},
		{"metering without usage", []string{"metering-transaction", "--organization", id}, []string{"at least one --usage"}},
		{"bad country", create("--country", "ch"), []string{"create-distributor-organization: invalid input", "--country: must be an ISO 3166-1 alpha-2 country code"}},
		{"missing country", create(), []string{"create-distributor-organization: --country is required\n"}},
		{"missing flags", []string{"create-distributor-organization", "--display-name", "Acme AG"}, []string{
			"create-distributor-organization: --billing-name, --city, --country, --owner-email, --postal-code and --street-name are required\n"}},
		{"bad e-mail", append(create("--country", "CH"), "--owner-email", "nobody"), []string{`--owner-email: must be an e-mail address (got "nobody")`}},
		{"create with argument", create("--country", "CH", "extra"), []string{"unexpected arguments: extra"}},
		{"bad endpoint", []string{"--endpoint", "ftp://example.com", "list-distributor-organizations"}, []string{"endpoint"}},
		{"plain http off loopback", []string{"--endpoint", "http://partner.example.com/v1.alpha", "list-distributor-organizations"}, []string{"plain http", "use an https endpoint"}},
		{"misspelt command", []string{"list-organisations"}, []string{"did you mean list-distributor-organizations"}},
		{"help of a misspelt command", []string{"help", "metering"}, []string{"did you mean metering-transaction?", "Run 'exopartner help' for usage."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			r := runCLI(t, envOf(srv), tc.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty:\n%s", r.stdout)
			}
			checkCLIWords(t, r.stderr)
			if n := srv.Requests(""); n != 0 {
				t.Errorf("the API saw %d requests, want none", n)
			}
		})
	}
}

// TestMissingCredentials: with no credentials anywhere, an API command exits
// 2 with the library's message and sends nothing.
func TestMissingCredentials(t *testing.T) {
	srv := newServer(t)
	t.Setenv(wrapper.EnvAPIKey, "")
	t.Setenv(wrapper.EnvAPISecret, "")
	t.Setenv(wrapper.EnvConfig, filepath.Join(t.TempDir(), "exoscale.toml"))
	r := runCLI(t, os.Getenv, "--endpoint", srv.URL, "list-distributor-organizations")
	if r.code != 2 || !strings.Contains(r.stderr, "no API credentials") || !strings.Contains(r.stderr, "Set EXOSCALE_API_KEY and EXOSCALE_API_SECRET") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	checkCLIWords(t, r.stderr)
	if n := srv.Requests(""); n != 0 {
		t.Errorf("the API saw %d requests, want none", n)
	}

	t.Setenv(wrapper.EnvAPIKey, srv.Key())
	r = runCLI(t, os.Getenv, "--endpoint", srv.URL, "list-distributor-organizations")
	if r.code != 2 || !strings.Contains(r.stderr, wrapper.EnvAPISecret+" is not") {
		t.Errorf("half-set credentials: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// TestProcessEnvironment: credentials and endpoint come from the real
// environment, as wrapper.New reads it, when run is given os.Getenv; the
// --endpoint flag overrides the environment.
func TestProcessEnvironment(t *testing.T) {
	srv := newServer(t)
	createOrg(t, srv, "crm-env")
	t.Setenv(wrapper.EnvAPIKey, srv.Key())
	t.Setenv(wrapper.EnvAPISecret, srv.Secret())
	t.Setenv(wrapper.EnvEndpoint, srv.URL)
	r := runCLI(t, os.Getenv, "list-distributor-organizations")
	if r.code != 0 || !strings.Contains(r.stdout, "crm-env") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	t.Setenv(wrapper.EnvEndpoint, "http://127.0.0.1:1/v1.alpha") // nothing listens there
	r = runCLI(t, os.Getenv, "--endpoint", srv.URL, "list-distributor-organizations")
	if r.code != 0 || !strings.Contains(r.stdout, "crm-env") {
		t.Fatalf("--endpoint over the environment: exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestUnreachable: a network failure exits 1 and names the operation.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	env := mapEnv(map[string]string{wrapper.EnvAPIKey: "EXOkey", wrapper.EnvAPISecret: "secret"})
	r := runCLI(t, env, "--endpoint", "http://127.0.0.1:1/v1.alpha", "--timeout", "5s", "get-distributor-organization", "0b5c7c1e-6a4b-4ad0-9d1e-3f8f6f2f6a10")
	if r.code != 1 || !strings.Contains(r.stderr, "get-distributor-organization") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// usageText is the overall help, as `exopartner help` prints it.
func usageText() string { return usage(newRoot(&env{})) }

// TestUsageDocumentsEveryCommand: the usage lists every command of the
// table, each with its synopses and summary; the package documentation
// points to it and is no second list of the commands.
func TestUsageDocumentsEveryCommand(t *testing.T) {
	t.Parallel()
	text := usageText()
	flat := strings.Join(strings.Fields(text), " ")
	for _, c := range commands {
		if !strings.Contains(text, "\n  "+c.name) || !strings.Contains(text, "\n      "+firstLine(c.summary)+"\n") {
			t.Errorf("the usage does not list %s with its summary", c.name)
		}
		for _, s := range c.synopsis {
			if !strings.Contains(flat, c.name+" "+s) {
				t.Errorf("the usage does not give the synopsis %s %s", c.name, s)
			}
		}
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, _, _ := strings.Cut(string(src), "package main")
	if !strings.Contains(doc, "`exopartner help`") {
		t.Errorf("the package documentation does not point to `exopartner help`:\n%s", doc)
	}
	flatDoc := strings.Join(strings.Fields(strings.ReplaceAll(doc, "//", "")), " ")
	for _, c := range commands {
		for _, s := range c.synopsis {
			if strings.Contains(doc, "//\t"+c.name) || strings.Contains(flatDoc, c.name+" "+s) {
				t.Errorf("the package documentation lists %s again: let `exopartner help` say it", c.name)
			}
		}
	}
}

// checkCLIWords fails t if a message names the library's Go options, or
// says the same thing twice.
func checkCLIWords(t *testing.T, stderr string) {
	t.Helper()
	for _, w := range []string{"WithInsecure", "WithCredentials", "WithEndpoint", "help help", "ID:"} {
		if strings.Contains(stderr, w) {
			t.Errorf("stderr says %q, not a word of the CLI:\n%s", w, stderr)
		}
	}
	for _, line := range strings.Split(stderr, "; ") {
		if line != "" && strings.Count(stderr, line) > 1 {
			t.Errorf("stderr repeats %q:\n%s", line, stderr)
		}
	}
}

// Every command's help lists its flags as they are typed: --flag.
func TestHelpShowsFlagsAsTyped(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		r := runCLI(t, mapEnv(nil), "help", c.name)
		if r.code != 0 {
			t.Fatalf("%s: exit %d", c.name, r.code)
		}
		for _, line := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(line, "  -") && !strings.HasPrefix(line, "  --") {
				t.Errorf("%s: flag shown as %q", c.name, line)
			}
		}
	}
}
