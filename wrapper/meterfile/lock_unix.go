//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package meterfile

import (
	"errors"
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on f, released when f is closed or
// the process dies (kill -9 included).
func lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}
