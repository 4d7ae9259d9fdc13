//go:build linux

package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSecondCopyBringsTheFirstToTheFront: issue #9 point 14. A cashier who starts the
// app again while it runs (hidden behind the POS, or unmapped as here) gets the running
// window back, not a second one; the second copy ends at once and says why.
func TestSecondCopyBringsTheFirstToTheFront(t *testing.T) {
	env := newE2E(t)
	app := env.startApp("--demo", "--log-json", "--lang", "zh-TW", "--idle-clear", "0")
	app.waitState("idle", "")
	wid := env.windowID()
	env.xdotool("windowunmap", "--sync", wid)
	if got := env.visibleWindows(); len(got) != 0 {
		t.Fatalf("the window is still visible after unmapping: %v", got)
	}

	second := exec.Command(env.bin, "--demo", "--log-json")
	second.Env = append(os.Environ(), "DISPLAY="+env.display, "XDG_CONFIG_HOME="+env.config)
	out, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("the second copy failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "already running") {
		t.Errorf("the second copy did not say why it ended:\n%s", out)
	}
	app.waitLog("window brought to the front")
	env.xdotool("search", "--sync", "--onlyvisible", "--name", "Ocard Desk")
	if got := env.visibleWindows(); len(got) != 1 || got[0] != wid {
		t.Fatalf("visible windows %v, want the first copy's %s alone", got, wid)
	}
	// The first copy still works.
	env.scan("0911111111")
	app.waitState("found", "-KX19A302")
	app.stop()

	// Once the first has ended, a new copy opens its window.
	next := env.startApp("--demo", "--log-json", "--idle-clear", "0")
	next.waitState("idle", "")
	next.stop()
}

func (e *e2e) windowID() string {
	e.t.Helper()
	ids := e.visibleWindows()
	if len(ids) != 1 {
		e.t.Fatalf("visible desk windows: %v, want 1", ids)
	}
	return ids[0]
}

// visibleWindows lists the ids of the mapped windows titled Ocard Desk.
func (e *e2e) visibleWindows() []string {
	cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", "Ocard Desk")
	cmd.Env = append(os.Environ(), "DISPLAY="+e.display)
	out, _ := cmd.Output() // exit status 1: none found
	return strings.Fields(string(out))
}
