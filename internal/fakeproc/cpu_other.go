//go:build !unix

package fakeproc

import "time"

// ClientCPU is not measured here.
func ClientCPU() time.Duration { return 0 }
