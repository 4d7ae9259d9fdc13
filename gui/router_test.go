package gui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// The input router's promise (router.go): whatever has the focus and whatever is open,
// a scan is looked up, or refused where the cashier can see it; never dropped, never
// typed somewhere else, never leaving the previous member on screen.

// scanNumber is what every case scans; the previous member is someone else.
const scanNumber = "0912345678"

// press delivers key the way Fyne's desktop driver does: to the focused widget, Tab
// only if it takes Tab (else the focus moves on), and to the window when nothing has
// the focus.
func press(h *harness, key fyne.KeyName) {
	c := h.d.win.Canvas()
	f := c.Focused()
	if key == fyne.KeyTab {
		if t, ok := f.(fyne.Tabbable); !ok || !t.AcceptsTab() {
			c.FocusNext()
			return
		}
	}
	ev := &fyne.KeyEvent{Name: key}
	if f != nil {
		f.TypedKey(ev)
		return
	}
	c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(ev)
}

// typeChar delivers a character as the driver does: to the focused widget, else the window.
func typeChar(h *harness, r rune) {
	c := h.d.win.Canvas()
	if f := c.Focused(); f != nil {
		f.TypedRune(r)
		return
	}
	c.OnTypedRune()(r)
}

// shortcut delivers s as the driver does: to a focused widget that takes shortcuts,
// else to the window's own.
func shortcut(h *harness, s fyne.Shortcut) {
	c := h.d.win.Canvas()
	if f, ok := c.Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	c.(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(s)
}

// scanModes are the ways scanners end (or do not end) a code.
var scanModes = map[string]func(h *harness, code string){
	"Enter": func(h *harness, code string) {
		for _, r := range code {
			typeChar(h, r)
		}
		press(h, fyne.KeyReturn)
	},
	"Tab": func(h *harness, code string) {
		for _, r := range code {
			typeChar(h, r)
		}
		press(h, fyne.KeyTab)
	},
	"no terminator": func(h *harness, code string) {
		for _, r := range code {
			typeChar(h, r)
		}
		h.fireQuiet()
	},
	// Alt-code scanners send each digit as Alt+keypad digit; the character follows.
	"Alt-code": func(h *harness, code string) {
		for _, r := range code {
			shortcut(h, &desktop.CustomShortcut{KeyName: fyne.KeyName(string(r)), Modifier: fyne.KeyModifierAlt})
			typeChar(h, r)
		}
		press(h, fyne.KeyReturn)
	},
}

// routerCase puts the desk in a state with something focused or open.
type routerCase struct {
	name  string
	setup func(t *testing.T, h *harness)
	// refused: the scan must be refused visibly instead of looked up (Settings with
	// unsaved changes).
	refused bool
}

func showPrevious(t *testing.T, h *harness) {
	t.Helper()
	h.submit("0903123123")
	h.waitState(stateFound)
}

func focus(h *harness, w fyne.Focusable) { h.d.win.Canvas().Focus(w) }

// headerButton finds the header's button with the given label.
func headerButton(t *testing.T, h *harness, label string) *deskButton {
	t.Helper()
	for _, o := range test.LaidOutObjects(h.d.ui.header.box) {
		if b, ok := o.(*deskButton); ok && b.Text == label {
			return b
		}
	}
	t.Fatalf("no header button %q", label)
	return nil
}

var routerCases = []routerCase{
	{name: "number entry", setup: func(t *testing.T, h *harness) { showPrevious(t, h) }},
	{name: "nothing focused", setup: func(t *testing.T, h *harness) { showPrevious(t, h); h.d.win.Canvas().Unfocus() }},
	{name: "Copy", setup: func(t *testing.T, h *harness) { showPrevious(t, h); focus(h, h.d.ui.panels.found.carrier.copy) }},
	{name: "recent entry", setup: func(t *testing.T, h *harness) { showPrevious(t, h); focus(h, h.d.ui.recent.buttons[0]) }},
	{name: "Settings button", setup: func(t *testing.T, h *harness) {
		showPrevious(t, h)
		focus(h, headerButton(t, h, tr("error.settings")))
	}},
	{name: "About button", setup: func(t *testing.T, h *harness) { showPrevious(t, h); focus(h, headerButton(t, h, "")) }},
	{name: "shop picker", setup: func(t *testing.T, h *harness) { showPrevious(t, h); focus(h, h.d.ui.header.picker.button) }},
	{name: "shop list open", setup: func(t *testing.T, h *harness) {
		showPrevious(t, h)
		test.Tap(h.d.ui.header.picker.button)
		if h.d.ui.header.picker.popup == nil {
			t.Fatal("the shop list did not open")
		}
	}},
	{name: "shop list closed with Esc", setup: func(t *testing.T, h *harness) {
		showPrevious(t, h)
		test.Tap(h.d.ui.header.picker.button)
		press(h, fyne.KeyEscape)
		if h.d.ui.header.picker.popup != nil || h.d.model.state != stateFound {
			t.Fatal("Esc must close the shop list and leave the member")
		}
	}},
	{name: "Retry", setup: func(t *testing.T, h *harness) {
		h.submit("0900000002")
		h.waitState(stateError)
		focus(h, h.d.ui.panels.retryButton)
	}},
	{name: "About open", setup: func(t *testing.T, h *harness) { showPrevious(t, h); h.d.onAbout() }},
	{name: "About open, Close focused", setup: func(t *testing.T, h *harness) {
		showPrevious(t, h)
		h.d.onAbout()
		press(h, fyne.KeyTab) // nothing but Close can take the focus... or a desk button
		if h.d.win.Canvas().Focused() == nil {
			t.Fatal("Tab focused nothing")
		}
	}},
	{name: "Settings, unchanged", setup: func(t *testing.T, h *harness) {
		showPrevious(t, h)
		h.d.onOpenSettings()
		focus(h, h.d.settings.entries[settings.FieldScope])
	}},
	{name: "Settings, language picker", setup: func(t *testing.T, h *harness) {
		showPrevious(t, h)
		h.d.onOpenSettings()
		focus(h, h.d.settings.language)
	}},
	{name: "Settings, changed", refused: true, setup: func(t *testing.T, h *harness) {
		showPrevious(t, h)
		h.d.onOpenSettings()
		h.d.settings.entries[settings.FieldIdleClear].SetText("120")
		focus(h, h.d.settings.entries[settings.FieldScope])
	}},
}

// TestEveryScanIsLookedUpOrVisiblyRefused is the router's table: every focusable
// widget and overlay × every way a scanner ends a code.
func TestEveryScanIsLookedUpOrVisiblyRefused(t *testing.T) {
	for _, rc := range routerCases {
		for mode, scan := range scanModes {
			t.Run(rc.name+"/"+mode, func(t *testing.T) {
				h := newHarness(t, LangEnglish, Options{Backend: &fakeBackend{}, Settings: provisioned(),
					Shops: provisioned().Settings.Shops})
				h.lookup.set("0903123123", reply{member: sampleMember()})
				next := sampleMember()
				next.ID, next.Name, next.Carrier = "-NEXT", "Next Customer", service.Carrier{Code: "/NEXT123", Valid: true}
				h.lookup.set(scanNumber, reply{member: next})
				h.lookup.set("0900000002", reply{err: &service.Error{Kind: service.KindServer, StatusCode: 500}})
				rc.setup(t, h)
				before := h.lookup.callCount()
				keysApart(h, 3*time.Millisecond)
				scan(h, scanNumber)

				if rc.refused {
					f := h.d.settings
					if f == nil || f.status.Text != tr("settings.scan_refused") || h.lookup.callCount() != before {
						t.Fatalf("not refused visibly: settings open %v, %d lookups", f != nil, h.lookup.callCount()-before)
					}
					for field, e := range f.entries {
						if strings.Contains(e.Text, scanNumber[4:]) {
							t.Errorf("the scan went into field %s: %q", field, e.Text)
						}
					}
					return
				}
				h.waitState(stateFound)
				calls := h.lookup.calls[before:]
				if len(calls) != 1 || calls[0] != scanNumber {
					t.Fatalf("lookups after the scan %q, want one of %s", calls, scanNumber)
				}
				if h.d.model.member.ID != "-NEXT" || h.d.ui.panels.found.carrier.text.Text() != "/NEXT123" {
					t.Errorf("on screen: member %q, carrier %q", h.d.model.member.ID, h.d.ui.panels.found.carrier.text.Text())
				}
				if h.d.settings != nil || h.d.ui.info.popup != nil || h.d.ui.header.picker.popup != nil {
					t.Error("something still covers the answer")
				}
				if h.d.win.Canvas().Focused() != h.d.ui.entry {
					t.Error("the entry does not have the focus for the next scan")
				}
			})
		}
	}
}
