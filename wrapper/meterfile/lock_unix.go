//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package meterfile

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// lockWait is how long lock waits for a lock held elsewhere before it
// reports ErrLocked.
//
// A lock that another run holds is held for that run's whole length, so
// waiting changes nothing for it. But flock belongs to the open file
// description, which a child forked by this very process (any exec, from
// any goroutine) shares until its exec closes it: for that moment a journal
// this process has just closed still looks locked. The wait outlasts it.
const lockWait = 2 * time.Second

// lock takes an exclusive advisory lock on f, released when f is closed or
// the process dies (kill -9 included).
func lock(f *os.File) error {
	deadline := time.Now().Add(lockWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			return ErrLocked
		}
		time.Sleep(10 * time.Millisecond)
	}
}
