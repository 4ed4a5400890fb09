//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package wrapper

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup makes cmd the leader of a new process group, and its
// cancellation kill the whole group: a shell's children too, which would
// otherwise keep its output open after the shell was killed.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { killProcessGroup(cmd); return nil }
}

// killProcessGroup kills every process of cmd's group that is left.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
