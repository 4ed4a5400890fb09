package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// TestDemo: demo runs the whole lifecycle and exits 0 whatever EXOSCALE_*
// variables say (here: unusable credentials and an endpoint nothing listens
// on), printing each step as a numbered line.
func TestDemo(t *testing.T) {
	t.Setenv(wrapper.EnvAPIKey, "EXOwrong")
	t.Setenv(wrapper.EnvAPISecret, "wrong")
	t.Setenv(wrapper.EnvEndpoint, "http://127.0.0.1:1/v1.alpha")
	r := runCLI(t, os.Getenv, "demo")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s\nstdout:\n%s", r.code, r.stderr, r.stdout)
	}
	const uuid = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
	steps := []string{
		`created ` + uuid + ` for crm-1001 \(Alpenblick Software AG, Zürich CH\): status active`,
		`created ` + uuid + ` for crm-1002 \(Rheinwerk Maschinenbau GmbH, Düsseldorf DE\): status active`,
		`listed 2 organizations:`,
		`suspended ` + uuid + `: status suspended`,
		`re-activated ` + uuid + `: status active`,
		`applied a metering transaction to ` + uuid + `: partner:license_product 3.1415, partner:commission -42.00005`,
		`read 1 usage statement\(s\) of ` + uuid + ` for the current month:`,
		`terminated ` + uuid + `: status terminated`,
		`purge scheduled for ` + uuid,
		`listed 2 organizations:`,
		`usage report, exact totals \(usage-report --period \d{4}-\d{2} --format table\):\n      Usage \d{4}-\d{2}: 2 organization\(s\), 2 row\(s\)\n`,
		`sync plan for a CRM export of 3 customers \(sync --file crm.csv\): 1 change\(s\), nothing sent but one listing:`,
	}
	for i, step := range steps {
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^%2d\. %s`, i+1, step))
		if !re.MatchString(r.stdout) {
			t.Errorf("no step %d matching %q in:\n%s", i+1, step, r.stdout)
		}
	}
	// The report is for a person at an 80-column terminal: every line of
	// it fits, grouped under its organization.
	_, report, _ := strings.Cut(r.stdout, "\n11.")
	report, _, _ = strings.Cut(report, "\n12. ")
	for line := range strings.Lines(report) {
		if n := utf8.RuneCountInString(strings.TrimSuffix(line, "\n")); n > 80 {
			t.Errorf("the report has a line of %d columns, want at most 80:\n%s", n, line)
		}
	}
	if !regexp.MustCompile(`(?m)^      crm-1001  Alpenblick Software AG  CH  active\n        organization ` + uuid + `\n` +
		`        VARIABLE +DESCRIPTION +QUANTITY +EXCL-VAT +INCL-VAT\n` +
		`        commission +partner commission +-42\.00005 +-7\.48 +-8\.09\n`).MatchString(report) {
		t.Errorf("the report is not grouped by organization:\n%s", report)
	}
	for _, want := range []string{
		`(?m)^\s+partner\s+commission\s+partner commission\s+-42\.00005\s`,
		`(?m)^\s+partner\s+license_product\s+partner license_product\s+3\.1415\s`,
		`(?m)^\s+` + uuid + `\s+terminated\s+crm-1002\s+Rheinwerk Maschinenbau GmbH\s+DE$`,
		`(?m)^\s+CHF\s+-6\.92\s+-7\.48$`, // the report's exact totals
		`(?m)^\s+crm-1001\s+` + uuid + `\s+active\s+active\s+nothing$`,
		`(?m)^\s+crm-1002\s+-\s+-\s+terminated\s+nothing$`,
		`(?m)^\s+crm-1003\s+-\s+-\s+active\s+create$`,
		`(?m)^\s+crm-1001\s+` + uuid + `\s+city\s+Zürich\s+Zurich$`,
		`demo: done\n$`,
	} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Errorf("stdout does not match %q:\n%s", want, r.stdout)
		}
	}
}

// TestDemoVerbose: -v logs the demo's attempts to stderr, without secrets.
func TestDemoVerbose(t *testing.T) {
	t.Parallel()
	r := runCLI(t, mapEnv(nil), "-v", "demo")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, op := range []string{"create-distributor-organization", "list-distributor-organizations", "suspend-distributor-organization",
		"activate-distributor-organization", "metering-transaction", "list-distributor-organization-usage",
		"terminate-distributor-organization", "schedule-purge-distributor-organization"} {
		if !strings.Contains(r.stderr, "operation="+op+" ") {
			t.Errorf("no attempt logged for %s", op)
		}
	}
	if strings.Contains(r.stderr, "signature") || strings.Contains(r.stderr, partnertest.DemoSecret) {
		t.Errorf("stderr holds a secret:\n%s", r.stderr)
	}
}
