package spec_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// revisionEnv marks a run inside the copy, so that the copy's own suite does
// not start this test again.
const revisionEnv = "EXOPARTNER_REVISION_COPY"

// TestAdditiveRevisionFlowsThrough applies an additive revision of the API
// (a new optional response field created-at, a new optional request field
// vat-number, which the API also returns, and a new status on-hold) to a
// copy of the repository's spec, and to a copy of the published document
// beside it, runs `make generate`, and then, with no other edit:
//   - the copy builds and vets, and its wrapper, partnertest and CLI suites
//     pass, with the spec comparison against the revised published document;
//   - a program sets vat-number and reads created-at through package wrapper
//     against partnertest (testdata/revision/main.go.txt);
//   - a test seeds an organization carrying the new fields, reads it back
//     through the client and sees both in --output json
//     (testdata/revision/revision_test.go.txt);
//   - `make check-published` finds the same exported API in both.
//
// The parts that need the published document skip where it is absent.
func TestAdditiveRevisionFlowsThrough(t *testing.T) {
	if testing.Short() {
		t.Skip("copies the repository, regenerates and runs its suite")
	}
	if os.Getenv(revisionEnv) != "" {
		t.Skip("already inside a revised copy")
	}
	root, files := trackedFiles(t)
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "exopartner")
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		} else if err != nil {
			t.Fatal(err)
		}
		copyTo(t, filepath.Join(repo, f), data)
	}

	// The revision, in our spec...
	spec := filepath.Join(repo, "spec", "partner-api.yaml")
	revised := reviseYAML(t, read(t, spec))
	if err := os.WriteFile(spec, []byte(revised), 0o644); err != nil {
		t.Fatal(err)
	}
	// ...and in the published document, laid out as ../shared/reference
	// is beside the repository.
	published := filepath.Join(root, "..", "shared", "reference", "partner-api.json")
	havePublished := true
	if data, err := os.ReadFile(published); errors.Is(err, fs.ErrNotExist) {
		havePublished = false
		t.Logf("%s is absent: the revised published document is not checked", published)
	} else if err != nil {
		t.Fatal(err)
	} else {
		copyTo(t, filepath.Join(tmp, "shared", "reference", "partner-api.json"), reviseJSON(t, data))
	}

	// The program and the test that use the new fields.
	copyTo(t, filepath.Join(repo, "internal", "revisioncheck", "main.go"), []byte(read(t, "testdata/revision/main.go.txt")))
	copyTo(t, filepath.Join(repo, "internal", "cmd", "exopartner", "revision_test.go"), []byte(read(t, "testdata/revision/revision_test.go.txt")))

	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), revisionEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("make", "--no-print-directory", "generate")
	gen := read(t, filepath.Join(repo, "api", "partner.gen.go"))
	for _, want := range []string{"CreatedAt time.Time", "VATNumber string", `StatusOnHold Status = "on-hold"`} {
		if !strings.Contains(strings.Join(strings.Fields(gen), " "), want) {
			t.Fatalf("the regenerated api/ lacks %q", want)
		}
	}
	run("go", "build", "./...")
	run("go", "vet", "./...")

	out := run("go", "run", "./internal/revisioncheck")
	for _, want := range []string{"created active vat-number=CHE-123.456.789", "seeded on-hold vat-number=DE123456789 created-at=2026-03-31T12:30:00Z"} {
		if !strings.Contains(out, want) {
			t.Errorf("the program printed %q, want a line %q", out, want)
		}
	}

	out = run("go", "test", "-short", "-count=1", "./wrapper/...", "./internal/...")
	if !strings.Contains(out, "ok  \tgithub.com/exopartner/exopartner/internal/cmd/exopartner") {
		t.Errorf("the CLI suite did not run:\n%s", out)
	}
	if havePublished {
		out = run("go", "test", "-count=1", "-v", "-run", "TestWireContractMatchesPublished|TestSpecIsValid", "./spec/")
		if !strings.Contains(out, "--- PASS: TestWireContractMatchesPublished") {
			t.Errorf("the revised spec was not compared with the revised published document:\n%s", out)
		}
		run("git", "init", "-q") // check-published copies the tracked files
		run("git", "add", "-A")
		out = run("make", "--no-print-directory", "check-published")
		if !strings.Contains(out, "equals ours") {
			t.Errorf("check-published:\n%s", out)
		}
	}
}

// reviseYAML adds created-at and vat-number to organization-output,
// vat-number to organization-input, and on-hold to the statuses.
func reviseYAML(t *testing.T, doc string) string {
	t.Helper()
	const enum = "enum: [active, created, suspended, terminated]"
	if !strings.Contains(doc, enum) {
		t.Fatalf("spec: no %q to extend", enum)
	}
	doc = strings.Replace(doc, enum, "enum: [active, created, suspended, terminated, on-hold]", 1)
	const vat = `
        vat-number:
          type: string
          maxLength: 32
          description: VAT identification number.`
	doc = insertProperties(t, doc, "organization-input", vat)
	doc = insertProperties(t, doc, "organization-output", vat+`
        created-at:
          type: string
          format: date-time
          readOnly: true
          description: When the organization was created.`)
	return doc
}

// insertProperties inserts YAML property entries at the top of a component
// schema's properties.
func insertProperties(t *testing.T, doc, schema, props string) string {
	t.Helper()
	i := strings.Index(doc, "\n    "+schema+":\n")
	if i < 0 {
		t.Fatalf("spec: no component %s", schema)
	}
	j := strings.Index(doc[i:], "\n      properties:")
	if j < 0 {
		t.Fatalf("spec: component %s has no properties", schema)
	}
	at := i + j + len("\n      properties:")
	return doc[:at] + props + doc[at:]
}

// reviseJSON applies the same revision to the published JSON document.
func reviseJSON(t *testing.T, data []byte) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	props := func(name string) map[string]any {
		return schemas[name].(map[string]any)["properties"].(map[string]any)
	}
	vat := map[string]any{"type": "string", "maxLength": 32, "description": "VAT number"}
	props("organization-input")["vat-number"] = vat
	props("organization-output")["vat-number"] = vat
	props("organization-output")["created-at"] = map[string]any{"type": "string", "format": "date-time", "readOnly": true, "description": "Creation date"}
	status := props("organization-output")["status"].(map[string]any)
	status["enum"] = append(status["enum"].([]any), "on-hold")
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func copyTo(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
