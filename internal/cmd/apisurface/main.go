// Command apisurface prints the exported Go API of the package in a
// directory (package internal/apisurface): one line per exported constant,
// variable, type (with its fields and their tags) and function or method
// (its signature), sorted, without comments or bodies. `make check-published`
// compares its output for the package generated from our spec and from the
// published document.
//
//	go run ./internal/cmd/apisurface api
package main

import (
	"fmt"
	"os"

	"github.com/exopartner/exopartner/internal/apisurface"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: apisurface DIR")
		os.Exit(2)
	}
	lines, err := apisurface.Surface(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "apisurface:", err)
		os.Exit(1)
	}
	for _, l := range lines {
		fmt.Println(l)
	}
}
