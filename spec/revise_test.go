package spec_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/exopartner/exopartner/internal/apisurface"
	"github.com/exopartner/exopartner/internal/specgen"
)

// A revision of the base document, tried as a user would take it: generate
// the package and the wrapper's file (in-process, internal/specgen, as `make
// generate` does), then build and run the module on them, and vet it when
// the exported API changed. The module is never copied: the go command
// reads the generated files in place of api/partner.gen.go and
// wrapper/types.gen.go through -overlay, so every package that does not depend on the change comes from
// the build cache, and a revision generated again (the same bytes) costs
// little more than the runs.

// doc is an OpenAPI document decoded as JSON values, to be revised.
type doc = map[string]any

// readDoc decodes the document at path (YAML or JSON).
func readDoc(t *testing.T, path string) doc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := yaml.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// obj returns the object at the path of keys below d, failing the test when
// there is none.
func obj(t *testing.T, d doc, keys ...string) doc {
	t.Helper()
	cur := d
	for i, k := range keys {
		next, ok := cur[k].(doc)
		if !ok {
			t.Fatalf("the document has no object at %s", strings.Join(keys[:i+1], "."))
		}
		cur = next
	}
	return cur
}

// schema returns the component schema name.
func schema(t *testing.T, d doc, name string) doc {
	t.Helper()
	return obj(t, d, "components", "schemas", name)
}

// eachOperation calls f with every operation of d.
func eachOperation(d doc, f func(op doc)) {
	paths, _ := d["paths"].(doc)
	for _, item := range paths {
		for method, op := range item.(doc) {
			if op, ok := op.(doc); ok && method != "parameters" {
				f(op)
			}
		}
	}
}

