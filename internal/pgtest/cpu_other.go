//go:build !linux

package pgtest

import "time"

// CPU is not measured off Linux: 0.
func (s *Server) CPU() time.Duration { return 0 }
