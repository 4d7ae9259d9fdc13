package gui

import (
	"context"
	"image"
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Activity while a member is on screen restarts the idle auto-clear; it must never
// cancel it (that kept a member, their number and carrier on screen until the next scan).
func TestActivityPostponesTheIdleClearInsteadOfCancellingIt(t *testing.T) {
	actions := map[string]func(h *harness){
		"Copy":          func(h *harness) { test.Tap(h.d.ui.panels.found.carrier.copy) },
		"About":         func(h *harness) { h.d.onAbout(); h.d.closeOverlays() },
		"Ctrl+L":        func(h *harness) { h.d.ui.entry.TypedShortcut(focusShortcuts[0]) },
		"Settings":      func(h *harness) { h.d.onOpenSettings(); h.d.settings.onCancel() },
		"the same shop": func(h *harness) { h.d.onShopPicked(h.d.conn.shopID) },
	}
	for name, act := range actions {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, LangEnglish, Options{IdleClear: time.Minute, Backend: &fakeBackend{}, Settings: provisioned(),
				Shops: provisioned().Settings.Shops})
			h.lookup.set("0903123123", reply{member: sampleMember()})
			h.submit("0903123123")
			h.waitState(stateFound)
			act(h)
			h.fireIdle()
			if h.d.model.state != stateIdle || h.d.model.member.ID != "" {
				t.Fatalf("after %s and the idle time the window shows state %s, member %q", name, h.d.model.state, h.d.model.member.ID)
			}
		})
	}
}

// Settings opened while a lookup is under way: the answer is there when Settings
// closes with Cancel, never "Looking up…" for good; Save switches to the new connection.
func TestSettingsDuringALookup(t *testing.T) {
	for _, how := range []string{"Cancel", "Save"} {
		t.Run(how, func(t *testing.T) {
			b := &fakeBackend{}
			h := newHarness(t, LangEnglish, Options{Backend: b, Settings: provisioned()})
			b.lookup = h.lookup
			gate := make(chan struct{})
			h.lookup.set("0903123123", reply{member: sampleMember(), gate: gate})
			h.submit("0903123123")
			h.waitState(stateLoading)
			h.d.onOpenSettings()
			close(gate)
			h.waitState(stateFound) // drawn behind the form
			if how == "Cancel" {
				h.d.settings.onCancel()
				if h.d.model.state != stateFound || h.d.ui.panels.found.card.name.Text != "Chien YH" {
					t.Fatalf("after Cancel: state %s, name %q", h.d.model.state, h.d.ui.panels.found.card.name.Text)
				}
				return
			}
			h.d.settings.onSave()
			h.waitState(stateIdle)
			if h.d.settings != nil || h.d.model.state != stateIdle {
				t.Fatalf("after Save: settings open %v, state %s", h.d.settings != nil, h.d.model.state)
			}
		})
	}
}

// cancelRecorder is an avatar loader that waits for its context and remembers which
// fetches were cancelled.
type cancelRecorder struct {
	started, cancelled chan string
}

func (c *cancelRecorder) Fetch(ctx context.Context, url string) (image.Image, error) {
	c.started <- url
	<-ctx.Done()
	c.cancelled <- url
	return nil, ctx.Err()
}

// A newer lookup stops the avatar fetch of the member before it.
func TestNewerLookupCancelsTheOlderAvatarFetch(t *testing.T) {
	av := &cancelRecorder{started: make(chan string, 4), cancelled: make(chan string, 4)}
	h := newHarness(t, LangEnglish, Options{Avatars: av})
	first := sampleMember()
	first.AvatarURL = "http://127.0.0.1:1/first.png"
	h.lookup.set("0903123123", reply{member: first})
	h.submit("0903123123")
	h.waitState(stateFound)
	<-av.started
	h.submit("0912345678") // not a member: no avatar of its own
	h.waitState(stateNotMember)
	select {
	case url := <-av.cancelled:
		if url != first.AvatarURL {
			t.Fatalf("cancelled %q", url)
		}
	case <-time.After(5 * time.Second): // only turns a hang into a failure
		t.Fatal("the first member's avatar fetch was not cancelled by the next lookup")
	}
}

// Fyne closes its queue when the app quits; a reply that reaches it then must end
// quietly, not crash the app on its way out (seen once in 15 SIGTERMs). Any other
// panic is a bug and goes on.
func TestReplyAfterQuitIsDropped(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	closed := make(chan func())
	close(closed)
	h.d.runOnUI = func(f func()) { closed <- f } // as Fyne's queue after Quit
	h.d.onUI(func() { t.Error("ran after quit") })
	if !h.d.stopped.Load() {
		t.Error("the desk does not know the app stopped")
	}
	h.d.onUI(func() { t.Error("ran after stop") }) // dropped before reaching Fyne at all

	h2 := newHarness(t, LangEnglish, Options{})
	h2.d.runOnUI = func(func()) { panic("a real bug") }
	defer func() {
		if r := recover(); r != "a real bug" {
			t.Errorf("recovered %v, want the bug's panic to go on", r)
		}
	}()
	h2.d.onUI(func() {})
}

// The avatar stays when Settings or the Rewards view closes (the window is redrawn).
func TestAvatarSurvivesRedraws(t *testing.T) {
	avatar := solidImage(color.Black)
	h := newHarness(t, LangEnglish, Options{Avatars: &fakeAvatars{img: avatar}, Backend: &fakeBackend{}, Settings: provisioned()})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.runNext() // the avatar arrives
	shown := h.d.ui.panels.found.card.avatar.Image
	if shown == h.d.placeholderAvatar() {
		t.Fatal("the avatar never showed")
	}
	h.d.onOpenSettings()
	h.d.settings.onCancel()
	if got := h.d.ui.panels.found.card.avatar.Image; got == h.d.placeholderAvatar() {
		t.Error("Settings → Cancel lost the member's avatar")
	}
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if got := h.d.ui.panels.found.card.avatar.Image; got == h.d.placeholderAvatar() {
		t.Error("closing the Rewards view lost the member's avatar")
	}
}
