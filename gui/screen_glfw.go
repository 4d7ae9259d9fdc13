//go:build !ci && !wasm && !js && !test_web_driver && !android && !ios && !mobile

package gui

import "github.com/go-gl/glfw/v3.3/glfw"

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
