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
// neither restored nor placed, and TestGLFWWindowIsReachable fails. Call it on the
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
