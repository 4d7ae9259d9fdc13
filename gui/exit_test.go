package gui

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/test"
)

// quitWatch runs ShowAndRun of a window whose Run is run, with the hang watch's grace
// shortened; ended is closed when the watch ends the process.
func quitWatch(t *testing.T, run func()) (h *harness, returned, ended chan struct{}) {
	t.Helper()
	h = newHarness(t, LangEnglish, Options{})
	returned, ended = make(chan struct{}), make(chan struct{})
	var once sync.Once
	w := Window{Window: h.d.win, desk: h.d, run: run, grace: 50 * time.Millisecond,
		endHung: func() { once.Do(func() { close(ended) }) }}
	go func() {
		w.ShowAndRun()
		close(returned)
	}()
	return h, returned, ended
}

// Fyne's loop that never ends after the window has gone (the shutdown soak's hang) no
// longer leaves a process without a window: the watch ends it (what it logs is checked
// end to end, TestHungQuitIsEndedByTheWatch).
func TestHungQuitEndsTheProcess(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	h, _, ended := quitWatch(t, func() { <-hang })
	h.d.stop() // the window closes, or SIGTERM
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("Fyne's loop hung after the desk stopped and the process was not ended")
	}
}

// The watch never ends a desk that is running, however long, nor one whose loop ends
// in time after it stopped.
func TestQuitWatchLeavesARunningOrPromptDeskAlone(t *testing.T) {
	stopLoop := make(chan struct{})
	h, returned, ended := quitWatch(t, func() { <-stopLoop })
	select {
	case <-ended:
		t.Fatal("the watch ended a desk that had not stopped")
	case <-time.After(300 * time.Millisecond): // six graces
	}
	h.d.stop()
	close(stopLoop) // Fyne's loop ends at once, as it does
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("ShowAndRun did not return after Fyne's loop ended")
	}
	select {
	case <-ended:
		t.Fatal("the watch ended a process whose loop had returned")
	case <-time.After(300 * time.Millisecond):
	}
}

// The real app (not the test driver's) has Fyne's preferences-save stop hook, the only
// thing its shutdown queues to its lifecycle goroutine (the soak's hang); after
// dropFynesStopHook it has none, so Fyne's loop ends without a lifecycle event to wait for.
func TestFynesStopHookIsDropped(t *testing.T) {
	a := app.NewWithID("tw.ocard.desk.test-stop-hook")
	defer test.NewTempApp(t) // the current app back to a test one for the tests after
	stopped := func() func() {
		l, ok := a.Lifecycle().(interface{ OnStopped() func() })
		if !ok {
			t.Fatal("Fyne's lifecycle no longer says what runs when the app stops: look at dropFynesStopHook again")
		}
		return l.OnStopped()
	}
	if stopped() == nil {
		t.Fatal("Fyne's app has no stop hook to drop: look at dropFynesStopHook again (Fyne changed)")
	}
	if !dropFynesStopHook(a) {
		t.Fatal("dropFynesStopHook found no hook to take out")
	}
	if stopped() != nil {
		t.Fatal("after dropFynesStopHook Fyne still has a stop hook, which its shutdown queues")
	}
}