// writeDoc writes d as JSON into dir and returns its path.
func writeDoc(t *testing.T, dir string, d doc) string {
	t.Helper()
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "partner-api.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// generation is what `make generate` writes for a revision, in a
// temporary directory: the package api and the file of package wrapper.
type generation struct {
	api     string // the directory of the package
	wrapper string // the file in place of wrapper/types.gen.go
	doc     *specgen.Document
}

// generate generates the base document at base as `make generate` does:
// the package into dir/api, and the wrapper's file (specgen.WrapperFile)
// into dir/wrapper.
func generate(t *testing.T, base, dir string) generation {
	t.Helper()
	d, err := specgen.Load(specgen.Sources{Dir: ".", Base: base})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	name, code, err := d.Generate()
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	wrapper, err := d.Wrapper(code)
	if err != nil {
		t.Fatalf("generate %s: %v", specgen.WrapperFile, err)
	}
	g := generation{api: filepath.Join(dir, "api"), wrapper: filepath.Join(dir, "wrapper", filepath.Base(specgen.WrapperFile)), doc: d}
	if err := specgen.ReplaceDir(g.api, map[string][]byte{name: code}); err != nil {
		t.Fatal(err)
	}
	if err := specgen.ReplaceDir(filepath.Dir(g.wrapper), map[string][]byte{filepath.Base(g.wrapper): wrapper}); err != nil {
		t.Fatal(err)
	}
	return g
}

// surfaceChange returns the exported declarations of the package in dir that
// the package in was lacks (gained), and those of was it lacks (lost).
func surfaceChange(t *testing.T, was, dir string) (gained, lost []string) {
	t.Helper()
	ours, err := apisurface.Surface(was)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := apisurface.Surface(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range theirs {
		if !slices.Contains(ours, l) {
			gained = append(gained, l)
		}
	}
	for _, l := range ours {
		if !slices.Contains(theirs, l) {
			lost = append(lost, l)
		}
	}
	return gained, lost
}

// wrapperChange is surfaceChange of the wrapper file of g against the
// committed one (copied alone into a directory).
func wrapperChange(t *testing.T, g generation) (gained, lost []string) {
	t.Helper()
	was := t.TempDir()
	write(t, filepath.Join(was, filepath.Base(specgen.WrapperFile)), read(t, filepath.Join("..", specgen.WrapperFile)))
	return surfaceChange(t, was, filepath.Dir(g.wrapper))
}

// contract prints the effective contract of a document.
func contract(t *testing.T, d *specgen.Document) string {
	t.Helper()
	o, err := d.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	return specgen.Contract(o)
}

// overlay writes a go command overlay into dir that puts what g generated
// in place of package api and of wrapper/types.gen.go, and each testdata
// file of files at its module path, and returns its path.
func overlay(t *testing.T, dir string, g generation, files map[string]string) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	replace := map[string]string{filepath.Join(root, filepath.FromSlash(specgen.WrapperFile)): g.wrapper}
	entries, err := os.ReadDir(g.api)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		replace[filepath.Join(root, "api", e.Name())] = filepath.Join(g.api, e.Name())
	}
	for at, from := range files {
		abs, err := filepath.Abs(from)
		if err != nil {
			t.Fatal(err)
		}
		replace[filepath.Join(root, filepath.FromSlash(at))] = abs
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// goCmd runs the go command in the module root with the overlay and
// returns its output and error.
func goCmd(t *testing.T, ov string, args ...string) (string, error) {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	args = slices.Insert(args, 1, "-overlay", ov)
	cmd := exec.Command(gobin, args...)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustGo is goCmd that fails the test when the command fails.
func mustGo(t *testing.T, ov string, args ...string) string {
	t.Helper()
	out, err := goCmd(t, ov, args...)
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// revision is one kind of change to the base document.
type revision struct {
	name string
	// edit revises a document: ours, and the published one where it exists.
	edit func(t *testing.T, d doc)
	// surface checks the change of the exported API; nil wants none.
	surface func(t *testing.T, gained, lost []string)
	// wrapper are the declarations wrapper/types.gen.go gains, as `make
	// generate` writes it (the types are aliases: the constants of an
	// enum's new values); nil wants none.
	wrapper []string
	// tests are the tests to run on the revision, by package, besides the
	// demo.
	tests map[string][]string
	// files are testdata files put in place for the tests: module path to file.
	files map[string]string
	// same wants api/ and wrapper/types.gen.go themselves generated, byte
	// for byte: the revision changes nothing the client uses, so nothing
	// needs building again.
	same bool
}

// try generates the revision of our base document, checks the change of
// the exported API, builds (and vets) the module and runs the demo and the
// revision's tests on it; where the published document exists, it checks that the same
// revision of it has the same contract and exported API.
func (r revision) try(t *testing.T) { r.tryOn(t, specPath) }

// tryOn is try on the base document at base. Any other base than ours is
// compared with our base document, revised alike.
func (r revision) tryOn(t *testing.T, base string) {
	if _, err := os.Stat(base); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent", base)
	}
	dir := t.TempDir()
	d := readDoc(t, base)
	r.edit(t, d)
	g := generate(t, writeDoc(t, dir, d), dir)

	if r.same {
		if got, want := read(t, filepath.Join(g.api, "partner.gen.go")), read(t, "../api/partner.gen.go"); got != want {
			t.Errorf("the revision changes the generated package:\n%s", lineDiff(want, got))
		}
		if got, want := read(t, g.wrapper), read(t, filepath.Join("..", specgen.WrapperFile)); got != want {
			t.Errorf("the revision changes %s:\n%s", specgen.WrapperFile, lineDiff(want, got))
		}
	}
	gained, lost := surfaceChange(t, "../api", g.api)
	if r.surface != nil {
		r.surface(t, gained, lost)
	} else if len(gained)+len(lost) > 0 {
		t.Errorf("the exported API changed:\n+ %s\n- %s", strings.Join(gained, "\n+ "), strings.Join(lost, "\n- "))
	}
	wgained, wlost := wrapperChange(t, g)
	if !slices.Equal(wgained, r.wrapper) || len(wlost) > 0 {
		t.Errorf("%s changed by +%q -%q, want +%q", specgen.WrapperFile, wgained, wlost, r.wrapper)
	}

	other := referencePath
	if base != specPath {
		other = specPath
	}
	if o := revised(t, other, r.edit); o != nil {
		if ours, theirs := contract(t, g.doc), contract(t, o.doc); ours != theirs {
			t.Errorf("%s and %s, revised alike, have different contracts (- %[1]s, + %[2]s):\n%s", base, other, lineDiff(ours, theirs))
		}
		if gg, l := surfaceChange(t, "../api", o.api); !slices.Equal(gg, gained) || !slices.Equal(l, lost) {
			t.Errorf("%s, revised alike, changes the exported API otherwise: +%q -%q, here +%q -%q", other, gg, l, gained, lost)
		}
		if gg, l := wrapperChange(t, *o); !slices.Equal(gg, wgained) || !slices.Equal(l, wlost) {
			t.Errorf("%s, revised alike, changes %s otherwise: +%q -%q, here +%q -%q", other, specgen.WrapperFile, gg, l, wgained, wlost)
		}
	}

	if r.same {
		// api/ and wrapper/types.gen.go themselves: they build, vet and
		// pass as the rest of the suite and `make test` show.
		return
	}

	// The overlay puts the generated package and wrapper file in place, as
	// `make generate` would. go run compiles every package that depends on
	// api (the CLI imports them all), links the CLI and runs the demo on the
	// revision. When the exported API changed, go vet type-checks every package of the module,
	// tests included, on it. When it did not (checked above, line by line,
	// constants and struct tags included), code built on api type-checks
	// exactly as on api/ itself, which `make lint` vets: vetting again would
	// recompile every dependent's tests for nothing. `go build ./...` would
	// add only the relinking of every command, uncached, on each call.
	ov := overlay(t, dir, g, r.files)
	if len(gained)+len(lost)+len(wgained)+len(wlost) > 0 || len(r.files) > 0 {
		mustGo(t, ov, "vet", "./...")
	}
	const cli = "./internal/cmd/exopartner"
	if _, ok := r.tests[cli]; !ok {
		if out := mustGo(t, ov, "run", cli, "demo"); !strings.Contains(out, "sync plan") {
			t.Errorf("the demo did not run to its end:\n%s", out)
		}
	}
	for _, pkg := range slices.Sorted(maps.Keys(r.tests)) {
		tests := r.tests[pkg]
		if pkg == cli {
			tests = append(tests, "TestDemo") // the demo, without linking the CLI again
		}
		run := "^(" + strings.Join(tests, "|") + ")$"
		out := mustGo(t, ov, "test", "-run", run, pkg)
		if strings.Contains(out, "no tests to run") || !strings.Contains(out, "ok  \t") {
			t.Errorf("go test -run %s %s ran nothing:\n%s", run, pkg, out)
		}
	}
}

// revised applies edit to the base document at path and generates it; nil
// where the document is absent.
func revised(t *testing.T, path string, edit func(*testing.T, doc)) *generation {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		t.Logf("%s is absent: the revision is not tried on it", path)
		return nil
	}
	dir := t.TempDir()
	d := readDoc(t, path)
	edit(t, d)
	g := generate(t, writeDoc(t, dir, d), dir)
	return &g
}

// lineDiff renders the difference between a and b, line by line, as
// "- " (only in a) and "+ " (only in b) lines, in order (longest common
// subsequence).
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j] is the length of the longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, "+ "+y[j])
			j++
		default:
			out = append(out, "- "+x[i])
			i++
		}
	}
	return strings.Join(out, "\n")
}

// wantGained returns a surface check that wants exactly the lines gained
// and none lost.
func wantGained(lines ...string) func(*testing.T, []string, []string) {
	return func(t *testing.T, gained, lost []string) {
		t.Helper()
		if !slices.Equal(gained, lines) || len(lost) > 0 {
			t.Errorf("the exported API changed by +%q -%q, want +%q", gained, lost, lines)
		}
	}
}
