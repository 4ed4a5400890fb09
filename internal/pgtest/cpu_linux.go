package pgtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CPU is the processor time the server has used so far (user and system):
// the postmaster's, that of its children still running (backends, the
// WAL writer, the checkpointer…) and that of those it reaped, from /proc.
// With the client's own (fakeproc.ClientCPU), it tells a benchmark what
// a journal costs the database as well as the client. A backend reaped
// between the reads may be missed or counted twice: a few milliseconds.
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
	f := procStat(pid)
	if len(f) < 15 {
		return 0
	}
	ticks := field(f, 11) + field(f, 12) + field(f, 13) + field(f, 14) // utime stime cutime cstime
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		child, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if c := procStat(child); len(c) > 12 && field(c, 1) == int64(pid) {
			ticks += field(c, 11) + field(c, 12)
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// procStat is the fields of /proc/pid/stat after the command name (the
// state first), nil when pid is gone.
func procStat(pid int) []string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

func field(f []string, i int) int64 {
	n, _ := strconv.ParseInt(f[i], 10, 64)
	return n
}
