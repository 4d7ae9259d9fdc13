package gui

import "time"

// raiseWait is how long a copy of the app started after this one waits for this
// window to come forward before it decides the window is stuck.
const raiseWait = 2 * time.Second

// raise brings the window to the front for a copy of the app started after this one
// (session.OnRaise), and reports whether it came within raiseWait. It runs on the
// socket's goroutine.
func (d *desk) raise() bool {
	if d.stopped.Load() {
		return false // quitting: the later copy may open its own window
	}
	came := make(chan struct{})
	d.onUI(func() {
		d.log.Info("another copy was started: window brought to the front")
		// Not activity: a watchdog that starts the app again and again would otherwise
		// keep the last customer on screen for good.
		bringToFront(d.win)
		close(came)
	})
	select {
	case <-came:
		return true
	case <-d.life.Done(): // quitting meanwhile: the claim is being given up
		return false
	case <-time.After(raiseWait):
		return false
	}
}
