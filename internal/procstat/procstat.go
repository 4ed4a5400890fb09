// Package procstat reads the processor time of a process from /proc
// (Linux): what the benchmarks report for the processes they start (the
// fake API, the PostgreSQL server). Elsewhere every figure is 0.
package procstat

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Stat is the fields of /proc/PID/stat after the command name (the state
// first, so the parent's pid is field 1 and utime field 11), nil when the
// process is gone or there is no /proc.
func Stat(pid int) []string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil
	}
	s := string(b) // the command name, in parentheses, may hold spaces
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

// Field is field i of a [Stat] as a number, 0 when it has none.
func Field(f []string, i int) int64 {
	if i >= len(f) {
		return 0
	}
	n, _ := strconv.ParseInt(f[i], 10, 64)
	return n
}

// Time is n clock ticks (USER_HZ, 100 a second) as a duration.
func Time(n int64) time.Duration { return time.Duration(n) * time.Second / 100 }

// CPU is the processor time (user and system) process pid has used so
// far; 0 when it is gone.
func CPU(pid int) time.Duration {
	f := Stat(pid)
	return Time(Field(f, 11) + Field(f, 12))
}
