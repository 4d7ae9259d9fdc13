package gui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"github.com/ocard-desk/ocard-desk/service/demo"
)

// Words a cashier understands (#13 point 10).

func TestExpiryRowsSayHowSoon(t *testing.T) {
	test.NewTempApp(t)
	SetLanguage(LangEnglish)
	now := time.Date(2026, 11, 27, 18, 30, 0, 0, time.Local)
	for _, c := range []struct {
		date time.Time
		want string
	}{
		{time.Date(2026, 11, 27, 0, 0, 0, 0, time.Local), "today"},
		{time.Date(2026, 11, 28, 0, 0, 0, 0, time.Local), "tomorrow"},
		{time.Date(2026, 12, 24, 0, 0, 0, 0, time.Local), "in 27 days"},
		{time.Date(2026, 11, 20, 0, 0, 0, 0, time.Local), "expired"},
	} {
		if got := howSoon(c.date, now); got != c.want {
			t.Errorf("%s: %q, want %q", c.date.Format(time.DateOnly), got, c.want)
		}
	}
	SetLanguage(LangZhTW)
	defer SetLanguage(LangEnglish)
	if got := howSoon(time.Date(2026, 12, 24, 0, 0, 0, 0, time.Local), now); got != "27 天後到期" {
		t.Errorf("zh-TW: %q", got)
	}
}

func TestFoundStatsAreWords(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	w := h.d.ui.panels.found.card
	for got, want := range map[string]string{w.spent.Text: "Points used 1,579", w.convert.Text: "Earns 1 point per NT$ 100",
		w.gifts.Text: "Gifts available 10"} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	// The sample card's content repeats its title: it is said once.
	if w.cardContent.Visible() || w.cardContent.Text != "" {
		t.Errorf("the content %q repeats the title and is still shown", w.cardContent.Text)
	}
	if got := h.d.ui.panels.found.expiring.rows[0].soon.Text; got != "in 18 days" {
		t.Errorf("first expiring row says %q", got)
	}
}

func TestCopySaysItCopied(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	copyButton := h.d.ui.panels.found.carrier.copy
	test.Tap(copyButton)
	if copyButton.Text != "Copied" {
		t.Fatalf("after Copy the button says %q", copyButton.Text)
	}
	h.fireIdle() // the feedback's timer; the idle clear is off in this harness
	if copyButton.Text != "Copy" {
		t.Fatalf("the feedback stays: %q", copyButton.Text)
	}
}

func TestNoEnglishPickerPlaceholderInChinese(t *testing.T) {
	h := newHarness(t, LangZhTW, Options{Backend: &fakeBackend{}, Settings: provisioned()})
	h.d.onOpenSettings()
	h.d.settings.language.ClearSelected()
	if markup := test.RenderToMarkup(h.d.win.Canvas()); strings.Contains(markup, "Select one") {
		t.Error(`the zh-TW settings show Fyne's English "(Select one)"`)
	}
}

func TestSavingSettingsConfirmsAndKeepsTheRecentList(t *testing.T) {
	b := &fakeBackend{}
	h := newHarness(t, LangEnglish, Options{Backend: b, Settings: provisioned()})
	b.lookup = h.lookup
	h.submit("0911111111")
	h.waitState(stateNotMember)
	h.d.onOpenSettings()
	h.d.settings.onSave()
	h.waitState(stateIdle)
	if !h.d.ui.notice.Visible() || h.d.ui.notice.Text != "Settings saved." {
		t.Errorf("no confirmation: %q", h.d.ui.notice.Text)
	}
	if len(h.d.model.recent) != 1 || h.d.model.recent[0] != "0911111111" {
		t.Errorf("recent list after saving: %v", h.d.model.recent)
	}
}

// Every demo number has a short label in both languages: the demo's English
// descriptions are long (the README's), and one left untranslated both put English on
// the zh-TW idle screen and made its list of numbers wider than the window.
func TestEveryDemoNumberHasAShortLabel(t *testing.T) {
	for _, l := range []string{LangEnglish, LangZhTW} {
		SetLanguage(l)
		for _, n := range demo.Numbers() {
			label := lang.X("demo."+n.Mobile, "")
			if label == "" || len([]rune(label)) > 32 {
				t.Errorf("%s: demo number %s has label %q, want a short translation", l, n.Mobile, label)
			}
		}
	}
	SetLanguage(LangEnglish)
}
