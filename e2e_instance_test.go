//go:build linux

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a second window would never end by itself
	defer cancel()
	second := exec.CommandContext(ctx, env.bin, "--demo", "--log-json")
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
	out, _ := e.xdotoolOutput("search", "--onlyvisible", "--name", "Ocard Desk") // status 1: none found
	return strings.Fields(out)
}

// TestWindowSizeAndPlaceAreKept: issue #9 point 8. The window opens where, and as large
// as, the cashier left it, also when the desk was shut down (SIGINT/SIGTERM) rather
// than the window closed. It also proves the GLFW window is reachable (screen_glfw.go).
func TestWindowSizeAndPlaceAreKept(t *testing.T) {
	env := newE2E(t)
	app := env.startApp("--demo", "--log-json", "--debug", "--idle-clear", "0")
	app.waitState("idle", "")
	app.waitLog(`"msg":"window placed"`) // the start's own resize is done: ours comes after it
	// A lookup first, as at a counter. After the first frames (and whenever the content's
	// minimum changes) Fyne's loop sets the window to the size it last read from the X
	// server; a resize that lands just before, not yet read, is undone. Resizing right
	// after "window placed" lost that race in about 1 run of 15 under load (traced in
	// a patched Fyne; CI failed on it). The scan's keys pass through the loop, so once
	// the member is shown those first frames are behind it.
	env.scan("0911111111")
	app.waitState("found", "-KX19A302")
	wid := env.windowID()
	env.xdotool("windowsize", "--sync", wid, "900", "640")
	env.xdotool("windowmove", "--sync", wid, "150", "60")
	// --sync waits for the X server. Told to stop, the desk reads the size and place
	// from the window system (screen_glfw.go) and keeps them, whether or not Fyne's
	// loop has learned by then that the window has the focus (it used to depend on
	// that, and a sleep here on a loaded machine was not always enough).
	if g := env.geometry(wid); !strings.Contains(g, "Position: 150,60") || !strings.Contains(g, "Geometry: 900x640") {
		t.Fatalf("before the stop the window is at\n%s\nnot 900x640 at 150,60: the desk (or Fyne) undid the resize", g)
	}
	app.stop()
	kept, _ := os.ReadFile(filepath.Join(env.config, "ocard-desk", "desk-settings.json"))

	again := env.startApp("--demo", "--log-json", "--debug", "--idle-clear", "0")
	again.waitState("idle", "")
	again.waitLog(`"msg":"window placed"`)
	wid = env.windowID()
	var geometry string
	for attempt := 0; attempt < 50; attempt++ { // the X server's answer may trail the move
		geometry = env.geometry(wid)
		if strings.Contains(geometry, "Position: 150,60") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(geometry, "Position: 150,60") || !strings.Contains(geometry, "Geometry: 900x640") {
		t.Fatalf("the window opened at\n%s\nwant 900x640 at 150,60; the settings file held %s", geometry, kept)
	}
	again.stop()
}

// geometry is xdotool's getwindowgeometry of window wid.
func (e *e2e) geometry(wid string) string {
	out, err := e.xdotoolOutput("getwindowgeometry", wid)
	if err != nil {
		e.t.Fatalf("xdotool getwindowgeometry: %v\n%s", err, out)
	}
	return out
}
