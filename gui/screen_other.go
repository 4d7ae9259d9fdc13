//go:build ci || wasm || js || test_web_driver || android || ios || mobile

package gui

import "fyne.io/fyne/v2"

// screenWorkArea is not known off the desktop driver: the window keeps its size.
func screenWorkArea() (width, height int, ok bool) { return 0, 0, false }

// bringToFront shows w and asks for the focus; there is nothing to restore.
func bringToFront(w fyne.Window) {
	w.Show()
	w.RequestFocus()
}

// windowPosition is not known off the desktop driver.
func windowPosition(fyne.Window) (x, y int, ok bool) { return 0, 0, false }

// moveWindow cannot place a window off the desktop driver.
func moveWindow(fyne.Window, int, int) bool { return false }

// windowSize is not known off the desktop driver: the canvas's size is used.
func windowSize(fyne.Window) (fyne.Size, bool) { return fyne.Size{}, false }
