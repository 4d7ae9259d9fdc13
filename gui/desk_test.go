package gui

import (
	"context"
	"encoding/json"
	"image/color"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ocard-desk/ocard-desk/resources"
	"github.com/ocard-desk/ocard-desk/service"
)

func TestInvalidNumberIsExplainedAndNothingIsSent(t *testing.T) {
	for _, input := range []string{"12345", "0212345678", "09123456789", "abc", ""} {
		h := newHarness(t, LangEnglish, Options{})
		h.submit(input)
		h.waitState(stateInvalid)
		if n := h.lookup.callCount(); n != 0 {
			t.Errorf("%q: %d lookups sent for an invalid number", input, n)
		}
		if !h.d.ui.inlineError.Visible() || h.d.ui.inlineError.Text == "" {
			t.Errorf("%q: no inline explanation", input)
		}
	}
}

func TestScannerFormsAreNormalised(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("+886 903-123-123\r")
	h.waitState(stateFound)
	if got := h.lookup.calls; len(got) != 1 || got[0] != "0903123123" {
		t.Fatalf("lookups = %v, want [0903123123]", got)
	}
}

func TestFoundShowsEveryField(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	w, codes := h.d.ui.panels.found.card, h.d.ui.panels.found.carrier
	checks := map[string]string{
		"name": w.name.Text, "tier": w.tier.Text, "id": w.memberID.Text, "mobile": w.mobile.Text,
		"points": w.points.Text, "spent": w.spent.Text, "convert": w.convert.Text, "gifts": w.gifts.Text,
		"title": w.cardTitle.Text, "carrier": codes.text.Text(),
	}
	want := map[string]string{
		"name": "Chien YH", "tier": "VIP_LV1 測試", "id": "-JR04E188", "mobile": "0903***908",
		"points": "14,518", "spent": "1,579", "convert": "100", "gifts": "10", "title": "電子集點", "carrier": "/XXX1XXX",
	}
	for k, v := range want {
		if !strings.Contains(checks[k], v) {
			t.Errorf("%s = %q, want it to contain %q", k, checks[k], v)
		}
	}
	if codes.barcode.img.Image == nil || codes.qr.img.Image == nil {
		t.Error("carrier codes not drawn")
	}
	if h.d.win.Canvas().Focused() != h.d.ui.entry {
		t.Error("entry lost focus after the lookup")
	}
	if h.d.ui.entry.SelectedText() != "0903123123" {
		t.Errorf("entry selection = %q, want the whole number so the next scan replaces it", h.d.ui.entry.SelectedText())
	}
}

func TestNoFullPhoneNumberOnScreen(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.d.ui.entry.SetText("") // the entry holds what the cashier typed; everything else must be masked
	markup := renderMarkup(t, h.d.win.Canvas())
	for _, full := range []string{"0903123123", "0903515908"} {
		if strings.Contains(markup, full) {
			t.Errorf("full number %s rendered on screen", full)
		}
	}
}

func TestDoubleScanIsIgnored(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	now := fixedNow
	h.d.now = func() time.Time { return now }
	h.submit("0903123123")
	h.waitState(stateFound)
	now = now.Add(300 * time.Millisecond)
	h.submit("0903123123")
	if n := h.lookup.callCount(); n != 1 {
		t.Fatalf("a re-scan 300 ms later sent %d lookups, want 1", n)
	}
	now = now.Add(2 * time.Second)
	h.submit("0903123123")
	h.waitState(stateFound)
	if n := h.lookup.callCount(); n != 2 {
		t.Fatalf("a scan 2 s later sent %d lookups in all, want 2", n)
	}
}

