package gui

import (
	"log/slog"
	"strconv"

	"fyne.io/fyne/v2"

	"github.com/ocard-desk/ocard-desk/service/settings"
)

// decorationAllowance is room left for the window's title bar and frame, in screen
// pixels: the work area includes neither.
const decorationAllowance = 48

// placeWindow sizes the window once the desktop driver runs: the size the cashier left
// it at (or the default), shrunk to fit the screen's work area, so that it never opens
// taller or wider than the screen, whatever the scale. With fullScreen it fills the
// screen instead (kiosk desks). Fyne offers no way to place a window, so its position
// is the window system's. onClose runs when the cashier closes the window, first.
//
// The size is kept in prefs (the session's settings file, beside the other settings),
// under settings.WindowWidthKey and WindowHeightKey; nil prefs remembers nothing.
func placeWindow(a fyne.App, w fyne.Window, prefs settings.KV, log *slog.Logger, fullScreen bool, onClose func()) {
	want := savedWindowSize(prefs)
	w.Resize(want)
	if fullScreen {
		w.SetFullScreen(true)
	}
	a.Lifecycle().SetOnStarted(func() {
		// After the window exists, so that its canvas has the screen's scale.
		fyne.Do(func() { w.Resize(fitWorkArea(want, w.Canvas().Scale())) })
	})
	// Saved when the cashier closes the window, before it goes; not from OnClosed, which
	// also runs while the app quits (SIGTERM): nothing is written while the process ends.
	w.SetCloseIntercept(func() {
		if !w.FullScreen() {
			if err := saveWindowSize(prefs, w.Canvas().Size()); err != nil && log != nil {
				log.Warn("window size not saved", "err", err)
			}
		}
		onClose()
		w.Close()
	})
}

// savedWindowSize is the size kept in prefs, or the default when none (or a silly one)
// is kept.
func savedWindowSize(prefs settings.KV) fyne.Size {
	if prefs == nil {
		return defaultWindowSize
	}
	width, errW := strconv.ParseFloat(prefs.String(settings.WindowWidthKey), 32)
	height, errH := strconv.ParseFloat(prefs.String(settings.WindowHeightKey), 32)
	if errW != nil || errH != nil || width < 200 || height < 200 {
		return defaultWindowSize
	}
	return fyne.NewSize(float32(width), float32(height))
}

// saveWindowSize keeps size in prefs, both numbers in one write.
func saveWindowSize(prefs settings.KV, size fyne.Size) error {
	if prefs == nil {
		return nil
	}
	return settings.WriteStrings(prefs, map[string]string{
		settings.WindowWidthKey:  strconv.FormatFloat(float64(size.Width), 'f', -1, 32),
		settings.WindowHeightKey: strconv.FormatFloat(float64(size.Height), 'f', -1, 32),
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
