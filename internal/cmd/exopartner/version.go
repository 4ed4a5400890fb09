package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/wrapper"
)

// version is set at link time, e.g.
// go build -ldflags "-X main.version=v1.2.3" ./internal/cmd/exopartner;
// otherwise the module version the binary was built at is printed.
var version string

// buildVersion is what the version command prints.
type buildVersion struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"` // the VCS revision, when the build recorded it
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// currentVersion reads the version from the link-time variable and the
// build information.
func currentVersion() buildVersion {
	v := buildVersion{Version: version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	return v
}

// versionCommand prints "exopartner VERSION [(commit C[, modified])] GO OS/ARCH",
// or the same as one JSON object with -O json.
func versionCommand(*flag.FlagSet) action {
	return func(_ context.Context, e *env, _ wrapper.ID) error {
		v := currentVersion()
		if e.output == "json" {
			return writeJSON(e.stdout, v)
		}
		_, err := fmt.Fprintln(e.stdout, v)
		return err
	}
}

// String is the line the version command and --version print.
func (v buildVersion) String() string {
	commit := ""
	if v.Commit != "" {
		commit = " (commit " + v.Commit
		if v.Modified {
			commit += ", modified"
		}
		commit += ")"
	}
	return fmt.Sprintf("exopartner %s%s %s %s", v.Version, commit, v.Go, v.Platform)
}
