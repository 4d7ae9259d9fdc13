package gui

import (
	"sync/atomic"
	"testing"
	"time"
)

// A trim comes once per quiet spell: never while activity keeps coming, once after it
// stops, and again only after new activity.
func TestMemoryTrimOncePerQuietSpell(t *testing.T) {
	var trims atomic.Int32
	freed := make(chan struct{}, 10)
	m := &memoryTrim{quiet: 150 * time.Millisecond, free: func() { trims.Add(1); freed <- struct{}{} }}
	busyUntil := time.Now().Add(600 * time.Millisecond)
	for time.Now().Before(busyUntil) { // busier than quiet: no trim
		m.activity()
		time.Sleep(20 * time.Millisecond)
	}
	if n := trims.Load(); n != 0 {
		t.Fatalf("%d trims while the desk was busy, want none", n)
	}
	waitTrim(t, freed)
	time.Sleep(400 * time.Millisecond) // still quiet: no second trim
	if n := trims.Load(); n != 1 {
		t.Fatalf("%d trims after one quiet spell, want 1", n)
	}
	m.activity()
	waitTrim(t, freed)
	if n := trims.Load(); n != 2 {
		t.Fatalf("%d trims after two quiet spells, want 2", n)
	}
	m.activity()
	m.stop()
	time.Sleep(400 * time.Millisecond)
	if n := trims.Load(); n != 2 {
		t.Fatalf("a trim after stop: %d trims, want 2", n)
	}
}

func waitTrim(t *testing.T, freed <-chan struct{}) {
	t.Helper()
	select {
	case <-freed:
	case <-time.After(10 * time.Second):
		t.Fatal("no trim 10 s after the desk went quiet")
	}
}

// Only Build's desk trims: the tests' desks (hundreds per run) never force collections.
func TestTestDesksDoNotTrim(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	if h.d.trim != nil {
		t.Fatal("a desk built by buildDesk trims memory; only Build's should")
	}
	var m *memoryTrim
	m.activity() // a nil trim is a no-op, not a panic
	m.stop()
}
