package gui

import (
	"unicode"

	"fyne.io/fyne/v2"
)

// inputSource is the kind of widget a key or character arrived at: Fyne hands keys to
// the focused widget, or to the window when nothing has the focus.
type inputSource int

const (
	fromWindow  inputSource = iota // nothing has the focus
	fromNumber                     // the number entry
	fromControl                    // a button, the shop picker or one of its shops
	fromField                      // a text field of the settings screen
)

// inputRouter is the one place that decides what every key, character and shortcut
// typed into the window means, whichever widget it arrived at: part of a scan (it goes
// to the number entry, which may look it up), an editing key for the focused field, or
// one of the desk's keys (Esc, F5, Ctrl+L, Ctrl+,). Every focusable widget of the
// window is a routed one (numberEntry, deskButton, routedEntry, routedSelect), so a
// widget added later inherits the scanner handling instead of swallowing a scan.
type inputRouter struct {
	d *desk
}

// typedRune is a character typed (or scanned) with the focus on w, a widget of kind
// from (nil: nothing has the focus).
func (r *inputRouter) typedRune(from inputSource, w fyne.Focusable, ch rune) {
	d := r.d
	d.touch() // typing anywhere, a field included, is the cashier at work
	if d.ui.confirm != nil && d.ui.confirm.busy() {
		// A redemption's answer is awaited: its panel stays, so a scan cannot be looked
		// up now; it is refused, visibly, rather than lost behind the panel.
		if unicode.IsGraphic(ch) && ch != ' ' {
			d.ui.confirm.holdOn(tr("redeem.scan_refused"))
			d.log.Info("scan refused: a redemption is on its way")
		}
		return
	}
	if d.settings != nil {
		d.settings.scan.typedRune(from, w, ch)
		return
	}
	if from == fromNumber {
		d.ui.entry.typeRune(ch)
		return
	}
	if from == fromField {
		d.fieldScan.typedRune(from, w, ch) // typing in a field; a scan goes to the number
		return
	}
	// A scan that starts while a button, the shop list or nothing has the focus: a
	// customer's number matters more than what was open, so close it and type there.
	// A space is a button press (Space taps the focused button), not part of a number.
	if ch == ' ' || !unicode.IsGraphic(ch) {
		return
	}
	d.closeOverlays()
	d.focusEntry()
	d.ui.entry.typeRune(ch)
}

// typedKey is a key pressed with the focus on a widget of kind from. It reports whether
// the key was handled; if not, the widget does what it does with that key.
func (r *inputRouter) typedKey(from inputSource, w fyne.Focusable, ev *fyne.KeyEvent) bool {
	d := r.d
	d.touch()
	if d.ui.confirm != nil && d.ui.confirm.busy() {
		// Nothing hides the panel or changes what is behind it until the answer is in.
		if ev.Name == fyne.KeyEscape {
			d.ui.confirm.holdOn(tr("redeem.wait_for_answer"))
			d.log.Info("Esc while a redemption is on its way: the panel stays")
		}
		return true
	}
	if d.settings != nil {
		return d.settings.scan.typedKey(from, w, ev)
	}
	if from == fromField && d.fieldScan.typedKey(from, w, ev) {
		return true
	}
	switch ev.Name {
	case fyne.KeyEscape:
		if d.ui.confirm != nil && d.ui.confirm.isOpen() {
			d.ui.confirm.onClose() // the focus goes back to where it was in Rewards
			return true
		}
		if d.closeOverlays() {
			d.focusEntry()
			return true
		}
		if d.model.rewards.open {
			d.onCloseRewards()
			return true
		}
		d.onEscape()
		return true
	case fyne.KeyF2:
		d.closeOverlays() // e.g. the last redemption's outcome
		d.focusEntry()
		d.onOpenRewards()
		return true
	case fyne.KeyF5:
		d.onRepeat()
		return true
	case fyne.KeyReturn, fyne.KeyEnter:
		if from == fromControl || from == fromField {
			return false // Enter presses the focused button, or submits the field
		}
		d.onSubmit(d.ui.entry.Text)
		return true
	case fyne.KeyTab:
		// Only the number entry takes Tab (AcceptsTab): scanners set to end a code with
		// Tab must submit it. An empty entry lets the focus move on.
		if from != fromNumber {
			return false
		}
		if d.ui.entry.Text != "" {
			d.onSubmit(d.ui.entry.Text)
		} else {
			d.win.Canvas().FocusNext()
		}
		return true
	}
	return false
}

// typedShortcut is a shortcut pressed with the focus on a widget of kind from (or
// registered on the window). It reports whether it was one of the desk's.
func (r *inputRouter) typedShortcut(_ inputSource, s fyne.Shortcut) bool {
	d := r.d
	if d.ui.confirm != nil && d.ui.confirm.busy() && (isSettingsShortcut(s) || isFocusShortcut(s)) {
		d.ui.confirm.holdOn(tr("redeem.wait_for_answer"))
		return true
	}
	switch {
	case isSettingsShortcut(s):
		if d.settings == nil {
			d.onOpenSettings()
		}
		return true
	case isFocusShortcut(s):
		if d.settings == nil {
			d.touch()
			d.closeOverlays()
			d.focusEntry()
			d.ui.entry.selectAll()
		}
		return true
	}
	return false
}

// install routes what arrives while nothing has the focus (after a click on the
// background, or once a popup took the focus with it when it closed).
func (r *inputRouter) install(c fyne.Canvas) {
	c.SetOnTypedRune(func(ch rune) { r.typedRune(fromWindow, nil, ch) })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { r.typedKey(fromWindow, nil, ev) })
	c.AddShortcut(settingsShortcut, func(s fyne.Shortcut) { r.typedShortcut(fromWindow, s) })
	for _, s := range focusShortcuts {
		c.AddShortcut(s, func(s fyne.Shortcut) { r.typedShortcut(fromWindow, s) })
	}
}

// focused is told when a routed widget gets the keyboard focus: in Settings, the form
// scrolls so that it shows (Tab would otherwise walk off the visible fields).
func (r *inputRouter) focused(o fyne.CanvasObject) {
	if f := r.d.settings; f != nil {
		f.scrollIntoView(o)
	}
}
