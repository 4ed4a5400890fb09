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

// TestCheckPublishedCatchesALostTightening: a rule written into our base
// document instead of spec/tightenings.yaml is lost when the published
// document is dropped in, and check-published says so with the contract's
// diff. (The published side is our own base, so that the module it builds
// and vets on is api/ itself, from the build cache.)
func TestCheckPublishedCatchesALostTightening(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds the module")
	}
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"oapi-codegen.yaml", "overlay.yaml", "tightenings.yaml"} {
		copyFile(t, f, filepath.Join(dir, f))
	}
	const city = "          maxLength: 255\n          description: City.\n"
	base := read(t, specPath)
	if !strings.Contains(base, city) {
		t.Fatal("partner-api.yaml: no city to tighten")
	}
	write(t, filepath.Join(dir, specPath), strings.Replace(base, city, city+"          pattern: \"^\\\\S(.*\\\\S)?$\"\n", 1))
	published, err := filepath.Abs(specPath)
	if err != nil {
		t.Fatal(err)
	}
	out := checkPublished(t, dir, published)
	wantLine(t, out, `^check-published: the published document's contract differs from ours`)
	wantLine(t, out, `^-\s+pattern: \^\\S\(\.\*\\S\)\?\$$`)
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
