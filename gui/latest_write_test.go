package gui

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// Two picks in quick succession: whatever order their goroutines run in, the last
// pick is written last, and a pick replaced before its write began is not written.
func TestLatestWriteEndsWithTheLatest(t *testing.T) {
	var w latestWrite
	var mu sync.Mutex
	var written []string
	record := func(v string) func() {
		return func() { mu.Lock(); written = append(written, v); mu.Unlock() }
	}
	got := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(written) }
	w.running.Lock() // a write under way
	w.start(record("B"))
	w.start(record("C"))
	w.running.Unlock()
	for deadline := time.Now().Add(5 * time.Second); !slices.Contains(got(), "C"); {
		if time.Now().After(deadline) {
			t.Fatalf("C never written: %q", got())
		}
		time.Sleep(time.Millisecond)
	}
	w.now(record("final"))
	if g := got(); !slices.Equal(g, []string{"C", "final"}) {
		t.Fatalf("written %q, want C then final (B was replaced before it began)", g)
	}
}
