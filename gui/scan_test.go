package gui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Scanners set to end a code with nothing: the desk looks a whole mobile number up by
// itself when it arrived as one fast burst and nothing followed (onScanBurst).

// keysApart makes the desk's clock advance by gap at every reading, so that each typed
// character is gap after the one before.
func keysApart(h *harness, gap time.Duration) {
	t := fixedNow
	h.d.now = func() time.Time {
		t = t.Add(gap)
		return t
	}
}

func TestScanWithoutEnterIsLookedUp(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0912345678", reply{member: sampleMember()})
	keysApart(h, 3*time.Millisecond)
	test.Type(h.d.ui.entry, "0912345678")
	if n := h.lookup.callCount(); n != 0 {
		t.Fatalf("%d lookups before the scan went quiet", n)
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
	h.fireQuiet() // the quiet timer of the burst comes after the Enter
	h.drainStates()
	if n := h.lookup.callCount(); n != 1 {
		t.Fatalf("%d lookups, want 1", n)
	}
}

func TestNumberTypedByHandWaitsForEnter(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	keysApart(h, 120*time.Millisecond) // a quick typist
	test.Type(h.d.ui.entry, "0912345678")
	if len(h.quiet) != 0 {
		t.Fatalf("%d quiet timers started for typing by hand", len(h.quiet))
	}
}

func TestBurstIsOnlyAScanWhenItIsTheWholeText(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	keysApart(h, 200*time.Millisecond)
	test.Type(h.d.ui.entry, "09") // typed by hand, then fast characters that complete a number
	keysApart(h, 3*time.Millisecond)
	test.Type(h.d.ui.entry, "12345678")
	if h.d.ui.entry.Text != "0912345678" {
		t.Fatalf("the entry holds %q", h.d.ui.entry.Text)
	}
	h.fireQuiet()
	assertNotSubmitted(t, h)
}

func TestLongerCodeIsNotCutShort(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	keysApart(h, 3*time.Millisecond)
	// A product barcode whose first ten digits look like a mobile number.
	test.Type(h.d.ui.entry, "0912345678123")
	if len(h.quiet) == 0 {
		t.Fatal("no quiet timer was started at the tenth digit: this test proves nothing")
	}
	h.fireQuiet()
	assertNotSubmitted(t, h)
}

func TestEditingKeyEndsTheScan(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	keysApart(h, 3*time.Millisecond)
	test.Type(h.d.ui.entry, "0912345678")
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft}) // the cashier starts correcting it
	h.fireQuiet()
	assertNotSubmitted(t, h)
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

// assertNotSubmitted fails if the entry's text was submitted. The lookup itself runs on
// its own goroutine; the submit and the loading state happen at once.
func assertNotSubmitted(t *testing.T, h *harness) {
	t.Helper()
	if h.d.lastSubmit != "" || h.d.model.state != stateIdle {
		t.Fatalf("%q was submitted (state %s)", h.d.ui.entry.Text, h.d.model.state)
	}
}
