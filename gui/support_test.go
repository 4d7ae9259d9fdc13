package gui

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service/diagnose"
	"github.com/ocard-desk/ocard-desk/service/logfile"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// sampleSupport is a desk's files at fixed places, for the golden tests.
func sampleSupport() Support {
	return Support{
		SettingsFile:  "/home/cashier/.config/ocard-desk/desk-settings.json",
		JournalFolder: "/home/cashier/.config/ocard-desk",
		LogFolder:     "/home/cashier/.local/state/ocard-desk",
		Diagnostics:   func(diagnose.Window, diagnose.UnresolvedCounter) string { return "diagnostics" },
	}
}

func TestGoldenAbout(t *testing.T) {
	defer func(saved string) { goos = saved }(goos)
	goos = "linux/amd64"
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{Support: sampleSupport()})
			h.d.onAbout()
			test.AssertRendersToMarkup(t, "about_"+l+".xml", h.d.win.Canvas())
		})
	}
}

// aboutButton is About's routed button labelled label.
func aboutButton(t *testing.T, h *harness, label string) *deskButton {
	t.Helper()
	for _, o := range test.LaidOutObjects(h.d.ui.info.popup.Content) {
		if b, ok := o.(*deskButton); ok && b.Text == label {
			return b
		}
	}
	t.Fatalf("About has no button %q", label)
	return nil
}

// About's folders are the session's real ones, each copied by its own button, and
// Copy diagnostics copies the real diagnostics, gathered off the UI goroutine, with
// Settings' last Test connection in them.
// (Checked to fail: with pathRow's button copying the label instead of the path.)
func TestAboutShowsTheRealFoldersAndCopiesThem(t *testing.T) {
	dir := t.TempDir()
	deskFile := settings.OpenDeskFile(filepath.Join(dir, "config", settings.DeskFileName), "")
	logFile := logfile.Open(logfile.Options{Path: filepath.Join(dir, "state", logfile.FileName)})
	journals := filepath.Join(dir, "journal")
	s, err := session.Open(session.Inputs{Prefs: deskFile, Secrets: settings.NewFileStore(dir),
		Getenv: func(k string) string { return map[string]string{"OCARD_JOURNAL_DIR": journals}[k] }, LogFile: logFile})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	opts := optionsFor(s)
	opts.Lookup = nil
	h := newHarness(t, LangEnglish, opts)
	h.d.recordCheck(errors.New("token request to login.example.com: refused"))
	h.d.onAbout()
	var shown []string // About's labels (the markup breaks long paths across lines)
	for _, o := range test.LaidOutObjects(h.d.ui.info.popup.Content) {
		if l, ok := o.(*widget.Label); ok {
			shown = append(shown, l.Text)
		}
	}
	want := map[string]string{"Settings file": deskFile.Path(), "Redemption journal folder": journals,
		"Log folder": filepath.Join(dir, "state")}
	buttons := aboutCopyButtons(t, h)
	if len(buttons) != len(want) {
		t.Fatalf("%d Copy buttons, want %d", len(buttons), len(want))
	}
	for i, label := range []string{"Settings file", "Redemption journal folder", "Log folder"} {
		if !slices.Contains(shown, label+"\n"+want[label]) {
			t.Errorf("About does not show the %s %s", label, want[label])
		}
		test.Tap(buttons[i])
		if got := fyne.CurrentApp().Clipboard().Content(); got != want[label] {
			t.Errorf("Copy beside %s copied %q, want %q", label, got, want[label])
		}
	}
	test.Tap(aboutButton(t, h, "Copy diagnostics"))
	h.waitFor("diagnostics on the clipboard", func() bool {
		return strings.HasPrefix(fyne.CurrentApp().Clipboard().Content(), "Ocard Desk diagnostics")
	})
	copied := fyne.CurrentApp().Clipboard().Content()
	for _, w := range []string{"Settings file:           " + deskFile.Path(), "Log folder:              " + filepath.Join(dir, "state"),
		"Screen:                  window 1024×720 px, scale 1", "FAILED: token request to login.example.com: refused", "client_secret:"} {
		if !strings.Contains(copied, w) {
			t.Errorf("the copied diagnostics lack %q:\n%s", w, copied)
		}
	}
}

