//go:build unix

package fakeproc

import (
	"syscall"
	"time"
)

// ClientCPU is the processor time this process has used so far.
func ClientCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
