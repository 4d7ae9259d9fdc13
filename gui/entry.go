package gui

import (
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// A scan is a burst of characters. A scanner types one every few milliseconds; a person's
// quickest keystrokes come some 80 ms apart, and never a whole number of them in a row.
// The gaps are measured when the UI goroutine handles each character, so a busy moment
// in the middle of a scan (a panel drawn for the first time) can stretch one gap and
// bunch up the next ones: the test is the mean gap, and only a long pause ends a burst.
const (
	scanMeanGap  = 40 * time.Millisecond  // at most this far apart on average
	scanMaxPause = 250 * time.Millisecond // a longer pause starts a new burst
)

// numberEntry is the single-line entry the cashier types or scans a mobile number into.
// What its keys mean is the input router's to decide (router.go): it only edits its
// text and notes whether that text came as one fast burst (a scan).
type numberEntry struct {
	widget.Entry
	router *inputRouter

	// now is the desk's clock. onBurst is told, with the burst's sequence number, each
	// time a character arrives and the entry's whole text has come as one fast burst:
	// a scan. The desk looks the number up by itself if no Enter or Tab follows, for
	// scanners set to end a code with nothing.
	now     func() time.Time
	onBurst func(seq uint64)
	burst   struct {
		runes       int // characters in the current burst
		first, last time.Time
		seq         uint64 // changes with every character, key, submit or clear
	}
}

// AcceptsTab keeps Tab in the entry: many scanners are set to end a code with Tab
// instead of Enter, and that Tab must submit the number, not move the focus away.
func (e *numberEntry) AcceptsTab() bool { return true }

func newNumberEntry(router *inputRouter) *numberEntry {
	e := &numberEntry{router: router}
	e.ExtendBaseWidget(e)
	return e
}

// TypedRune hands r to the input router, which types it here (typeRune).
func (e *numberEntry) TypedRune(r rune) { e.router.typedRune(fromNumber, e, r) }

// typeRune types r and notes whether the text so far came as one burst (a scan).
func (e *numberEntry) typeRune(r rune) {
	e.Entry.TypedRune(r)
	if e.now == nil {
		return
	}
	t := e.now()
	if e.burst.runes > 0 && t.Sub(e.burst.last) > scanMaxPause {
		e.burst.runes = 0 // a pause: whatever came before was typed, not scanned
	}
	if e.burst.runes == 0 {
		e.burst.first = t
	}
	e.burst.runes++
	e.burst.last = t
	e.burst.seq++
	if e.onBurst != nil && e.burst.runes > 1 && e.burst.runes == utf8.RuneCountInString(e.Text) &&
		e.burst.last.Sub(e.burst.first) <= scanMeanGap*time.Duration(e.burst.runes-1) {
		e.onBurst(e.burst.seq)
	}
}

// endBurst forgets the current burst: a key that edits, moves or submits, a shortcut, or
// a text set by the desk means the text is no longer just what a scanner typed.
func (e *numberEntry) endBurst() {
	e.burst.runes = 0
	e.burst.seq++
}

// burstStill reports whether burst seq is still the entry's latest input: nothing typed,
// pressed, submitted or cleared since.
func (e *numberEntry) burstStill(seq uint64) bool {
	return e.burst.runes > 0 && e.burst.seq == seq
}

// shortcutEndsBurst reports whether s edits the text or the selection. Other shortcuts
// leave a scan alone: a scanner in Alt-code mode (chosen against keyboard-layout and IME
// trouble) sends every digit as Alt+keypad, which Fyne reports as a shortcut before
// the character itself arrives.
func shortcutEndsBurst(s fyne.Shortcut) bool {
	switch s.(type) {
	case *fyne.ShortcutPaste, *fyne.ShortcutCut, *fyne.ShortcutUndo, *fyne.ShortcutRedo, *fyne.ShortcutSelectAll:
		return true
	}
	return isFocusShortcut(s) || isSettingsShortcut(s)
}

// burstEndingKeys are the keys that change the text or the cursor. Fyne also hands
// printable keys to TypedKey before their rune; those must not end a scan.
var burstEndingKeys = map[fyne.KeyName]bool{
	fyne.KeyReturn: true, fyne.KeyEnter: true, fyne.KeyTab: true, fyne.KeyEscape: true, fyne.KeyF5: true,
	fyne.KeyBackspace: true, fyne.KeyDelete: true, fyne.KeyInsert: true,
	fyne.KeyLeft: true, fyne.KeyRight: true, fyne.KeyUp: true, fyne.KeyDown: true,
	fyne.KeyHome: true, fyne.KeyEnd: true, fyne.KeyPageUp: true, fyne.KeyPageDown: true,
}

// TypedKey ends a burst on an editing key, and leaves the key to the input router
// (Esc, F5, Return, Tab) or else to widget.Entry.
func (e *numberEntry) TypedKey(key *fyne.KeyEvent) {
	if burstEndingKeys[key.Name] {
		e.endBurst()
	}
	if e.router.typedKey(fromNumber, e, key) {
		return
	}
	e.Entry.TypedKey(key)
}

// TypedShortcut ends a burst on an editing shortcut, and leaves the shortcut to the
// input router (Ctrl+L, Ctrl+,) or else to widget.Entry.
func (e *numberEntry) TypedShortcut(s fyne.Shortcut) {
	if shortcutEndsBurst(s) {
		e.endBurst()
	}
	if e.router.typedShortcut(fromNumber, s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// selectAll selects the whole text so that the next scan replaces it.
func (e *numberEntry) selectAll() {
	if e.Text != "" {
		e.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
	}
}

// clear empties the entry. Deleting through the selection first matters: SetText("")
// alone leaves Fyne's selection state behind, and the first digit of the next scan
// would be swallowed by the stale selection. SetText afterwards matters too: it empties
// the undo history, so Ctrl+Z cannot bring the previous customer's number back.
func (e *numberEntry) clear() {
	e.endBurst()
	if e.Text != "" {
		e.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
		e.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	}
	e.SetText("")
}

// setNumber replaces the text, as a tap on a recent or demo number does.
func (e *numberEntry) setNumber(text string) {
	e.clear() // ends any burst; SetText types no runes
	e.SetText(text)
}

// focusShortcut is Ctrl+L; macOS users press Cmd+L, which Fyne reports as Super.
var focusShortcuts = []*desktop.CustomShortcut{
	{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault},
	{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierControl},
}

// settingsShortcut is Ctrl+, (Cmd+, on macOS).
var settingsShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault}

func isSettingsShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	return ok && cs.KeyName == settingsShortcut.KeyName && cs.Modifier == settingsShortcut.Modifier
}

func isFocusShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	for _, f := range focusShortcuts {
		if cs.KeyName == f.KeyName && cs.Modifier == f.Modifier {
			return true
		}
	}
	return false
}
