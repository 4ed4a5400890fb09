// Command specgen generates package api from spec/ and prints the wire
// contract it embeds (package internal/specgen does the work).
//
//	specgen generate [-spec DIR] [-base FILE] [-o DIR] [-wrapper FILE]
//	specgen contract [-spec DIR] [-base FILE]
//	specgen compare [-spec DIR] -base FILE -o DIR
//
// generate applies spec/tightenings.yaml, then spec/overlay.yaml, to the base
// document (spec/partner-api.yaml, or -base), generates the operations
// spec/oapi-codegen.yaml lists, and replaces the output directory (api/, or
// -o) with the result once it is complete, and the file of package wrapper
// that re-exports the generated types with their fields documented
// (wrapper/types.gen.go, or -wrapper). On any failure both are left as they
// were. gen.go runs it (`go generate`).
//
// contract prints the effective contract of the same document: every
// request and response schema after the overlays, without prose.
//
// compare does what `make check-published` then diffs: it generates the
// package of our base document into DIR/ours and that of -base (the
// published document) into DIR/published, and writes the contract and the
// exported Go API (internal/apisurface) of each beside it:
// DIR/ours.contract, DIR/published.contract, DIR/ours.api and
// DIR/published.api, and the wrapper file of the published document as
// DIR/published.wrapper.go.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/exopartner/exopartner/internal/apisurface"
	"github.com/exopartner/exopartner/internal/specgen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "generate" && args[0] != "contract" && args[0] != "compare") {
		fmt.Fprintln(stderr, "usage: specgen generate [-spec DIR] [-base FILE] [-o DIR] [-wrapper FILE]\n"+
			"       specgen contract [-spec DIR] [-base FILE]\n       specgen compare [-spec DIR] -base FILE -o DIR")
		return 2
	}
	fs := flag.NewFlagSet("specgen "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var src specgen.Sources
	fs.StringVar(&src.Dir, "spec", "spec", "the spec `directory`: overlays and generator configuration")
	fs.StringVar(&src.Base, "base", "", "the base document `file` (default: DIR/"+specgen.BaseFile+")")
	out, wrapperFile := "", ""
	if args[0] != "contract" {
		fs.StringVar(&out, "o", "", "the output `directory` (default: that of the configuration's output)")
	}
	if args[0] == "generate" {
		fs.StringVar(&wrapperFile, "wrapper", specgen.WrapperFile, "the `file` of package wrapper re-exporting the generated types")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "specgen: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if args[0] == "compare" {
		if src.Base == "" || out == "" {
			fmt.Fprintln(stderr, "specgen compare: -base and -o are required")
			return 2
		}
		if err := compare(src, out); err != nil {
			return fail(stderr, args[0], err)
		}
		return 0
	}
	doc, err := specgen.Load(src)
	if err != nil {
		return fail(stderr, args[0], err)
	}
	if args[0] == "contract" {
		t, err := doc.OpenAPI()
		if err != nil {
			return fail(stderr, args[0], err)
		}
		fmt.Fprint(stdout, specgen.Contract(t))
		return 0
	}
	if out == "" {
		out = filepath.Dir(doc.Config.Output)
	}
	name, code, err := doc.Generate()
	var wrapper []byte
	if err == nil {
		wrapper, err = doc.Wrapper(code)
	}
	if err != nil {
		return fail(stderr, args[0], err)
	}
	commit, discard, err := specgen.StageFile(wrapperFile, wrapper)
	if err != nil {
		return fail(stderr, args[0], err)
	}
	if err := specgen.ReplaceDir(out, map[string][]byte{name: code}); err != nil {
		discard()
		return fail(stderr, args[0], err)
	}
	if err := commit(); err != nil {
		fmt.Fprintf(stderr, "specgen: %s was generated, but %s could not be written: %v\n", out, wrapperFile, err)
		return 1
	}
	if len(doc.Unlisted) > 0 {
		fmt.Fprintf(stderr, "specgen: note: not generated, as %s does not list them in include-operation-ids: %s\n",
			filepath.Join(src.Dir, specgen.ConfigFile), strings.Join(doc.Unlisted, ", "))
	}
	return 0
}

// compare generates ours and src into out/ours and out/published, with
// their contracts and exported APIs beside them.
func compare(src specgen.Sources, out string) error {
	for name, s := range map[string]specgen.Sources{"ours": {Dir: src.Dir}, "published": src} {
		doc, err := specgen.Load(s)
		if err != nil {
			return err
		}
		t, err := doc.OpenAPI()
		if err != nil {
			return err
		}
		contract := specgen.Contract(t)
		file, code, err := doc.Generate()
		if err != nil {
			return err
		}
		dir := filepath.Join(out, name)
		if err := specgen.ReplaceDir(dir, map[string][]byte{file: code}); err != nil {
			return err
		}
		if name == "published" {
			wrapper, err := doc.Wrapper(code)
			if err != nil {
				return err
			}
			if err := os.WriteFile(dir+".wrapper.go", wrapper, 0o644); err != nil {
				return err
			}
		}
		lines, err := apisurface.Surface(dir)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dir+".contract", []byte(contract), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(dir+".api", []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func fail(stderr io.Writer, cmd string, err error) int {
	msg := strings.ReplaceAll(err.Error(), "\n", "\n  ")
	if cmd != "contract" {
		fmt.Fprintf(stderr, "specgen: generation failed, nothing was written:\n  %s\n", msg)
	} else {
		fmt.Fprintf(stderr, "specgen: %s\n", msg)
	}
	return 1
}
