package gui

import (
	"sync"
	"sync/atomic"
)

// latestWrite runs a kind of write (the desk's shop, the window's place) off the UI
// goroutine, one at a time, and skips a write that a newer one has replaced before it
// started: the file ends with the latest value whatever order the goroutines run in.
// The writes are to the settings file (locked across processes, fsynced), which a slow
// disk can hold up for longer than a frame.
type latestWrite struct {
	running sync.Mutex // held while a write runs
	latest  atomic.Uint64
}

// start writes in the background.
func (w *latestWrite) start(write func()) {
	seq := w.latest.Add(1)
	go func() {
		w.running.Lock()
		defer w.running.Unlock()
		if w.latest.Load() != seq {
			return // a newer value is on its way
		}
		write()
	}()
}

// now writes on the calling goroutine, after the write under way if any: for the
// app's last moments, when a background write might not get to run.
func (w *latestWrite) now(write func()) {
	w.latest.Add(1)
	w.running.Lock()
	defer w.running.Unlock()
	write()
}
