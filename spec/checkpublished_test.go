package spec_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// checkPublished runs `make check-published` with the spec directory spec
// and the published document published, and returns its output; it fails
// the test unless the target fails.
func checkPublished(t *testing.T, spec, published string) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command("make", "--no-print-directory", "check-published", "SPEC="+spec, "PUBLISHED="+published)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("make check-published passed, want a failure:\n%s", out)
	}
	return string(out)
}

// wantLine fails the test unless out has a line matching the regular
// expression re.
func wantLine(t *testing.T, out, re string) {
	t.Helper()
	if !regexp.MustCompile(`(?m)` + re).MatchString(out) {
		t.Errorf("the output has no line matching %s:\n%s", re, out)
	}
}

// TestCheckPublishedCatchesALostTightening: a rule kept in our base
// document instead of spec/tightenings.yaml is lost when the published
// document is dropped in, and check-published says so with the contract's
// diff.
func TestCheckPublishedCatchesALostTightening(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds the module twice")
	}
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"oapi-codegen.yaml", "overlay.yaml"} {
		copyFile(t, f, filepath.Join(dir, f))
	}
	// The country rule moves from the overlay into the base document...
	tight := read(t, "tightenings.yaml")
	start := strings.Index(tight, "  - target: $.components.schemas['billing-address'].properties.country\n")
	end := strings.Index(tight[start+1:], "\n  - target:")
	if start < 0 || end < 0 {
		t.Fatal("tightenings.yaml has no country rule to move")
	}
	write(t, filepath.Join(dir, "tightenings.yaml"), tight[:start]+tight[start+1+end+1:])
	const country = "          description: ISO 3166-1 alpha-2 country code, upper case.\n"
	base := read(t, specPath)
	if !strings.Contains(base, country) {
		t.Fatal("partner-api.yaml: no country to tighten")
	}
	write(t, filepath.Join(dir, specPath), strings.Replace(base, country, country+"          pattern: \"^[A-Z]{2}$\"\n", 1))
	// ...and the published document, which lacks it, is dropped in.
	published, err := filepath.Abs(specPath)
	if err != nil {
		t.Fatal(err)
	}
	out := checkPublished(t, dir, published)
	wantLine(t, out, `^check-published: the published document's contract differs from ours`)
	wantLine(t, out, `^-\s+pattern: \^\[A-Z\]\{2\}\$$`)
}

// TestCheckPublishedCatchesATypeChange: a published document whose field
// changed type fails check-published, with the contract's diff and the
// exported API's.
func TestCheckPublishedCatchesATypeChange(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds the module twice")
	}
	t.Parallel()
	d := readDoc(t, specPath)
	obj(t, schema(t, d, "billing-address"), "properties", "building-number")["type"] = "integer"
	published := writeDoc(t, t.TempDir(), d)
	spec, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	out := checkPublished(t, spec, published)
	wantLine(t, out, `^check-published: the published document's contract differs from ours`)
	wantLine(t, out, `^-\s+type: string$`)
	wantLine(t, out, `^\+\s+type: integer$`)
	wantLine(t, out, `^check-published: the published document generates a different exported API`)
	wantLine(t, out, "^\\+type BillingAddress struct .*BuildingNumber int `")
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) { t.Helper(); write(t, to, read(t, from)) }