func TestNewerLookupWinsAndStaleReplyIsDropped(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.cancelNotify = make(chan string, 4)
	first, second := sampleMember(), sampleMember()
	second.ID, second.Name = "SECOND", "Second Member"
	gateA, gateB := make(chan struct{}), make(chan struct{})
	h.lookup.set("0911111111", reply{member: first, gate: gateA})
	h.lookup.set("0922222222", reply{member: second, gate: gateB})
	h.submit("0911111111")
	h.waitState(stateLoading)
	h.submit("0922222222")
	h.waitState(stateLoading)
	if h.d.ui.panels.found.card.name.Text != "—" {
		t.Fatalf("a member is visible while loading: %q", h.d.ui.panels.found.card.name.Text)
	}
	close(gateB)
	h.waitState(stateFound)
	close(gateA) // the first lookup was cancelled; even if it answered, it must not show
	if h.d.model.member.ID != "SECOND" || h.d.ui.panels.found.card.name.Text != "Second Member" {
		t.Fatalf("showing %q, want the second member", h.d.ui.panels.found.card.name.Text)
	}
	select {
	case got := <-h.lookup.cancelNotify:
		if got != "0911111111" {
			t.Errorf("cancelled lookup of %s, want the first", got)
		}
	case <-time.After(5 * time.Second): // only turns a hang into a failure
		t.Error("the first lookup was never cancelled")
	}
}

func TestStaleReplyAfterNewerStartIsDropped(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	first := sampleMember()
	first.ID = "FIRST"
	h.lookup.set("0911111111", reply{member: first})
	h.submit("0911111111")
	// The reply is queued for the UI goroutine but not yet shown; a new scan starts.
	h.lookup.set("0922222222", reply{member: sampleMember(), gate: make(chan struct{})})
	h.submit("0922222222")
	h.runNext() // the first lookup's reply arrives after the second started
	if h.d.model.state != stateLoading || h.d.model.member.ID == "FIRST" {
		t.Fatalf("stale reply shown: state %s member %q", h.d.model.state, h.d.model.member.ID)
	}
}

func TestEscapeClearsAndF5HasNothingToRepeat(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.d.model.state != stateIdle || h.d.ui.entry.Text != "" || h.d.ui.panels.found.card.name.Text != "—" {
		t.Fatalf("after Esc: state %s, entry %q, name %q", h.d.model.state, h.d.ui.entry.Text, h.d.ui.panels.found.card.name.Text)
	}
	// After Esc there is nothing to repeat: F5 must not bring the cleared member back.
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF5})
	if n := h.lookup.callCount(); n != 1 || h.d.model.state != stateIdle {
		t.Fatalf("F5 after Esc: %d lookups in all, state %s", n, h.d.model.state)
	}
	h.submit("0903123123")
	h.waitState(stateFound)
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF5})
	h.waitState(stateFound)
	if n := h.lookup.callCount(); n != 3 {
		t.Fatalf("F5 after a lookup: %d lookups in all, want 3", n)
	}
	// Regression: after a result the text is selected; Esc then a scan must keep every digit.
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	test.Type(h.d.ui.entry, "0912345678")
	if h.d.ui.entry.Text != "0912345678" {
		t.Fatalf("scan after Esc produced %q", h.d.ui.entry.Text)
	}
}

func TestSecondScanWhileLoadingReplacesTheFirst(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	second := sampleMember()
	second.ID = "SECOND"
	h.lookup.set("0911111111", reply{member: sampleMember(), gate: make(chan struct{})})
	h.lookup.set("0922222222", reply{member: second})
	test.Type(h.d.ui.entry, "0911111111")
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(h.d.ui.entry, "0922222222") // the scanner fires again before the answer
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitState(stateFound)
	if h.d.model.member.ID != "SECOND" {
		t.Fatalf("showing %q after two quick scans (entry %q)", h.d.model.member.ID, h.d.ui.entry.Text)
	}
}

func TestScanReplacesSelectedNumber(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	test.Type(h.d.ui.entry, "0912345678") // no clear: the selection is replaced, as with a real scanner
	if h.d.ui.entry.Text != "0912345678" {
		t.Fatalf("second scan produced %q", h.d.ui.entry.Text)
	}
}

func TestRetryAfterError(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{err: &service.Error{Kind: service.KindTimeout}})
	h.submit("0903123123")
	h.waitState(stateError)
	if !h.d.ui.panels.retryButton.Visible() || h.d.ui.panels.settingsBtn.Visible() {
		t.Fatal("a timeout offers Retry and no Settings")
	}
	h.lookup.set("0903123123", reply{member: sampleMember()})
	test.Tap(h.d.ui.panels.retryButton)
	h.waitState(stateFound)
}

