package gui

import (
	"runtime/debug"
	"sync"
	"time"
)

// Returning memory when the desk goes quiet (issue 24, P5). Go keeps the pages its heap
// grew to and gives them back only slowly (the background scavenger), so a desk at rest
// held the memory of its busiest moment: the start (three fonts parsed, the window
// built) and each burst of lookups (avatars scaled, text shaped). Once the window has
// not changed state for quietBeforeTrim, one collection returns the free pages to the
// system, once per quiet spell, on its own goroutine. It is not a memory limit: while
// the desk is busy the collector runs as it always does, and a busy desk never waits
// for a trim. What a trim costs and saves: docs/bench/findings.md, P5.

// quietBeforeTrim is long enough that a trim never lands between a scan and its answer
// or avatar (answers take tens of milliseconds, the demo's slowest avatar 2 s, and a
// cashier's next scan comes seconds later), short enough that the desk at rest gives
// its memory back before anyone looks.
const quietBeforeTrim = 2 * time.Second

// memoryTrim calls free once the desk has been quiet for quiet since its last activity.
type memoryTrim struct {
	quiet time.Duration
	free  func() // returnFreeMemory; a test counts the calls

	mu    sync.Mutex
	timer *time.Timer
}

func newMemoryTrim() *memoryTrim {
	return &memoryTrim{quiet: quietBeforeTrim, free: returnFreeMemory}
}

// returnFreeMemory returns the Go heap's free pages (a collection and a scavenge), then
// the C heap's (the window's textures, on Linux).
func returnFreeMemory() {
	debug.FreeOSMemory()
	returnFreeCHeap()
}

// activity starts the quiet spell again from now. Cheap: a timer reset, from the UI
// goroutine at every state change.
func (m *memoryTrim) activity() {
	if m == nil {
		return // the tests' desks: Build alone turns trimming on
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.timer == nil {
		m.timer = time.AfterFunc(m.quiet, m.free) // runs free on the timer's own goroutine
		return
	}
	m.timer.Reset(m.quiet)
}

// stop drops a pending trim (the desk is stopping).
func (m *memoryTrim) stop() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.timer != nil {
		m.timer.Stop()
	}
}
