package spec_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckGeneratedCatchesDrift runs `make check-generated` on copies of
// spec/, api/ and wrapper/types.gen.go (SPEC=, API= and WRAPPER=): it passes
// untouched and fails when api/ or the wrapper file is hand-edited, when a
// file is added to api/, and when the spec changes without regenerating,
// its descriptions included (the wrapper file's documentation).
func TestCheckGeneratedCatchesDrift(t *testing.T) {
	const wrapperFile = "wrapper/types.gen.go"
	root, files := trackedFiles(t, "spec", "api", wrapperFile)
	cases := []struct {
		name     string
		mutate   func(dir string) error
		wantFail bool
	}{
		{"untouched", func(string) error { return nil }, false},
		{"api hand-edited", func(dir string) error {
			return edit(filepath.Join(dir, "api", "partner.gen.go"), `"terminated"`, `"terminated-by-hand"`)
		}, true},
		{"file added to api", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "api", "extra.go"), []byte("package api\n"), 0o644)
		}, true},
		{"spec changed without regenerating", func(dir string) error {
			return edit(filepath.Join(dir, "spec", "partner-api.yaml"), "maxLength: 191", "maxLength: 190")
		}, true},
		{"wrapper file hand-edited", func(dir string) error {
			return edit(filepath.Join(dir, wrapperFile), `("city", required)`, `("city", optional)`)
		}, true},
		{"a description changed without regenerating", func(dir string) error {
			return edit(filepath.Join(dir, "spec", "partner-api.yaml"), "description: Postal code.", "description: ZIP code.")
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, f := range files {
				data, err := os.ReadFile(filepath.Join(root, f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := tc.mutate(dir); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("make", "--no-print-directory", "check-generated",
				"SPEC="+filepath.Join(dir, "spec"), "API="+filepath.Join(dir, "api"), "WRAPPER="+filepath.Join(dir, wrapperFile))
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.wantFail {
				t.Fatalf("make check-generated failed=%v, want %v:\n%s", failed, tc.wantFail, out)
			}
			if tc.wantFail && !strings.Contains(string(out), "does not match spec/") {
				t.Fatalf("failure does not say why:\n%s", out)
			}
			if !tc.wantFail && !strings.Contains(string(out), "api/ matches spec/") {
				t.Fatalf("no comparison happened:\n%s", out)
			}
		})
	}
}

// edit replaces the first old with new in the file at path.
func edit(path, old, new string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !strings.Contains(string(data), old) {
		return os.ErrNotExist
	}
	return os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
}

// trackedFiles returns the repository's root and the files git tracks
// there (only those below paths, when given). The test is skipped where make
// or git is missing, or outside a git checkout.
func trackedFiles(t *testing.T, paths ...string) (string, []string) {
	t.Helper()
	for _, tool := range []string{"make", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", append([]string{"-C", root, "ls-files", "-z", "--"}, paths...)...).Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	return root, strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
}