func TestAuthErrorOffersSettings(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{err: &service.Error{Kind: service.KindAuth, StatusCode: 401}})
	h.submit("0903123123")
	h.waitState(stateError)
	if !h.d.ui.panels.settingsBtn.Visible() {
		t.Fatal("an authentication error must offer Settings")
	}
}

func TestTypingWithNothingFocusedGoesToTheEntry(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	c := h.d.win.Canvas()
	c.Unfocus()
	test.TypeOnCanvas(c, "0903123123")
	c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitState(stateFound)
	if h.d.ui.entry.Text != "0903123123" {
		t.Fatalf("entry = %q", h.d.ui.entry.Text)
	}
}

func TestRecentKeepsTenMaskedAndReplays(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	for i := 0; i < 12; i++ {
		h.submit("09000000" + string(rune('1'+i/10)) + string(rune('0'+i%10)))
		h.waitState(stateNotMember)
	}
	if n := len(h.d.model.recent); n != maxRecent {
		t.Fatalf("recent has %d numbers, want %d", n, maxRecent)
	}
	first := h.d.ui.recent.buttons[0]
	h.d.ui.entry.clear() // the entry holds what was typed; the list must be masked
	btnText := renderMarkup(t, h.d.win.Canvas())
	if strings.Contains(btnText, "0900000021") {
		t.Fatal("recent list shows a full number")
	}
	before := h.lookup.callCount()
	first.Tapped(&fyne.PointEvent{})
	h.waitState(stateNotMember)
	if h.lookup.callCount() != before+1 || h.lookup.calls[before] != "0900000021" {
		t.Fatalf("tapping the newest recent entry looked up %v", h.lookup.calls[before:])
	}
}

func TestIdleAutoClearRemovesTheMember(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{IdleClear: 20 * time.Millisecond})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.fireIdle()
	h.waitState(stateIdle)
	markup := renderMarkup(t, h.d.win.Canvas())
	for _, leak := range []string{"Chien YH", "JR04E188", "14,518", "XXX1XXX", "0903***"} {
		if strings.Contains(markup, leak) {
			t.Errorf("after the auto-clear the window still holds %q", leak)
		}
	}
	if h.d.ui.entry.Text != "" || h.d.win.Canvas().Focused() != h.d.ui.entry {
		t.Errorf("entry %q focused=%v after the auto-clear", h.d.ui.entry.Text, h.d.win.Canvas().Focused() == h.d.ui.entry)
	}
}

func TestAvatarDoesNotHoldUpTheText(t *testing.T) {
	gate := make(chan struct{})
	av := &fakeAvatars{img: solidImage(color.Black), gate: gate}
	h := newHarness(t, LangEnglish, Options{Avatars: av})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	if h.d.ui.panels.found.card.name.Text != "Chien YH" || h.d.ui.panels.found.card.avatar.Image != h.d.placeholderAvatar() {
		t.Fatal("member text must show, with the placeholder, while the avatar loads")
	}
	close(gate)
	h.runNext()
	if h.d.ui.panels.found.card.avatar.Image == h.d.placeholderAvatar() {
		t.Fatal("avatar not shown once loaded")
	}
}

