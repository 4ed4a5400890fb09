package spec_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/internal/specgen"
)

// loadRevision revises our base document with edit and loads it as `make
// generate` does; it returns the generation error.
func loadRevision(t *testing.T, edit func(d doc)) error {
	t.Helper()
	d := readDoc(t, specPath)
	edit(d)
	_, err := specgen.Load(specgen.Sources{Dir: ".", Base: writeDoc(t, t.TempDir(), d)})
	return err
}

// wantError fails the test unless err says each of want.
func wantError(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("generation succeeded, want an error saying %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the error does not say %q:\n%v", w, err)
		}
	}
}

// TestRemovedOperationsFailGeneration: a revision that removes an operation
// or renames its operationId fails generation, naming every missing one.
func TestRemovedOperationsFailGeneration(t *testing.T) {
	t.Parallel()
	err := loadRevision(t, func(d doc) {
		delete(obj(t, d, "paths"), "/metering:apply")
		obj(t, d, "paths", "/distributor/organization/{id}:suspend", "put")["operationId"] = "suspend-organization"
	})
	wantError(t, err, "lacks 2 of the 9 operations", "metering-transaction, suspend-distributor-organization", "include-operation-ids")
}

// TestRenamedSchemaFailsGeneration: a schema the Go names overlay names
// (organization-output is Organization) is renamed: generation fails naming
// the overlay action, not far away in the wrapper's build.
func TestRenamedSchemaFailsGeneration(t *testing.T) {
	t.Parallel()
	err := loadRevision(t, func(d doc) {
		schemas := obj(t, d, "components", "schemas")
		schemas["organization"] = schemas["organization-output"]
		delete(schemas, "organization-output")
		retarget(d, "#/components/schemas/organization-output", "#/components/schemas/organization")
	})
	wantError(t, err, "overlay.yaml action 1 (x-go-name: Organization)",
		"target $.components.schemas['organization-output'] matches nothing", "renamed or removed")
}

// TestBrokenTighteningsFailGeneration: a revision that renames a field a
// tightening applies to, changes its type so the rule would check nothing,
// or renames a field a tightening makes required fails generation, naming
// each tightening.
func TestBrokenTighteningsFailGeneration(t *testing.T) {
	t.Parallel()
	err := loadRevision(t, func(d doc) {
		address := obj(t, schema(t, d, "billing-address"), "properties")
		address["country-code"] = address["country"]
		delete(address, "country")
		obj(t, schema(t, d, "usage-data"), "properties", "quantity")["type"] = "string"
		batch := obj(t, schema(t, d, "metering-batch"), "properties")
		batch["usages"] = batch["usage"]
		delete(batch, "usage")
	})
	wantError(t, err,
		"tightenings.yaml action 2 (billing-address.country is two upper-case letters): target $.components.schemas['billing-address'].properties.country matches nothing",
		"tightenings.yaml action 4 (A metering batch names its organization and carries usage)", `has no property "usage" now, which it makes required`,
		"tightenings.yaml action 5 (A metering batch carries at least one usage entry)", "matches nothing",
		"tightenings.yaml action 7 (A metering quantity has at most five decimal places, as the published description says)",
		"is of type string now; multipleOf applies to number or integer")
}

// TestRemovedFieldAndStatusFailTheBuild: a revision that removes a field and
// a status the wrapper uses generates (the document is valid), and the build
// fails naming both.
func TestRemovedFieldAndStatusFailTheBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module on the revision")
	}
	t.Parallel()
	dir := t.TempDir()
	d := readDoc(t, specPath)
	out := obj(t, schema(t, d, "organization-output"), "properties")
	delete(out, "client-id")
	status := obj(t, out, "status")
	status["enum"] = []any{"active", "created", "terminated"}
	msg, err := goCmd(t, overlay(t, dir, generate(t, writeDoc(t, dir, d), dir), nil), "vet", "./wrapper/")
	if err == nil {
		t.Fatalf("the wrapper builds without client-id and suspended:\n%s", msg)
	}
	if testing.Verbose() {
		t.Log(msg)
	}
	for _, want := range []string{"StatusSuspended", "ClientID"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the build failure does not name %s:\n%s", want, msg)
		}
	}
}

// TestFailedGenerationLeavesAPIAsItWas runs the generator as gen.go does, on
// a document that lacks an operation: it fails, says nothing was written,
// and the output directory keeps its files; a successful run replaces them
// all.
func TestFailedGenerationLeavesAPIAsItWas(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "api")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(out, "partner.gen.go")
	if err := os.WriteFile(stale, []byte("package api // stale\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := readDoc(t, specPath)
	delete(obj(t, d, "paths"), "/metering:apply")
	broken := writeDoc(t, dir, d)
	specDir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	run := func(base string) (string, error) {
		cmd := exec.Command(gobin, "run", "./internal/cmd/specgen", "generate", "-spec", specDir, "-base", base, "-o", out)
		cmd.Dir = ".."
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	msg, err := run(broken)
	if err == nil || !strings.Contains(msg, "generation failed, nothing was written") || !strings.Contains(msg, "metering-transaction") {
		t.Fatalf("specgen generate on a document without metering-transaction: %v\n%s", err, msg)
	}
	if got, _ := os.ReadFile(stale); string(got) != "package api // stale\n" {
		t.Fatalf("a failed generation changed %s:\n%s", stale, got)
	}
	if msg, err := run(filepath.Join(specDir, specPath)); err != nil {
		t.Fatalf("specgen generate: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(stale)
	if err != nil || !strings.Contains(string(got), "func (c *Client) MeteringTransaction(") {
		t.Fatalf("a successful generation did not replace %s: %v", stale, err)
	}
}

// retarget replaces every $ref from with to below v.
func retarget(v any, from, to string) {
	switch v := v.(type) {
	case doc:
		for k, x := range v {
			if k == "$ref" && x == from {
				v[k] = to
			} else {
				retarget(x, from, to)
			}
		}
	case []any:
		for _, x := range v {
			retarget(x, from, to)
		}
	}
}

// TestAddedOperationIsReportedNotGenerated: an operation a revision adds is
// not generated until spec/oapi-codegen.yaml lists it, and generation says
// so; the nine are generated as before.
func TestAddedOperationIsReportedNotGenerated(t *testing.T) {
	t.Parallel()
	d := readDoc(t, specPath)
	obj(t, d, "paths")["/metrics"] = doc{"get": doc{
		"operationId": "list-metrics", "tags": []any{"metrics"},
		"responses": doc{"200": doc{"description": "The metrics.", "content": doc{"application/json": doc{"schema": doc{"type": "object"}}}}},
	}}
	g, err := specgen.Load(specgen.Sources{Dir: ".", Base: writeDoc(t, t.TempDir(), d)})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Unlisted) != 1 || g.Unlisted[0] != "list-metrics" {
		t.Errorf("Unlisted = %q, want [list-metrics]", g.Unlisted)
	}
	_, code, err := g.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if s := string(code); strings.Contains(s, "ListMetrics") || !strings.Contains(s, "func (c *Client) MeteringTransaction(") {
		t.Error("the generated client has list-metrics, or lacks metering-transaction")
	}
}
