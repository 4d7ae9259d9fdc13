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
