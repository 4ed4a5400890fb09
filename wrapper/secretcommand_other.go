//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package wrapper

import "os/exec"

// ownProcessGroup does nothing where process groups are not available: the
// command alone is killed at the bound, and WaitDelay closes its output.
func ownProcessGroup(*exec.Cmd) {}

// killProcessGroup kills the command, if it is still running.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
