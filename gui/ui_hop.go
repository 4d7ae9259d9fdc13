package gui

import (
	"context"
	"strings"
)

// The one hop from our goroutines to Fyne's, and how it ends when the app stops.

// onUI runs f on Fyne's goroutine. Every widget change made from our own goroutines
// goes through here, so no call site can forget fyne.Do.
//
// Once the app has stopped, f is dropped: there is no window to change. Fyne closes
// its queue when it quits (on SIGTERM, or the window closing), and a fyne.Do that
// slips in between its last check and the close panics with "send on closed channel"
// in the calling goroutine, i.e. here; that one panic is the end of the app, not a
// bug, and is recovered. Any other panic goes on.
func (d *desk) onUI(f func()) {
	if d.stopped.Load() {
		return
	}
	// Checked again where f runs: once Fyne's loop has ended, fyne.Do runs f at once on
	// the calling goroutine instead. Until stop has run, such callbacks may still come,
	// each on its own goroutine (two timers, a reply): uiMu keeps them one at a time, as
	// they would be on Fyne's goroutine. While the loop runs it is never contended.
	run := func() {
		d.uiMu.Lock()
		defer d.uiMu.Unlock()
		if !d.stopped.Load() {
			f()
		}
	}
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); ok && strings.Contains(err.Error(), "send on closed channel") {
				d.stopped.Store(true)
				return
			}
			panic(r)
		}
	}()
	d.runOnUI(run)
}

// stop is the app stopping: lookups, fetches and timers still under way are cancelled
// and whatever they would hand the UI is dropped.
//
// It runs on the signal's goroutine or in the close intercept, before Fyne quits, so
// it touches nothing but the atomic flag and the desk's root context.
func (d *desk) stop() {
	d.stopped.Store(true)
	d.endLife()
	d.trim.stop()
}

// loadAvatar fetches the avatar off the UI goroutine, and scales it there to its size
// on screen: Fyne would otherwise scale it again at every refresh of the window. The
// member text never waits for it.
func (d *desk) loadAvatar(seq uint64, url string) {
	ctx, cancel := context.WithCancel(d.life)
	d.cancelAvatar = cancel
	avatars := d.opts.Avatars
	side := d.pixels(avatarSide) // the canvas is read here, on the UI goroutine
	d.spawn(func() {
		defer cancel()
		img, err := avatars.Fetch(ctx, url)
		if err == nil {
			img = d.fitAvatar(img, side)
		}
		d.onUI(func() {
			if seq != d.lookupSeq || d.model.state != stateFound {
				return // another member (or none) is on screen now
			}
			if err != nil {
				d.log.Debug("avatar not shown", "err", err)
				return
			}
			d.model.avatar = img
			d.showAvatar(img)
		})
	})

}
