package inflight

import (
	"sync"
	"testing"
	"time"
)

// TestBarrierReleasesAtN: the first n wait for each other and pass
// together; a later one passes at once.
func TestBarrierReleasesAtN(t *testing.T) {
	const n = 4
	b := New(n, time.Hour) // never reached: the outcome waits for nothing else
	var wg sync.WaitGroup
	passed := make(chan bool, n)
	for range n {
		wg.Go(func() {
			passed <- b.Enter()
			b.Leave()
		})
	}
	wg.Wait()
	close(passed)
	for ok := range passed {
		if !ok {
			t.Error("a request of the first n did not pass")
		}
	}
	if !b.Enter() {
		t.Error("a later request was held")
	}
	b.Leave()
}

// TestBarrierSafetyNet: fewer than n in flight are held until the safety
// net, and Enter says so.
func TestBarrierSafetyNet(t *testing.T) {
	b := New(2, time.Millisecond)
	if b.Enter() {
		t.Error("one request of two passed the barrier")
	}
	b.Leave()
}

// TestBarrierReachedAgain: n in flight at once a second time, after the
// barrier opened, is no fault of the barrier's (it opens once).
func TestBarrierReachedAgain(t *testing.T) {
	b := New(2, time.Hour)
	for range 2 {
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if !b.Enter() {
					t.Error("held")
				}
			})
		}
		wg.Wait() // two in flight at once
		b.Leave()
		b.Leave()
	}
}
