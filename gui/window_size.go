package gui

import (
	"log/slog"
	"math"
	"strconv"
	"sync/atomic"

	"fyne.io/fyne/v2"

	"github.com/ocard-desk/ocard-desk/service/settings"
)

// decorationAllowance is room left for the window's title bar and frame, in screen
// pixels: the work area includes neither.
const decorationAllowance = 48

// placeWindow sizes the window once the desktop driver runs: the size the cashier left
// it at (or the default), shrunk to fit the screen's work area, so that it never opens
// taller or wider than the screen, whatever the scale, and at the place they left it
// when that is on one of today's screens. With fullScreen it fills the screen instead
// (kiosk desks). onClose runs when the cashier closes the window, first; holdClose,
// when set, may hold the close back (a redemption on its way) and run it later.
//
// Size and position are kept in prefs (the session's settings file, beside the other
// settings) by windowPlace.save; nil prefs remembers nothing.
//
// It returns keepPlace, which saves the size and position at once, for the quit on
// SIGINT/SIGTERM (call it on the main goroutine before the driver quits): Fyne reports
// the focus lost as it quits only if its loop has already learned that the window had
// the focus, which a desk told to stop soon after a resize may not have.
func placeWindow(a fyne.App, w fyne.Window, prefs settings.KV, log *slog.Logger, fullScreen bool,
	quitting func() bool, onClose func(), holdClose func(closeNow func()) bool) (keepPlace func()) {
	place := &windowPlace{w: w, prefs: prefs, log: log, quitting: quitting}
	want := savedWindowSize(prefs)
	x, y, placed := savedWindowPosition(prefs)
	w.Resize(want)
	if fullScreen {
		w.SetFullScreen(true)
	}
	a.Lifecycle().SetOnStarted(func() {
		// After the window exists, so that its canvas has the screen's scale.
		fyne.Do(func() {
			size := fitWorkArea(want, w.Canvas().Scale())
			w.Resize(size)
			moved := placed && !fullScreen && moveWindow(w, x, y)
			if log != nil {
				log.Debug("window placed", "width", size.Width, "height", size.Height, "moved", moved)
			}
		})
	})
	// Saved whenever the window loses the focus (the cashier turns to the POS; unchanged
	// values write nothing), which Fyne also reports, on its loop, as it quits on
	// SIGTERM/SIGINT with the window focused: a desk shut down at night keeps its place.
	// And when the cashier closes the window, before it goes. Not from OnClosed or
	// OnStopped: they run once the window is gone, or are queued to a closing loop.
	a.Lifecycle().SetOnExitedForeground(func() { place.save(quitting()) })
	closeNow := func() {
		place.save(true)
		place.closed.Store(true)
		onClose()
		w.Close()
	}
	w.SetCloseIntercept(func() {
		if holdClose != nil && holdClose(closeNow) {
			return
		}
		closeNow()
	})
	return func() { place.save(true) }
}

// windowPlace keeps the window's size and position.
type windowPlace struct {
	w        fyne.Window
	prefs    settings.KV
	log      *slog.Logger
	quitting func() bool
	closed   atomic.Bool // the window is gone: nothing left to measure
	writes   latestWrite
}

// save keeps the window's size and position, in one write; not when full screen, or
// once the window has closed. It measures on the main goroutine (GLFW says where the
// window is) and writes in the background, or at once when the app is ending (last).
func (p *windowPlace) save(last bool) {
	if p.prefs == nil || p.closed.Load() || p.w.FullScreen() {
		return
	}
	size, ok := windowSize(p.w)
	if !ok {
		size = p.w.Canvas().Size()
	}
	values := map[string]string{
		settings.WindowWidthKey:  strconv.FormatFloat(float64(size.Width), 'f', -1, 32),
		settings.WindowHeightKey: strconv.FormatFloat(float64(size.Height), 'f', -1, 32),
	}
	if x, y, ok := windowPosition(p.w); ok {
		values[settings.WindowXKey], values[settings.WindowYKey] = strconv.Itoa(x), strconv.Itoa(y)
	}
	write := func() {
		if err := settings.WriteStrings(p.prefs, values); err != nil && p.log != nil {
			p.log.Warn("window size and position not saved", "err", err)
		}
	}
	if last {
		p.writes.now(write)
	} else {
		p.writes.start(write)
	}
}

// savedWindowPosition is the position kept in prefs, if any.
func savedWindowPosition(prefs settings.KV) (x, y int, ok bool) {
	if prefs == nil {
		return 0, 0, false
	}
	x, errX := strconv.Atoi(prefs.String(settings.WindowXKey))
	y, errY := strconv.Atoi(prefs.String(settings.WindowYKey))
	return x, y, errX == nil && errY == nil
}

// savedWindowSize is the size kept in prefs, or the default when none (or a silly one)
// is kept.
func savedWindowSize(prefs settings.KV) fyne.Size {
	if prefs == nil {
		return defaultWindowSize
	}
	width, errW := strconv.ParseFloat(prefs.String(settings.WindowWidthKey), 32)
	height, errH := strconv.ParseFloat(prefs.String(settings.WindowHeightKey), 32)
	if errW != nil || errH != nil || !(width >= 200 && height >= 200) || math.IsInf(width+height, 0) { // NaN too
		return defaultWindowSize
	}
	return fyne.NewSize(float32(width), float32(height))
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
