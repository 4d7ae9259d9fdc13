package gui

import (
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

// Exiting while a redemption is on its way: the journal already says pending, but only
// the answer says whether the member was charged. So the desk waits for it, up to
// exitWait, before it goes: with the window still up when the cashier closes it, and
// after the window has gone when the process is told to stop (SIGINT/SIGTERM, on which
// Fyne quits at once, with no way to hold it).

// sendGroup counts the redemptions and settlements on their way (a WaitGroup that can
// also say whether it is idle without waiting).
type sendGroup struct {
	wg sync.WaitGroup
	n  atomic.Int32
}

func (g *sendGroup) Add(n int) { g.n.Add(int32(n)); g.wg.Add(n) }
func (g *sendGroup) Done()     { g.n.Add(-1); g.wg.Done() }
func (g *sendGroup) Wait()     { g.wg.Wait() }

// idle reports whether nothing is on its way.
func (g *sendGroup) idle() bool { return g.n.Load() == 0 }

// exitWait is how long an exit waits for a redemption's answer: the client's request
// timeout with its one resend after a refreshed token, and the journal's fsync.
const exitWait = 25 * time.Second

// quitGrace is how long Fyne's loop has, once the desk has stopped (the window closed,
// or SIGINT/SIGTERM), to end and return from Run. It takes milliseconds; more than this
// is a hang inside Fyne's own shutdown, as the shutdown soak saw twice before
// dropFynesStopHook (docs/RELIABILITY.md): the window gone, the process alive, the
// desk's claim given up but its journal and log still open. The watch stays for any
// other way Fyne's loop might not end.
const quitGrace = 10 * time.Second

// dropFynesStopHook takes out the one thing Fyne's shutdown sends through its lifecycle
// queue: its preferences' final save, an internal "stopped" hook (app.go,
// SetOnStoppedHookExecuted). Fyne's loop queues it while it drains its own queue and
// closes it; the lifecycle goroutine then hands it to the loop with a wait, and when
// that send lands after the loop's last drain the hook never runs and App.Run waits for
// it forever: the shutdown soak's race and hang inside Fyne (docs/RELIABILITY.md). The
// desk keeps its settings in its own file, never in Fyne's preferences (settings.DeskFile;
// nor does it open Fyne's file dialogs, which would), so that save has nothing to write.
// It reports whether Fyne still has the hook to take out (a Fyne upgrade that changes it
// makes TestFynesStopHookIsDropped fail).
func dropFynesStopHook(a fyne.App) bool {
	l, ok := a.Lifecycle().(interface{ SetOnStoppedHookExecuted(func()) })
	if ok {
		l.SetOnStoppedHookExecuted(nil)
	}
	return ok
}

// Window is the desk's window. Its ShowAndRun returns once the window has gone and no
// redemption or settlement is still being sent or written (at most exitWait).
type Window struct {
	fyne.Window
	desk *desk
	run  func() // the app's Run: Build has shown the window already
	// endHung ends the process when run has not returned quitGrace after the desk
	// stopped (Build: closes the session, then exits). nil: no watch (tests' windows).
	endHung func()
	grace   time.Duration // quitGrace; shorter in tests
}

// ShowAndRun shows the window and runs the app, then waits for what is on its way.
func (w Window) ShowAndRun() {
	if w.run == nil {
		w.Window.ShowAndRun()
		w.desk.waitForSends(exitWait)
		return
	}
	returned := make(chan struct{})
	if w.endHung != nil {
		go w.desk.watchQuit(returned, w.grace, w.endHung)
	}
	w.run()
	close(returned)
	w.desk.waitForSends(exitWait)
}

// watchQuit ends the process (end) when Fyne's Run has not returned (returned) grace
// after the desk stopped: what is on its way is still waited for, and end closes the
// session (journal, log, run marker) as main would have. It never fires while the desk
// runs, however long.
func (d *desk) watchQuit(returned <-chan struct{}, grace time.Duration, end func()) {
	select {
	case <-returned:
		return
	case <-d.life.Done(): // desk.stop: the window is going
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-returned:
		return
	case <-t.C:
	}
	d.log.Error("the window has gone but Fyne's loop has not ended: ending the process",
		"waited", grace.String(), "see", "docs/RELIABILITY.md, shutdown")
	d.waitForSends(exitWait)
	end()
}

// waitForSends waits until no redemption or settlement is on its way, at most limit,
// and says in the log what it waited for.
func (d *desk) waitForSends(limit time.Duration) bool {
	if d.sends.idle() {
		return true
	}
	done := make(chan struct{})
	go func() {
		d.sends.Wait()
		close(done)
	}()
	d.log.Warn("exiting while a redemption is on its way: waiting for its answer", "at_most", limit.String())
	select {
	case <-done:
		d.log.Info("the redemption on its way was answered and journaled")
		return true
	case <-time.After(limit):
		d.log.Warn("no answer in time: the journal keeps the redemption unresolved")
		return false
	}
}

// holdCloseForSend holds the window's close back while a redemption or a settlement is
// on its way: the panel says why, and closeNow runs once its answer is shown (or after
// exitWait without one).
func (d *desk) holdCloseForSend(closeNow func()) bool {
	if d.sending == nil && (d.ui.confirm == nil || !d.ui.confirm.busy()) {
		return false
	}
	if d.closeAfterSend == nil {
		d.log.Info("close asked while a redemption is on its way: waiting for its answer")
		d.closeAfterSend = closeNow
		d.after(exitWait, func() {
			if d.closeAfterSend != nil {
				d.log.Warn("no answer in time: closing; the journal keeps the redemption unresolved")
				d.closeIfAsked()
			}
		})
	}
	d.ui.confirm.holdOn(tr("redeem.closing_after_answer"))
	return true
}

// closeIfAsked closes the window if the cashier asked to while something was on its
// way, and reports whether it did.
func (d *desk) closeIfAsked() bool {
	f := d.closeAfterSend
	if f == nil {
		return false
	}
	d.closeAfterSend = nil
	f()
	return true
}