// aboutCopyButtons are About's Copy buttons, top to bottom.
func aboutCopyButtons(t *testing.T, h *harness) []*deskButton {
	t.Helper()
	var out []*deskButton
	for _, o := range test.LaidOutObjects(h.d.ui.info.popup.Content) {
		if b, ok := o.(*deskButton); ok && b.Text == "Copy" {
			out = append(out, b)
		}
	}
	return out
}

// The next start tells the cashier, in their language, that the desk closed
// unexpectedly, when, and where the details are, beside the other start notices.
func TestUncleanExitIsToldAtStart(t *testing.T) {
	ended := time.Date(2026, 12, 6, 10, 14, 0, 0, time.Local)
	for l, sentence := range map[string]string{LangEnglish: "closed unexpectedly last time (about 2026-12-06 10:14)", LangZhTW: "上次意外關閉（約 2026-12-06 10:14）"} {
		t.Run(l, func(t *testing.T) {
			sup := sampleSupport()
			sup.Unclean = &logfile.Unclean{Ended: ended, Details: "/state/ocard-desk/crash-20261206-021400.txt", Panicked: true}
			h := newHarness(t, l, Options{Support: sup, SettingsWarnings: []settings.Warning{{Code: "settings_restored", Args: map[string]string{"Error": "not valid JSON", "Backup": "desk-settings.json.bak"}}}})
			notice := h.d.ui.notice
			if !notice.Visible() || !strings.Contains(notice.Text, sentence) || !strings.Contains(notice.Text, sup.Unclean.Details) {
				t.Fatalf("notice = %q (visible %v)", notice.Text, notice.Visible())
			}
			if !strings.Contains(notice.Text, "desk-settings.json.bak") {
				t.Errorf("the other start notice is gone: %q", notice.Text)
			}
			// A long path must not widen the window (checked to fail without the
			// notice's wrapping: the content's minimum grew to 5117 px).
			long := sampleSupport()
			long.Unclean = &logfile.Unclean{Ended: ended, Details: "/" + strings.Repeat("VeryLongFolderName", 30) + "/crash.txt"}
			wide := newHarness(t, l, Options{Support: long})
			if w := wide.d.win.Content().MinSize().Width; w > goldenWindowSize.Width {
				t.Errorf("the notice widens the window to %v", w)
			}
		})
	}
	h := newHarness(t, LangEnglish, Options{Support: sampleSupport()})
	if h.d.ui.notice.Visible() {
		t.Errorf("a clean last run is told: %q", h.d.ui.notice.Text)
	}
}

// A log folder that cannot be written is said in Settings (the window runs on).
func TestLogProblemIsShownInSettings(t *testing.T) {
	sup := sampleSupport()
	sup.LogProblem = func() error { return errors.New("mkdir /state: permission denied") }
	h := newHarness(t, LangEnglish, Options{Support: sup, Backend: &fakeBackend{}})
	h.d.onOpenSettings()
	if markup := test.RenderToMarkup(h.d.win.Canvas()); !strings.Contains(markup, "permission denied") {
		t.Fatal("Settings does not say the log cannot be written")
	}
}

// Issue 24: Build takes the window's options before the window exists, while the
// session's journal may still be opening beside it (session.Inputs.JournalBeside), so
// they must not wait for the journal: no redeemer, no journal in them (useJournal adds
// both after the window has mapped). Checked to fail with addJournal called inside.
func TestWindowOptionsDoNotTouchTheJournal(t *testing.T) {
	dir := t.TempDir()
	s, err := session.Open(session.Inputs{Demo: true, Prefs: &settings.MemoryKV{}, Secrets: settings.NewFileStore(dir),
		Getenv: func(k string) string { return map[string]string{"OCARD_JOURNAL_DIR": dir}[k] }, JournalBeside: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if opts := optionsBeforeJournal(s); opts.Redeemer != nil || opts.RedemptionLog != nil {
		t.Fatalf("the options taken before the window hold the journal (redeemer %v, log %v): they waited for it",
			opts.Redeemer, opts.RedemptionLog)
	}
	if opts := optionsFor(s); opts.Redeemer == nil || opts.RedemptionLog == nil {
		t.Fatal("the demo session's full options have no redeemer or journal")
	}
}
