package partnertest

import (
	"testing"
	"time"
)

// A field a revision adds may be a list: snapshots must not share it.
func TestDeepCopySharesNothing(t *testing.T) {
	type withList struct {
		Tags []string `json:"tags"`
		At   time.Time
	}
	orig := withList{Tags: []string{"a"}, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cp := deepCopy(orig)
	cp.Tags[0] = "changed"
	if orig.Tags[0] != "a" || !cp.At.Equal(orig.At) {
		t.Errorf("copy shares memory or lost a value: %+v %+v", orig, cp)
	}
}
