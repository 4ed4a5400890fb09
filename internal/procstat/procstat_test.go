package procstat_test

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/procstat"
)

// TestCPU: this process's processor time grows with work it does, and its
// parent is the one /proc says; a process that is gone has none.
func TestCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("procstat reads /proc: Linux only")
	}
	before := procstat.CPU(os.Getpid())
	for deadline := time.Now().Add(time.Minute); procstat.CPU(os.Getpid()) <= before && time.Now().Before(deadline); {
		for i := 0; i < 1e6; i++ {
			_ = i * i
		}
	}
	if after := procstat.CPU(os.Getpid()); after <= before {
		t.Errorf("CPU %v then %v after a busy loop", before, after)
	}
	if got := procstat.Field(procstat.Stat(os.Getpid()), 1); got != int64(os.Getppid()) {
		t.Errorf("parent %d, want %d", got, os.Getppid())
	}
	if got := procstat.CPU(1 << 30); got != 0 {
		t.Errorf("a process that does not exist: %v", got)
	}
}
