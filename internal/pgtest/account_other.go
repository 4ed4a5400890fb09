//go:build !linux

package pgtest

import "os/exec"

type account struct{}

// unprivileged: the harness runs the server as the current user off Linux,
// and refuses root there (no portable way to drop privileges).
func unprivileged() (*account, error) { return nil, nil }

func (*account) own(string) error { return nil }
func (*account) apply(*exec.Cmd)  {}
func dieWithParent(*exec.Cmd)     {}
