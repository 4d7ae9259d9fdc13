package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// The window's focusable widgets besides the number entry. Each hands what is typed
// into it to the input router first (router.go), so that a scan that arrives while it
// has the focus still reaches the number, and no widget decides that on its own.

// deskButton is a button whose typed characters and keys go through the input router.
// Enter presses it, as Space does: a keyboard user reaches every action.
type deskButton struct {
	widget.Button
	router *inputRouter
	// showFocus makes the focused button the bright one (a redemption's panel): Fyne's
	// own focus mark is faint, and Enter presses the focused button, not the bright one.
	showFocus bool
}

func newDeskButton(label string, icon fyne.Resource, tapped func(), router *inputRouter) *deskButton {
	b := &deskButton{router: router}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedRune hands r to the input router: a scan goes to the number entry.
func (b *deskButton) TypedRune(r rune) { b.router.typedRune(fromControl, b, r) }

// FocusGained also brings the button into view when it is in a scrolled form.
func (b *deskButton) FocusGained() {
	if b.showFocus {
		b.Importance = widget.HighImportance
	}
	b.Button.FocusGained()
	b.router.focused(b)
}

// FocusLost puts a showFocus button back to the plain look.
func (b *deskButton) FocusLost() {
	if b.showFocus {
		b.Importance = widget.MediumImportance
	}
	b.Button.FocusLost()
}

// AcceptsTab lets the router see Tab, which ends many scanners' codes; a Tab that ends
// no scan moves the focus on as usual.
func (b *deskButton) AcceptsTab() bool { return true }

// TypedKey lets the router have the desk's keys (Esc, F5, a scan's Enter or Tab);
// Enter and Space press the button.
func (b *deskButton) TypedKey(ev *fyne.KeyEvent) {
	if b.router.typedKey(fromControl, b, ev) {
		return
	}
	switch ev.Name {
	case fyne.KeyTab:
		moveFocus(b)
		return
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() {
			b.Tapped(nil)
		}
		return
	}
	b.Button.TypedKey(ev)
}

// routedEntry is a settings text field whose characters and keys go through the input
// router: a scan typed into it is noticed and taken back out (field_scan.go).
type routedEntry struct {
	widget.Entry
	router *inputRouter
}

func newRoutedEntry(router *inputRouter) *routedEntry {
	e := &routedEntry{router: router}
	e.ExtendBaseWidget(e)
	return e
}

// newRoutedPasswordEntry is widget.NewPasswordEntry, routed. The entry's renderer adds
// the show/hide button to a password entry that has none.
func newRoutedPasswordEntry(router *inputRouter) *routedEntry {
	e := &routedEntry{router: router}
	e.Password = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab lets the router see Tab, which ends many scanners' codes; a Tab that ends
// no scan moves the focus on as usual (typeTab).
func (e *routedEntry) AcceptsTab() bool { return true }

// TypedRune hands r to the input router, which types it here (typeRune) unless it is
// part of a scan.
func (e *routedEntry) TypedRune(r rune) { e.router.typedRune(fromField, e, r) }

func (e *routedEntry) typeRune(r rune) { e.Entry.TypedRune(r) }

// FocusGained also brings the field into view when it is in a scrolled form.
func (e *routedEntry) FocusGained() {
	e.Entry.FocusGained()
	e.router.focused(e)
}

// TypedKey lets the router have Esc and a scan's Enter or Tab first.
func (e *routedEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.router.typedKey(fromField, e, ev) {
		return
	}
	if ev.Name == fyne.KeyTab {
		moveFocus(e)
		return
	}
	e.Entry.TypedKey(ev)
}

// moveFocus does what Fyne does with a Tab the focused widget does not take: the next
// field, or the one before with Shift.
func moveFocus(o fyne.CanvasObject) {
	c := fyne.CurrentApp().Driver().CanvasForObject(o)
	if c == nil {
		return
	}
	if drv, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok && drv.CurrentKeyModifiers()&fyne.KeyModifierShift != 0 {
		c.FocusPrevious()
		return
	}
	c.FocusNext()
}

// routedSelect is a settings drop-down whose characters and keys go through the input
// router. Its list, once open, is Fyne's own menu and takes the focus; the router sees
// the window's keys again once it closes.
type routedSelect struct {
	widget.Select
	router *inputRouter
}

func newRoutedSelect(router *inputRouter, options []string) *routedSelect {
	s := &routedSelect{router: router}
	s.Options = options
	s.PlaceHolder = tr("settings.select_one") // Fyne's own is English only
	s.ExtendBaseWidget(s)
	return s
}

// TypedRune hands r to the input router.
func (s *routedSelect) TypedRune(r rune) { s.router.typedRune(fromControl, s, r) }

// FocusGained also brings the picker into view when it is in a scrolled form.
func (s *routedSelect) FocusGained() {
	s.Select.FocusGained()
	s.router.focused(s)
}

// AcceptsTab lets the router see a scan's Tab; any other Tab moves the focus on.
func (s *routedSelect) AcceptsTab() bool { return true }

// TypedKey lets the router have Esc and a scan's Enter or Tab first.
func (s *routedSelect) TypedKey(ev *fyne.KeyEvent) {
	if s.router.typedKey(fromControl, s, ev) {
		return
	}
	if ev.Name == fyne.KeyTab {
		moveFocus(s)
		return
	}
	s.Select.TypedKey(ev)
}