func TestTranslationsAreComplete(t *testing.T) {
	keys := map[string]map[string]string{}
	for _, l := range languages {
		data, err := resources.Translations.ReadFile("translations/" + l + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		keys[l] = m
	}
	used := map[string]bool{}
	re := regexp.MustCompile(`tr\("([a-z_.]+)"`)
	files, _ := os.ReadDir(".")
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		src, _ := os.ReadFile(f.Name())
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	var missing []string
	for k := range used {
		for _, l := range languages {
			if keys[l][k] == "" {
				missing = append(missing, l+":"+k)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("untranslated keys: %v", missing)
	}
	if len(used) < 30 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
}

func TestLookupAgainstCancelledContextIsQuiet(t *testing.T) {
	// A cancelled lookup (the cashier scanned again) must never show an error.
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0911111111", reply{member: sampleMember(), gate: make(chan struct{})})
	h.submit("0911111111")
	h.d.onEscape()
	h.runNext()
	if h.d.model.state != stateIdle {
		t.Fatalf("state %s after a cancelled lookup answered", h.d.model.state)
	}
	_ = context.Canceled
}

func renderMarkup(t *testing.T, c fyne.Canvas) string {
	t.Helper()
	return test.RenderToMarkup(c)
}

func TestScannerEndingWithTabSubmits(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	test.Type(h.d.ui.entry, "0903123123")
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	h.waitState(stateFound)
	if h.d.win.Canvas().Focused() != h.d.ui.entry {
		t.Fatal("focus left the entry after a Tab-terminated scan")
	}
}

func TestTabInEmptyEntryMovesFocusOn(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if h.d.win.Canvas().Focused() == h.d.ui.entry {
		t.Fatal("Tab in an empty entry must move the focus on")
	}
}

func TestScanWhileAButtonHasFocusGoesToTheEntry(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{err: &service.Error{Kind: service.KindTimeout}})
	h.submit("0903123123")
	h.waitState(stateError)
	h.d.win.Canvas().Focus(h.d.ui.panels.retryButton) // as after Tab
	h.lookup.set("0912345678", reply{member: sampleMember()})
	test.Type(h.d.win.Canvas().Focused(), "0912345678")
	h.d.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitState(stateFound)
	if got := h.lookup.calls[len(h.lookup.calls)-1]; got != "0912345678" {
		t.Fatalf("looked up %q", got)
	}
}

func TestAboutShowsTheBuild(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.d.onAbout()
	markup := test.RenderToMarkup(h.d.win.Canvas())
	for _, want := range []string{service.Version, service.Commit, service.BuildDate} {
		if !strings.Contains(markup, want) {
			t.Errorf("About does not show %q", want)
		}
	}
}

func TestAnswerArrivingMidScanDoesNotGarbleTheNextNumber(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0911111111", reply{member: sampleMember()})
	test.Type(h.d.ui.entry, "0911111111")
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(h.d.ui.entry, "0955") // the next scan has begun…
	h.waitState(stateFound)         // …when the first answer arrives
	test.Type(h.d.ui.entry, "555555")
	if got := h.d.ui.entry.Text; got != "0955555555" {
		t.Fatalf("the second scan became %q", got)
	}
}

// TestPanelsAreBuiltOnFirstUse: the window starts with only its starting panel built
// (the rest would be measured, with every text style's font, before the first frame),
// the found panel is built while the first answer is on its way, and a scan made at
// once after start still shows its member.
func TestPanelsAreBuiltOnFirstUse(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	for s := range stateCount {
		if built := h.d.ui.panels.built[s] != nil; built != (s == stateIdle) {
			t.Errorf("at start the %s panel is built: %v", s, built)
		}
	}
	if len(h.d.ui.panels.body.Objects) != 1 {
		t.Errorf("at start the body holds %d panels, want 1", len(h.d.ui.panels.body.Objects))
	}
	gate := make(chan struct{})
	h.lookup.set("0903123123", reply{member: sampleMember(), gate: gate})
	h.submit("0903123123")
	h.waitState(stateLoading)
	if h.d.ui.panels.built[stateFound] == nil || h.d.ui.panels.built[stateFound].Visible() {
		t.Error("while loading, the found panel is not built, or it shows")
	}
	close(gate)
	h.waitState(stateFound)
	if !h.d.ui.panels.built[stateFound].Visible() || h.d.ui.panels.built[stateLoading].Visible() || h.d.ui.panels.built[stateIdle].Visible() {
		t.Error("the found state does not show exactly the found panel")
	}
	if got := h.d.ui.panels.found.card.name.Text; got != "Chien YH" {
		t.Errorf("name %q, want Chien YH", got)
	}
	if h.d.ui.panels.built[stateError] != nil || h.d.ui.panels.built[stateWelcome] != nil {
		t.Error("panels of states never shown were built")
	}
}

// TestWelcomeStartBuildsOnlyTheWelcomePanel: the first-run screen starts from its own
// panel, and the idle panel is built when the demo starts.
func TestWelcomeStartBuildsOnlyTheWelcomePanel(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{Welcome: true, SetupProblem: service.ErrConfig})
	if h.d.model.state != stateWelcome {
		t.Fatalf("state %s, want welcome", h.d.model.state)
	}
	for s := range stateCount {
		if built := h.d.ui.panels.built[s] != nil; built != (s == stateWelcome) {
			t.Errorf("at start the %s panel is built: %v", s, built)
		}
	}
}
