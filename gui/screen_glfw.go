//go:build !ci && !wasm && !js && !test_web_driver && !android && !ios && !mobile

package gui

import (
	"reflect"
	"unsafe"

	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// screenWorkArea is the primary monitor's work area (the screen less task bars and
// docks) in the window system's units: pixels on X11 and Windows, points on macOS.
// Fyne has no API for it; GLFW, which Fyne's desktop driver runs on, has. It must run
// on the main goroutine after the driver has started GLFW (lifecycle OnStarted).
func screenWorkArea() (width, height int, ok bool) {
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0, 0, false
	}
	_, _, width, height = m.GetWorkarea()
	return width, height, width > 0 && height > 0
}

// glfwWindow is the GLFW window under w, or nil. Fyne keeps it in an unexported field
// of its desktop window and offers no API to restore a minimised window or to place
// one; this reads that field. Fyne's window type and field are pinned by the version
// in go.mod: after an upgrade that renames them this returns nil, the window is
// neither restored nor placed, and the e2e TestWindowSizeAndPlaceAreKept fails. Call it on the
// main goroutine (inside fyne.Do), where Fyne sets the field.
func glfwWindow(w fyne.Window) *glfw.Window {
	v := reflect.ValueOf(w)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("viewport")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*glfw.Window]() || !f.CanAddr() {
		return nil
	}
	return *(**glfw.Window)(unsafe.Pointer(f.UnsafeAddr()))
}

// bringToFront shows w, restored if it was minimised, in front of the other windows
// and with the keyboard focus (as far as the window manager allows). Main goroutine.
func bringToFront(w fyne.Window) {
	w.Show()
	if g := glfwWindow(w); g != nil && g.GetAttrib(glfw.Iconified) == glfw.True {
		g.Restore()
	}
	w.RequestFocus()
}

// titleBarAllowance is the height of a title bar above the window's content, in screen
// pixels (30 px on Windows 10/11 at 100 %, less on most Linux desktops). Without a
// window manager (a kiosk) there is none, and a window placed at the very top is left
// where the window system puts it.
const titleBarAllowance = 24

// windowSize is w's content size in logical units, as the window system has it now:
// Fyne's canvas learns a new size only at its next frame, which a busy desk may not
// have drawn when the window is measured (a resize, then the app told to quit). Fyne
// itself turns GLFW's size into the canvas's by dividing by the canvas scale. Main
// goroutine.
func windowSize(w fyne.Window) (fyne.Size, bool) {
	g, scale := glfwWindow(w), w.Canvas().Scale()
	if g == nil || scale <= 0 {
		return fyne.Size{}, false
	}
	width, height := g.GetSize()
	return fyne.NewSize(float32(width)/scale, float32(height)/scale), width > 0 && height > 0
}

// windowPosition is w's position on the screen (its content's top-left corner, in the
// window system's units). Main goroutine.
func windowPosition(w fyne.Window) (x, y int, ok bool) {
	g := glfwWindow(w)
	if g == nil {
		return 0, 0, false
	}
	x, y = g.GetPos()
	return x, y, true
}

// moveWindow puts w at (x, y) if a corner of it that the cashier can grab would be on
// one of today's screens (the desk's second monitor may be gone), and reports whether
// it did. Main goroutine.
func moveWindow(w fyne.Window, x, y int) bool {
	g := glfwWindow(w)
	if g == nil || !onSomeScreen(x, y) {
		return false
	}
	g.SetPos(x, y)
	return true
}

// onSomeScreen: the content's corner (x, y), the title bar above it and the 160×40
// pixels right of and below it lie within one monitor's work area: the cashier can grab
// the title bar.
func onSomeScreen(x, y int) bool {
	for _, m := range glfw.GetMonitors() {
		mx, my, mw, mh := m.GetWorkarea()
		if x >= mx && y-titleBarAllowance >= my && x+160 <= mx+mw && y+40 <= my+mh {
			return true
		}
	}
	return false
}
