package gui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// Scanners set to end a code with nothing: the desk looks a whole mobile number up by
// itself when it arrived as one fast burst and nothing followed (onScanBurst).

// keysApart makes the desk's clock advance by gap at every reading, from where it
// stands, so that each typed character is gap after the one before.
func keysApart(h *harness, gap time.Duration) {
	if h.clock.IsZero() {
		h.clock = fixedNow
	}
	h.d.now = func() time.Time {
		h.clock = h.clock.Add(gap)
		return h.clock
	}
}

func TestScanWithoutEnterIsLookedUp(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0912345678", reply{member: sampleMember()})
	keysApart(h, 3*time.Millisecond)
	test.Type(h.d.ui.entry, "0912345678")
	if h.d.lastSubmit != "" {
		t.Fatal("submitted before the scan went quiet")
	}
	h.fireQuiet()
	h.waitState(stateFound)
	if got := h.lookup.calls; len(got) != 1 || got[0] != "0912345678" {
		t.Fatalf("lookups %q, want one of 0912345678", got)
	}
	// As after Enter: the number is selected, so the next scan replaces it.
	keysApart(h, 3*time.Millisecond)
	test.Type(h.d.ui.entry, "0955555555")
	if h.d.ui.entry.Text != "0955555555" {
		t.Fatalf("the next scan made %q", h.d.ui.entry.Text)
	}
}

func TestScanWithEnterIsLookedUpOnce(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0912345678", reply{member: sampleMember()})
	keysApart(h, 3*time.Millisecond)
	test.Type(h.d.ui.entry, "0912345678")
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitState(stateFound)
	// The burst's quiet timer comes after the Enter. Past the double-scan window, so
	// that only the ended burst can keep it from looking the number up again.
	keysApart(h, 2*doubleScanWindow)
	submitted := h.d.lastSubmitAt
	h.fireQuiet()
	if h.d.lastSubmitAt != submitted || h.d.model.state != stateFound {
		t.Fatalf("the number was submitted again (state %s)", h.d.model.state)
	}
}

func TestNumberTypedByHandWaitsForEnter(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	keysApart(h, 120*time.Millisecond) // a quick typist
	test.Type(h.d.ui.entry, "0912345678")
	if h.quietTimers() != 0 {
		t.Fatalf("%d quiet timers started for typing by hand", h.quietTimers())
	}
}

// Fyne hands every key to TypedKey before its rune arrives: a digit key must not end
// the burst it belongs to.
func TestDigitKeysDoNotEndTheScan(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0912345678", reply{member: sampleMember()})
	keysApart(h, 3*time.Millisecond)
	for _, r := range "0912345678" {
		h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyName(string(r))})
		h.d.ui.entry.TypedRune(r)
	}
	h.fireQuiet()
	h.waitState(stateFound)
}

// TestScanNotSubmitted: what the quiet timer must leave alone.
func TestScanNotSubmitted(t *testing.T) {
	scan := func(h *harness, text string) {
		keysApart(h, 3*time.Millisecond)
		test.Type(h.d.ui.entry, text)
	}
	cases := map[string]func(t *testing.T, h *harness){
		// Typed by hand, then fast characters that complete a number: not all one burst.
		"typed, then fast": func(t *testing.T, h *harness) {
			keysApart(h, 200*time.Millisecond)
			test.Type(h.d.ui.entry, "09")
			h.clock = h.clock.Add(time.Second)
			scan(h, "12345678")
			if h.d.ui.entry.Text != "0912345678" {
				t.Fatalf("the entry holds %q", h.d.ui.entry.Text)
			}
		},
		// A product barcode whose first ten digits look like a mobile number.
		"longer code": func(t *testing.T, h *harness) {
			scan(h, "0912345678123")
			if h.quietTimers() == 0 {
				t.Fatal("no quiet timer was started at the tenth digit: this case proves nothing")
			}
		},
		// The cashier starts correcting the number.
		"editing key": func(t *testing.T, h *harness) {
			scan(h, "0912345678")
			h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
		},
		"editing shortcut": func(t *testing.T, h *harness) {
			scan(h, "0912345678")
			h.d.ui.entry.TypedShortcut(&fyne.ShortcutSelectAll{})
		},
		// The entry's context menu can undo without a key.
		"text changed without a key": func(t *testing.T, h *harness) {
			scan(h, "0912345678")
			h.d.ui.entry.Entry.SetText("0955555555")
		},
	}
	for name, act := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, LangEnglish, Options{})
			act(t, h)
			h.fireQuiet()
			assertNotSubmitted(t, h)
		})
	}
}

// assertNotSubmitted fails if the entry's text was submitted. The lookup itself runs on
// its own goroutine; the submit and the loading state happen at once.
func assertNotSubmitted(t *testing.T, h *harness) {
	t.Helper()
	if h.d.lastSubmit != "" || h.d.model.state != stateIdle {
		t.Fatalf("%q was submitted (state %s)", h.d.ui.entry.Text, h.d.model.state)
	}
}

// A busy UI goroutine in the middle of a scan stretches one gap and bunches up the
// characters after it; the scan is still a scan.
func TestScanSpreadByABusyMomentIsLookedUp(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0912345678", reply{member: sampleMember()})
	keysApart(h, 3*time.Millisecond)
	test.Type(h.d.ui.entry, "09123")
	keysApart(h, 180*time.Millisecond) // the UI goroutine was busy for 180 ms
	test.Type(h.d.ui.entry, "4")
	keysApart(h, time.Millisecond) // the characters typed meanwhile, all at once
	test.Type(h.d.ui.entry, "5678")
	h.fireQuiet()
	h.waitState(stateFound)
}

// A scanner in Alt-code mode: each digit comes as an Alt+keypad shortcut, then the rune.
func TestAltCodeScanIsLookedUp(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0912345678", reply{member: sampleMember()})
	keysApart(h, 3*time.Millisecond)
	for _, r := range "0912345678" {
		h.d.ui.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyName(string(r)), Modifier: fyne.KeyModifierAlt})
		h.d.ui.entry.TypedRune(r)
	}
	h.fireQuiet()
	h.waitState(stateFound)
}

// A scan while the About panel is open closes it, so the answer is not hidden behind it.
func TestScanClosesTheAboutPanel(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0912345678", reply{member: sampleMember()})
	h.d.onAbout()
	c := h.d.win.Canvas()
	if c.Overlays().Top() == nil {
		t.Fatal("About showed nothing")
	}
	test.TypeOnCanvas(c, "0912345678")
	enter := &fyne.KeyEvent{Name: fyne.KeyReturn}
	if f := c.Focused(); f != nil {
		f.TypedKey(enter)
	} else {
		c.OnTypedKey()(enter)
	}
	h.waitState(stateFound)
	if top := c.Overlays().Top(); top != nil && top.Visible() {
		t.Fatal("the About panel still covers the answer")
	}
	if h.d.ui.entry.Text != "0912345678" {
		t.Fatalf("the entry holds %q", h.d.ui.entry.Text)
	}
}
