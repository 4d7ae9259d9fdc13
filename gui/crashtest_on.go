//go:build ocard_crashtest

package gui

import (
	"context"
	"os"

	"fyne.io/fyne/v2"

	"github.com/ocard-desk/ocard-desk/service"
)

// crashTest, in a build with the ocard_crashtest tag only, makes the first lookup
// panic, as OCARD_CRASH_TEST says: "goroutine" in the lookup's own goroutine (one of
// ours, logged by Support.Go), "callback" in a Fyne callback on the UI goroutine
// (logged by main's Session.Recover). The end-to-end test then finds the panic in
// the log and the crash file, and the next start names it.
func crashTest(d *desk) {
	mode := os.Getenv("OCARD_CRASH_TEST")
	if mode == "" || mode == "hang-quit" || d.conn.lookup == nil {
		return
	}
	d.conn.lookup = crashingLookup{mode: mode}
}

type crashingLookup struct{ mode string }

func (c crashingLookup) LookupMember(ctx context.Context, _, _ string) (service.Member, error) {
	if c.mode == "callback" {
		fyne.Do(func() { panic("crash test: a panic in a Fyne callback") })
		<-ctx.Done()
		return service.Member{}, ctx.Err()
	}
	panic("crash test: a panic in a goroutine of the desk")
}

// crashTestRun, with OCARD_CRASH_TEST=hang-quit, makes the app's Run never return once
// Fyne's loop has ended: the window gone and the process alive, as after the hang seen
// inside Fyne's own shutdown in the soak (docs/RELIABILITY.md). The end-to-end test
// then sees the desk's watch end the process (quitGrace).
func crashTestRun(run func()) func() {
	if os.Getenv("OCARD_CRASH_TEST") != "hang-quit" {
		return run
	}
	return func() {
		run()
		select {}
	}
}
