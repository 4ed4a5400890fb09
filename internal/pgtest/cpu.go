package pgtest

import (
	"path/filepath"
	"strconv"
	"time"

	"github.com/exopartner/exopartner/internal/procstat"
)

// CPU is the processor time the server has used so far (user and system):
// the postmaster's, that of its children still running (backends, the
// WAL writer, the checkpointer…) and that of those it reaped, from /proc
// (0 off Linux). With the client's own (fakeproc.ClientCPU), it tells a
// benchmark what a journal costs the database as well as the client. A
// backend reaped between the reads may be missed or counted twice: a few
// milliseconds.
func (s *Server) CPU() time.Duration {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	proc := s.proc
	s.mu.Unlock()
	if proc == nil {
		return 0
	}
	pid := proc.Process.Pid
	f := procstat.Stat(pid)
	ticks := procstat.Field(f, 11) + procstat.Field(f, 12) + procstat.Field(f, 13) + procstat.Field(f, 14) // utime stime cutime cstime
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		child, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if c := procstat.Stat(child); procstat.Field(c, 1) == int64(pid) {
			ticks += procstat.Field(c, 11) + procstat.Field(c, 12)
		}
	}
	return procstat.Time(ticks)
}
