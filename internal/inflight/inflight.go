// Package inflight proves, in tests, that a client sends n requests at a
// time without depending on timing: a [Barrier] holds the first n requests
// until n are in flight at once, and lets the later ones pass. A client
// that never has n in flight leaves them held until a safety net a healthy
// run never reaches, and the test fails.
package inflight

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// Barrier counts the requests in flight. The zero value is not usable: use
// [New].
type Barrier struct {
	n         int
	safetyNet time.Duration
	all       chan struct{} // closed once n were in flight at once

	mu                sync.Mutex
	inFlight, arrived int
}

// New returns a barrier for n requests in flight, whose waits end after
// safetyNet at the latest.
func New(n int, safetyNet time.Duration) *Barrier {
	return &Barrier{n: n, safetyNet: safetyNet, all: make(chan struct{})}
}

// Enter counts a request in flight. The first n wait until n are in flight
// at once; Enter reports false when the safety net ended the wait first.
// Each Enter is followed by a [Barrier.Leave] when the request is done.
func (b *Barrier) Enter() bool {
	b.mu.Lock()
	b.inFlight++
	b.arrived++
	if b.inFlight == b.n && b.arrived <= b.n { // the first time: it opens once
		close(b.all)
	}
	first := b.arrived <= b.n
	b.mu.Unlock()
	if !first {
		return true
	}
	select {
	case <-b.all:
		return true
	case <-time.After(b.safetyNet):
		return false
	}
}

// Leave counts a request done.
func (b *Barrier) Leave() {
	b.mu.Lock()
	b.inFlight--
	b.mu.Unlock()
}

// Handler serves h, the requests that match held by the barrier until
// they are served; a held one whose wait the safety net ended fails tb.
func (b *Barrier) Handler(tb testing.TB, match func(*http.Request) bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if match(r) {
			if !b.Enter() {
				tb.Errorf("never %d requests in flight at once", b.n)
			}
			defer b.Leave()
		}
		h.ServeHTTP(w, r)
	})
}
