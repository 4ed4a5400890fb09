//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package meterfile

import "os"

// lock does nothing where flock is not available: do not run two
// processes on one journal there.
func lock(*os.File) error { return nil }
