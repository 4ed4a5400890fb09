package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	flag "github.com/spf13/pflag"
)

// TestSynopsisNamesEveryFlag: a command's synopsis in the table names
// exactly the flags the command defines (and --client-id for one on an
// organization): a flag added without its synopsis, or a synopsis naming a
// flag that went away, fails here.
func TestSynopsisNamesEveryFlag(t *testing.T) {
	t.Parallel()
	root := newRoot(&env{})
	named := regexp.MustCompile(`--[a-z][a-z-]*`)
	for _, c := range commands {
		cmd, _, err := root.Find([]string{c.name})
		if err != nil || cmd.Name() != c.name {
			t.Fatalf("%s: %v", c.name, err)
		}
		var defined []string
		cmd.LocalFlags().VisitAll(func(f *flag.Flag) {
			if !f.Hidden && f.Name != "help" {
				defined = append(defined, "--"+f.Name)
			}
		})
		slices.Sort(defined)
		said := named.FindAllString(strings.Join(c.synopsis, " "), -1)
		slices.Sort(said)
		if said = slices.Compact(said); !slices.Equal(said, defined) {
			t.Errorf("%s: the synopsis names %q, the command's flags are %q", c.name, said, defined)
		}
	}
}

// TestSynopsisWraps: a long synopsis is broken within the width between
// its parts, never inside brackets nor between a flag and its argument.
func TestSynopsisWraps(t *testing.T) {
	t.Parallel()
	got := synopsisParts("ID|--client-id X [--period YYYY-MM] --usage P:V:Q [--apply [--concurrency N]] --bom --wide")
	want := []string{"ID|--client-id X", "[--period YYYY-MM]", "--usage P:V:Q", "[--apply [--concurrency N]]", "--bom", "--wide"}
	if !slices.Equal(got, want) {
		t.Errorf("parts %q, want %q", got, want)
	}
	for _, c := range commands {
		for _, s := range c.synopsis {
			lines := wrapSynopsis("usage: exopartner [global flags] ", c.name+" "+s, "      ")
			if rejoined := strings.Join(strings.Fields(strings.Join(lines, " ")), " "); rejoined != "usage: exopartner [global flags] "+c.name+" "+s {
				t.Errorf("%s: wrapped as %q", c.name, lines)
			}
			for _, l := range lines {
				if len([]rune(l)) > usageWidth {
					t.Errorf("%s: line wider than %d: %q", c.name, usageWidth, l)
				}
			}
		}
	}
}

// TestReadmeShowsTheUsage: README's "The command line" shows the usage
// exactly as `exopartner help` prints it.
func TestReadmeShowsTheUsage(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## The command line\n")
	const start = "\n```\n$ exopartner help\n"
	_, block, found := strings.Cut(section, start)
	block, _, closed := strings.Cut(block, "\n```\n")
	if !ok || !found || !closed {
		t.Fatalf("README.md's \"The command line\" has no block starting %q", start)
	}
	if want := strings.TrimSuffix(usageText(), "\n"); block != want {
		readme, help := strings.Split(block, "\n"), strings.Split(want, "\n")
		i := 0
		for i < min(len(readme), len(help)) && readme[i] == help[i] {
			i++
		}
		t.Errorf("README.md's usage differs from `exopartner help` from its line %d (put the help there as it is):\n%s", i+1, want)
	}
}
