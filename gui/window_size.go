package gui

import (
	"fyne.io/fyne/v2"
)

// Preference keys of the window's size, in logical units, as the cashier left it.
const (
	prefWindowWidth  = "window.width"
	prefWindowHeight = "window.height"
)

// decorationAllowance is room left for the window's title bar and frame, in screen
// pixels: the work area includes neither.
const decorationAllowance = 48

// placeWindow sizes the window once the desktop driver runs: the size the cashier left
// it at (or the default), shrunk to fit the screen's work area, so that it never opens
// taller or wider than the screen, whatever the scale. With fullScreen it fills the
// screen instead (kiosk desks). Fyne offers no way to place a window, so its position
// is the window system's. onClose runs when the cashier closes the window, first.
func placeWindow(a fyne.App, w fyne.Window, fullScreen bool, onClose func()) {
	prefs := a.Preferences()
	want := defaultWindowSize
	if width, height := prefs.Float(prefWindowWidth), prefs.Float(prefWindowHeight); width >= 200 && height >= 200 {
		want = fyne.NewSize(float32(width), float32(height))
	}
	w.Resize(want)
	if fullScreen {
		w.SetFullScreen(true)
	}
	a.Lifecycle().SetOnStarted(func() {
		// After the window exists, so that its canvas has the screen's scale.
		fyne.Do(func() { w.Resize(fitWorkArea(want, w.Canvas().Scale())) })
	})
	// Saved when the cashier closes the window, before it goes: not from OnClosed, which
	// also runs while the app quits (SIGTERM), when saving preferences (which waits on
	// Fyne's loop) is not safe.
	w.SetCloseIntercept(func() {
		if !w.FullScreen() {
			size := w.Canvas().Size()
			prefs.SetFloat(prefWindowWidth, float64(size.Width))
			prefs.SetFloat(prefWindowHeight, float64(size.Height))
		}
		onClose()
		w.Close()
	})
}

// fitWorkArea shrinks want (logical units) to the screen's work area at scale.
func fitWorkArea(want fyne.Size, scale float32) fyne.Size {
	width, height, ok := screenWorkArea()
	if !ok || scale <= 0 {
		return want
	}
	return fitSize(want, width, height, scale)
}

// fitSize shrinks want (logical units) to a work area of width × height screen pixels.
func fitSize(want fyne.Size, width, height int, scale float32) fyne.Size {
	maxW := float32(width-decorationAllowance/2) / scale
	maxH := float32(height-decorationAllowance) / scale
	return fyne.NewSize(min(want.Width, maxW), min(want.Height, maxH))
}
