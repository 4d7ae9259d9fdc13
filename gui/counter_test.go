package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// What a busy counter does that the straight path does not.

// A double click on a recent entry is one lookup: the list re-orders under the pointer
// when the first answer comes, and the second click used to look up another member.
func TestDoubleClickOnARecentEntryLooksUpOnce(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	for _, n := range []string{"0911111111", "0922222222"} {
		h.submit(n)
		h.waitState(stateNotMember)
	}
	before := h.lookup.callCount()
	older := h.d.ui.recent.buttons[1]
	test.Tap(older) // 0911111111
	h.waitState(stateNotMember)
	test.Tap(h.d.ui.recent.buttons[1]) // the list has re-ordered: now 0922222222
	if calls := h.lookup.calls[before:]; len(calls) != 1 || calls[0] != "0911111111" {
		t.Fatalf("a double click looked up %q", calls)
	}
}

// An unconfigured desk keeps "needs setup", with its exact reason, through a scan,
// Esc and the idle auto-clear.
func TestNeedsSetupStaysUntilSetUp(t *testing.T) {
	broken := &service.Error{Kind: service.KindConfig, Field: "shops", Detail: "/etc/ocard-desk.json: shops[1].id: expected a string"}
	for name, opts := range map[string]Options{
		"nothing configured": {Backend: &fakeBackend{}, Welcome: true, SetupProblem: service.ErrConfig},
		"broken file":        {Backend: &fakeBackend{}, SetupProblem: broken, Settings: settings.Resolved{ProvisionErr: broken}},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, LangEnglish, opts)
			note := h.d.ui.panels.welcomeNote.Text
			for _, step := range []func(){
				func() { h.submit("0903123123") },
				func() { h.submit("12345") }, // a typo: nothing to look up either
				func() { h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) },
				func() { h.d.clearForPrivacy() },
			} {
				step()
				if h.d.model.state != stateWelcome || h.d.ui.panels.welcomeNote.Text != note {
					t.Fatalf("state %s, note %q; want welcome with %q", h.d.model.state, h.d.ui.panels.welcomeNote.Text, note)
				}
			}
		})
	}
}

// Scanning the customer's e-invoice carrier, or a product, instead of the member's
// phone says what was scanned.
func TestScannedCarrierOrProductIsNamed(t *testing.T) {
	for text, want := range map[string]string{
		"/XXX1XXX":      "invalid.carrier.title",
		"/abc+1.-":      "invalid.carrier.title", // typed in lower case
		"4710088412345": "invalid.product.title", // EAN-13
		"12345":         "invalid.title",
	} {
		for _, l := range languages {
			h := newHarness(t, l, Options{})
			h.submit(text)
			h.waitState(stateInvalid)
			if got := h.d.ui.panels.invalidText.Text; got != tr(want) || strings.HasPrefix(got, "invalid.") {
				t.Errorf("%s (%s): %q, want %s", text, l, got, want)
			}
			if h.lookup.callCount() != 0 {
				t.Errorf("%s: a lookup was sent", text)
			}
		}
	}
}

// A hostile name from the member system is shown escaped: a bidi override must not
// reverse the rest of the line, nor a control character reach the screen.
func TestHostileNameIsShownEscaped(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	m := sampleMember()
	m.Name, m.GroupName = "\u202eevil\u0007\u001b[31mred", "\u2067tier"
	h.lookup.set("0903123123", reply{member: m})
	h.submit("0903123123")
	h.waitState(stateFound)
	w := h.d.ui.panels.found.card
	if w.name.Text != `\u202eevil\u0007\u001b[31mred` || w.tier.Text != `\u2067tier` {
		t.Fatalf("name %q, tier %q", w.name.Text, w.tier.Text)
	}
}

// A scan straight after a tap on a recent entry, before that lookup's answer, replaces
// the tapped number: it used to be mixed into it and read as "not a mobile number"
// (found as the e2e TestRecentDoubleClickAndF5AfterEsc failing under load). A click on
// a button leaves Fyne's focus where it was (Tapped is called directly: Fyne's test
// driver unfocuses on a tap, GLFW does not); the scan may also start on the list.
func TestScanWhileARecentEntryIsLoadingReplacesIt(t *testing.T) {
	for name, focusBeforeTap := range map[string]func(h *harness) fyne.Focusable{
		"focus in the entry":       func(h *harness) fyne.Focusable { return h.d.ui.entry },
		"focus on the recent list": func(h *harness) fyne.Focusable { return h.d.ui.recent.buttons[1] },
		"nothing focused":          func(h *harness) fyne.Focusable { return nil },
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, LangEnglish, Options{})
			for _, n := range []string{"0911111111", "0922222222"} {
				h.submit(n)
				h.waitState(stateNotMember)
			}
			if f := focusBeforeTap(h); f != nil {
				h.d.win.Canvas().Focus(f)
			} else {
				h.d.win.Canvas().Unfocus()
			}
			h.lookup.set("0911111111", reply{member: sampleMember(), gate: make(chan struct{})})
			h.d.ui.recent.buttons[1].Tapped(&fyne.PointEvent{}) // 0911111111, its answer held back
			if h.d.model.state != stateLoading {
				t.Fatalf("state %s after the tap, want loading", h.d.model.state)
			}
			test.TypeOnCanvas(h.d.win.Canvas(), "0933333333")
			if h.d.ui.entry.Text != "0933333333" {
				t.Fatalf("a scan during the tapped lookup left %q in the entry", h.d.ui.entry.Text)
			}
			h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			h.waitState(stateNotMember)
			if calls := h.lookup.calls; calls[len(calls)-1] != "0933333333" {
				t.Fatalf("looked up %q last", calls[len(calls)-1])
			}
		})
	}
}
