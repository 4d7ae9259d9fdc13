package gui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// fakeBackend records what the settings screen asks of it.
type fakeBackend struct {
	mu       sync.Mutex
	saved    []settings.Settings
	secrets  []string
	problems []settings.Problem
	testErr  error
	lookup   MemberLookup
	demo     DemoSession
	redeemer Redeemer
	shops    []string // SaveShop's
	shopErr  error    // what SaveShop returns
}

func (b *fakeBackend) Save(s settings.Settings, secret string) []settings.Problem {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) > 0 {
		return b.problems
	}
	b.saved = append(b.saved, s)
	b.secrets = append(b.secrets, secret)
	return nil
}

func (b *fakeBackend) Connect(settings.Settings, string) (MemberLookup, error) { return b.lookup, nil }

func (b *fakeBackend) TestConnection(context.Context, settings.Settings, string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.testErr
}

func (b *fakeBackend) StartDemo() (DemoSession, error) { return b.demo, nil }

func (b *fakeBackend) RedeemerFor(MemberLookup, settings.Settings) Redeemer { return b.redeemer }

func (b *fakeBackend) RedemptionLog() RedemptionLog { return nil }

func (b *fakeBackend) SaveShop(id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.shops = append(b.shops, id)
	return b.shopErr
}

func (b *fakeBackend) savedShops() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.shops...)
}

func provisioned() settings.Resolved {
	return settings.Resolved{
		Settings: settings.Settings{
			BaseURL: "https://api.example.com", TokenURL: "https://login.example.com/oauth/v1/token",
			Scope: "api", ClientID: "desk-01", CurrentShop: "000030", TimeoutSeconds: 10, IdleClearSeconds: 60,
			Shops: []settings.Shop{{ID: "000030", Name: "信義店"}, {ID: "000031", Name: "中山店"}},
		},
		Secret:        "s3cret-from-head-office",
		ProvisionPath: "/opt/ocard-desk/ocard-desk.json",
		Locked: map[settings.Field]bool{settings.FieldBaseURL: true, settings.FieldTokenURL: true,
			settings.FieldClientID: true, settings.FieldClientSecret: true, settings.FieldShops: true},
	}
}

func TestGoldenWelcome(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			broken := &service.Error{Kind: service.KindConfig, Field: "shops", Detail: "/etc/ocard-desk.json: shops[1].id: expected a string"}
			h := newHarness(t, l, Options{Backend: &fakeBackend{}, SetupProblem: broken,
				Settings: settings.Resolved{ProvisionErr: broken}})
			if h.d.model.state != stateWelcome {
				t.Fatalf("state %s, want welcome", h.d.model.state)
			}
			if !strings.Contains(h.d.ui.panels.welcomeNote.Text, "/etc/ocard-desk.json") {
				t.Errorf("the broken file is not named: %q", h.d.ui.panels.welcomeNote.Text)
			}
			test.AssertRendersToMarkup(t, "welcome_"+l+".xml", h.d.win.Canvas())
		})
	}
}

func TestGoldenSettings(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{Backend: &fakeBackend{}, Settings: provisioned(),
				SecretStoreKind: "file", SecretStoreLocation: "/home/cashier/.config/ocard-desk/secrets.json"})
			h.d.onOpenSettings()
			test.AssertRendersToMarkup(t, "settings_"+l+".xml", h.d.win.Canvas())
			if strings.Contains(test.RenderToMarkup(h.d.win.Canvas()), "s3cret") {
				t.Fatal("the client secret is rendered on the settings screen")
			}
		})
	}
}

func TestWelcomeTryTheDemo(t *testing.T) {
	lookup := &fakeLookup{replies: map[string]reply{"0903123123": {member: sampleMember()}}}
	backend := &fakeBackend{demo: DemoSession{Lookup: lookup, ShopID: "000030", Numbers: []DemoNumber{{Mobile: "0903123123", Label: "x"}}}}
	h := newHarness(t, LangEnglish, Options{Welcome: true, Backend: backend, SetupProblem: service.ErrConfig})
	h.d.onStartDemo()
	h.waitState(stateIdle)
	if !h.d.conn.demo || len(h.d.ui.header.box.Objects) != 3 { // the banner, the row, the (hidden) badge
		t.Fatal("the demo must be marked in the header")
	}
	h.submit("0903123123")
	h.waitState(stateFound)
}

func TestSettingsInvalidValuesAreExplainedAndNothingSaved(t *testing.T) {
	backend := &fakeBackend{}
	h := newHarness(t, LangEnglish, Options{Backend: backend, Settings: settings.Resolved{Settings: settings.Defaults()}})
	h.d.onOpenSettings()
	f := h.d.settings
	f.entries[settings.FieldBaseURL].SetText("http://api.example.com")
	f.entries[settings.FieldTimeout].SetText("abc")
	f.onSave()
	if len(backend.saved) != 0 {
		t.Fatal("invalid settings were saved")
	}
	for _, field := range []settings.Field{settings.FieldBaseURL, settings.FieldTokenURL, settings.FieldClientID,
		settings.FieldClientSecret, settings.FieldShops, settings.FieldTimeout} {
		if !f.problems[field].Visible() || f.problems[field].Text == "" {
			t.Errorf("no explanation next to %s", field)
		}
	}
}

func TestSettingsSaveConnectsAndKeepsLockedFields(t *testing.T) {
	lookup := &fakeLookup{replies: map[string]reply{"0903123123": {member: sampleMember()}}}
	backend := &fakeBackend{lookup: lookup}
	h := newHarness(t, LangEnglish, Options{Backend: backend, Settings: provisioned(), SetupProblem: service.ErrConfig})
	h.d.onOpenSettings()
	f := h.d.settings
	if !f.entries[settings.FieldBaseURL].Disabled() || !f.secret.Disabled() {
		t.Fatal("provisioned locked fields must be read-only")
	}
	f.entries[settings.FieldBaseURL].SetText("https://evil.example.com") // disabled: must not count
	f.entries[settings.FieldIdleClear].SetText("120")
	f.current.SetSelected("中山店 (000031)")
	f.onSave()
	h.waitState(stateIdle)
	if len(backend.saved) != 1 {
		t.Fatalf("saved %d times", len(backend.saved))
	}
	got := backend.saved[0]
	if got.BaseURL != "https://api.example.com" || got.IdleClearSeconds != 120 || got.CurrentShop != "000031" {
		t.Fatalf("saved %+v", got)
	}
	if backend.secrets[0] != "s3cret-from-head-office" {
		t.Fatal("the provisioned secret was not kept")
	}
	if h.d.conn.shopID != "000031" || h.d.settings != nil {
		t.Fatal("the window did not switch to the saved settings")
	}
	h.submit("0903123123")
	h.waitState(stateFound)
	// The rebuilt window's lazily made widgets are in the new tree, not the old one.
	markup := test.RenderToMarkup(h.d.win.Canvas())
	for _, want := range []string{"0903***123", "14,188"} {
		if !strings.Contains(markup, want) {
			t.Errorf("after Save the window does not show %q (recent list or expiring rows lost)", want)
		}
	}
}

func TestShopPickerSwitchesShopAndKeepsTheEntry(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{Shops: provisioned().Settings.Shops, ShopID: "000030",
		Backend: &fakeBackend{}, Settings: provisioned()})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	picker := h.d.ui.header.picker
	if picker == nil {
		t.Fatal("no shop picker with two shops")
	}
	test.Type(h.d.ui.entry, "0903123123")
	test.Tap(picker.button)
	if len(picker.items) != 2 || picker.items[1].Text != "中山店 (000031)" {
		t.Fatalf("the shop list is not open with both shops: %d", len(picker.items))
	}
	test.Tap(picker.items[1])
	if h.d.conn.shopID != "000031" || h.d.ui.entry.Text != "0903123123" {
		t.Fatalf("shop %s, entry %q", h.d.conn.shopID, h.d.ui.entry.Text)
	}
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitState(stateFound)
	if !strings.Contains(test.RenderToMarkup(h.d.win.Canvas()), "中山店") {
		t.Fatal("the current shop's name is not visible")
	}
	// The desk's choice is kept for the next start, and Settings shows it by name.
	b := h.d.opts.Backend.(*fakeBackend)
	h.waitFor("the shop saved", func() bool { return len(b.savedShops()) > 0 })
	if shops := b.savedShops(); len(shops) != 1 || shops[0] != "000031" {
		t.Errorf("saved shops %v", shops)
	}
	h.d.onOpenSettings()
	if got := h.d.settings.current.Selected; got != "中山店 (000031)" {
		t.Errorf("Settings shows this desk's shop as %q", got)
	}
	h.d.settings.onCancel()
}

type shopRecorder struct {
	fakeLookup
	shops []string
}

func (s *shopRecorder) LookupMember(ctx context.Context, shopID, mobile string) (service.Member, error) {
	s.mu.Lock()
	s.shops = append(s.shops, shopID)
	s.mu.Unlock()
	return sampleMember(), nil
}

func TestNextLookupUsesThePickedShop(t *testing.T) {
	rec := &shopRecorder{}
	h := newHarness(t, LangEnglish, Options{Lookup: rec, Shops: provisioned().Settings.Shops, ShopID: "000030"})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.d.onShopPicked("000031")
	h.submit("0903123123")
	h.waitState(stateFound)
	if len(rec.shops) != 2 || rec.shops[0] != "000030" || rec.shops[1] != "000031" {
		t.Fatalf("lookups went to shops %v", rec.shops)
	}
}

// A scan while Settings is showing, with nothing changed in the form: the cashier wants
// the customer, so Settings closes and the number is looked up; nothing is left in
// the field the scan was typed into.
func TestScanWhileSettingsShowLooksUpWhenNothingChanged(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{Backend: &fakeBackend{}, Settings: provisioned()})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.d.onOpenSettings()
	form := h.d.settings
	field := form.entries[settings.FieldScope]
	keysApart(h, 3*time.Millisecond)
	test.Type(field, "0903123123")
	field.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if field.Text != "api" {
		t.Errorf("the scan stayed in the scope field: %q", field.Text)
	}
	if h.d.settings != nil {
		t.Fatal("Settings stayed open")
	}
	h.waitState(stateFound)
	if got := h.lookup.calls; len(got) != 1 || got[0] != "0903123123" {
		t.Fatalf("lookups %q", got)
	}
}

// With changes in the form, a scan must neither land in a field nor throw the changes
// away: it is refused, and the form says so.
func TestScanWhileSettingsAreChangedIsRefusedVisibly(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{Backend: &fakeBackend{}, Settings: provisioned()})
	h.d.onOpenSettings()
	form := h.d.settings
	form.entries[settings.FieldIdleClear].SetText("120")
	field := form.entries[settings.FieldScope]
	keysApart(h, 3*time.Millisecond)
	test.Type(field, "0903123123")
	field.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if field.Text != "api" || form.entries[settings.FieldIdleClear].Text != "120" {
		t.Errorf("fields after the scan: scope %q, idle %q", field.Text, form.entries[settings.FieldIdleClear].Text)
	}
	if h.d.settings != form || h.lookup.callCount() != 0 {
		t.Fatalf("settings closed (%v) or %d lookups", h.d.settings != form, h.lookup.callCount())
	}
	if form.status.Text != tr("settings.scan_refused") {
		t.Errorf("status %q", form.status.Text)
	}
}

// Typing by hand in a settings field is typing, whatever the text.
func TestTypingInSettingsStaysInTheField(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{Backend: &fakeBackend{}, Settings: provisioned()})
	h.d.onOpenSettings()
	field := h.d.settings.entries[settings.FieldIdleClear]
	field.SetText("")
	keysApart(h, 150*time.Millisecond)
	test.Type(field, "0903123123")
	field.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.fireQuiet()
	if field.Text != "0903123123" || h.d.settings == nil || h.lookup.callCount() != 0 {
		t.Fatalf("field %q, settings open %v, %d lookups", field.Text, h.d.settings != nil, h.lookup.callCount())
	}
}

// Esc closes Settings without saving, as it closes About.
func TestEscapeClosesSettings(t *testing.T) {
	b := &fakeBackend{}
	h := newHarness(t, LangEnglish, Options{Backend: b, Settings: provisioned()})
	h.d.onOpenSettings()
	h.d.settings.entries[settings.FieldIdleClear].SetText("120")
	h.d.settings.entries[settings.FieldScope].TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.d.settings != nil || len(b.saved) != 0 {
		t.Fatalf("settings open %v, saved %d", h.d.settings != nil, len(b.saved))
	}
	if h.d.win.Canvas().Focused() != h.d.ui.entry {
		t.Fatal("Esc must return to the desk with the entry focused")
	}
}

func TestCtrlCommaOpensSettings(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{Backend: &fakeBackend{}, Settings: provisioned()})
	h.d.ui.entry.TypedShortcut(settingsShortcut)
	if h.d.settings == nil {
		t.Fatal("Ctrl+, did not open the settings")
	}
}

func TestSettingsReportUnknownProvisioningFields(t *testing.T) {
	r := provisioned()
	r.Warnings = []settings.Warning{{Code: settings.WarningUnknownField,
		Args: map[string]string{"Path": "/opt/ocard-desk/ocard-desk.json", "Field": "colour"},
		Text: `/opt/ocard-desk/ocard-desk.json: unknown field "colour" ignored`}}
	for _, tc := range []struct{ lang, want string }{
		{LangEnglish, `the field "colour" is not known to this version`},
		{LangZhTW, `此版本不認得欄位「colour」，已略過`},
	} {
		h := newHarness(t, tc.lang, Options{Backend: &fakeBackend{}, Settings: r})
		h.d.onOpenSettings()
		markup := test.RenderToMarkup(h.d.win.Canvas())
		if !strings.Contains(markup, tc.want) || !strings.Contains(markup, "/opt/ocard-desk/ocard-desk.json") {
			t.Errorf("%s: the unknown field is not reported in the window's language", tc.lang)
		}
		if tc.lang == LangZhTW && strings.Contains(markup, "unknown field") {
			t.Errorf("the English log sentence is shown in the %s window", tc.lang)
		}
	}
}

// TestWarningTextFallsBackToEnglish: a warning code this version has no sentence for
// is shown as its English text, not as a translation key.
func TestWarningTextFallsBackToEnglish(t *testing.T) {
	newHarness(t, LangZhTW, Options{Backend: &fakeBackend{}, Settings: provisioned()})
	w := settings.Warning{Code: "from_the_future", Text: "something new happened"}
	if got := warningText(w); got != w.Text {
		t.Errorf("warningText = %q, want the English text", got)
	}
	for _, code := range []string{settings.WarningSecretUnreadable, settings.WarningUnknownField, settings.WarningShopNotListed,
		settings.WarningSecretReadable} {
		w := settings.Warning{Code: code, Args: map[string]string{"Path": "p", "Field": "f", "Shop": "1", "Using": "2",
			"Location": "l", "Error": "e", "Mode": "0644"}, Text: "english"}
		if got := warningText(w); got == w.Text || strings.Contains(got, "settings.warning") || strings.Contains(got, "<no value>") {
			t.Errorf("%s: zh-TW text %q", code, got)
		}
	}
}

// Why the settings file could not be used is said in the window's language, not in the
// English words the log has; a system's own I/O error stays inside the translated words.
func TestSettingsFileProblemIsTranslated(t *testing.T) {
	newHarness(t, LangZhTW, Options{Backend: &fakeBackend{}, Settings: provisioned()})
	for problem, want := range map[string]string{
		settings.ProblemMissing: "檔案不存在", settings.ProblemEmpty: "檔案是空的", settings.ProblemNotJSON: "不是有效的 JSON",
		settings.ProblemNotObject: "不是 JSON 物件", settings.ProblemUnreadable: "無法讀取：permission denied",
	} {
		english := "not valid JSON" // the log's words, whichever problem
		if problem == settings.ProblemUnreadable {
			english = "permission denied"
		}
		for _, code := range []string{settings.WarningSettingsRestored, settings.WarningSettingsUnreadable} {
			w := settings.Warning{Code: code, Args: map[string]string{"Path": "p", "Backup": "p.bak", "Error": english, "Problem": problem}}
			got := warningText(w)
			if !strings.Contains(got, want) || (problem != settings.ProblemUnreadable && strings.Contains(got, english)) {
				t.Errorf("%s, %s: %q, want it to say %q", code, problem, got, want)
			}
		}
	}
	// A problem this version has no words for keeps the English reason.
	w := settings.Warning{Code: settings.WarningSettingsRestored, Args: map[string]string{"Path": "p", "Backup": "p.bak", "Error": "locked", "Problem": "from_the_future"}}
	if got := warningText(w); !strings.Contains(got, "locked") || strings.Contains(got, "settings.file_problem") {
		t.Errorf("an unknown problem: %q", got)
	}
}

// Redeeming is turned on in Settings (unless head office locked it) and saved with the rest.
func TestSettingsTurnRedeemingOn(t *testing.T) {
	b := &fakeBackend{}
	h := newHarness(t, LangEnglish, Options{Backend: b, Settings: provisioned()})
	b.lookup = h.lookup
	h.d.onOpenSettings()
	if h.d.settings.redeem.SelectedIndex() != 0 {
		t.Fatal("redeeming is not off by default")
	}
	h.d.settings.redeem.SetSelectedIndex(1)
	h.d.settings.onSave()
	h.waitState(stateIdle)
	if len(b.saved) != 1 || !b.saved[0].RedeemEnabled {
		t.Fatalf("saved %+v", b.saved)
	}
	locked := provisioned()
	locked.Locked[settings.FieldRedeemEnabled] = true
	h2 := newHarness(t, LangEnglish, Options{Backend: &fakeBackend{}, Settings: locked})
	h2.d.onOpenSettings()
	if !h2.d.settings.redeem.Disabled() {
		t.Error("head office locked redeeming, yet the desk can change it")
	}
}

// Test connection says which step failed, where, and why; a passing test replaces an
// old failure.
func TestTestConnectionSaysWhichStepFailed(t *testing.T) {
	b := &fakeBackend{testErr: &session.CheckError{Step: session.StepMember, Host: "api.example.com",
		Err: &service.Error{Kind: service.KindServer, Op: "lookup", StatusCode: 404}}}
	h := newHarness(t, LangEnglish, Options{Backend: b, Settings: provisioned()})
	h.d.onOpenSettings()
	f := h.d.settings
	f.onTest()
	h.waitFor("test failed", func() bool { return strings.Contains(f.status.Text, "failed") })
	if want := "the member request to api.example.com failed"; !strings.Contains(f.status.Text, want) {
		t.Fatalf("status %q, want it to say %q", f.status.Text, want)
	}
	b.mu.Lock()
	b.testErr = nil
	b.mu.Unlock()
	f.onTest()
	h.waitFor("test passed", func() bool { return f.status.Text == tr("settings.test_ok") })
}

// Tab through Settings: the focused field scrolls into view.
func TestSettingsFocusScrollsIntoView(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{Backend: &fakeBackend{}, Settings: provisioned()})
	h.d.win.Resize(fyne.NewSize(800, 420))
	h.d.onOpenSettings()
	f := h.d.settings
	if f.scroll.Offset.Y != 0 {
		t.Fatal("the form starts scrolled")
	}
	h.d.win.Canvas().Focus(f.redeem) // the last field, below the fold at this size
	if f.scroll.Offset.Y <= 0 {
		t.Fatalf("focusing the last field left the form at offset %v", f.scroll.Offset.Y)
	}
	h.d.win.Canvas().Focus(f.entries[settings.FieldScope])
	top := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.entries[settings.FieldScope]).Y -
		fyne.CurrentApp().Driver().AbsolutePositionForObject(f.scroll.Content).Y
	if f.scroll.Offset.Y > top {
		t.Errorf("focusing an earlier field left it above the view (offset %v, field at %v)", f.scroll.Offset.Y, top)
	}
}

// The mouse wheel scrolls Settings wherever the pointer is, a text field included
// (Fyne gives the wheel to the innermost scrollable: each field has one).
func TestSettingsWheelScrollsOverAField(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{Backend: &fakeBackend{}, Settings: provisioned()})
	h.d.win.Resize(fyne.NewSize(800, 420))
	h.d.onOpenSettings()
	f := h.d.settings
	field := f.entries[settings.FieldBaseURL]
	over := fyne.CurrentApp().Driver().AbsolutePositionForObject(field).Add(fyne.NewPos(field.Size().Width/2, field.Size().Height/2))
	test.Scroll(h.d.win.Canvas(), over, 0, -120)
	if f.scroll.Offset.Y <= 0 {
		t.Fatalf("the wheel over a field left the form at offset %v", f.scroll.Offset.Y)
	}
	if field.Text == "" {
		t.Error("the field lost its text")
	}
}

// A shop picked in the header that cannot be kept for the next start is used now, and
// the cashier is told it was not saved.
func TestShopThatCannotBeSavedIsSaid(t *testing.T) {
	b := &fakeBackend{shopErr: errors.New("disk full")}
	h := newHarness(t, LangEnglish, Options{Shops: provisioned().Settings.Shops, ShopID: "000030",
		Backend: b, Settings: provisioned()})
	h.d.onShopPicked("000031")
	if h.d.conn.shopID != "000031" {
		t.Fatalf("shop %s, want the one picked", h.d.conn.shopID)
	}
	h.waitFor("the notice", func() bool { return h.d.notice == tr("desk.shop_not_saved") })
	if h.d.ui.notice.Importance != widget.WarningImportance {
		t.Error("a shop not saved is said in the green of a confirmation")
	}
}

// Settings restored from their backup (or lost) are said on the desk's first screen,
// not only inside Settings.
func TestSettingsFileTroubleIsSaidAtStart(t *testing.T) {
	restored := settings.Warning{Code: settings.WarningSettingsRestored,
		Args: map[string]string{"Error": "empty", "Backup": "/home/desk/.config/ocard-desk/desk-settings.json.bak"}}
	h := newHarness(t, LangEnglish, Options{Backend: &fakeBackend{}, Settings: provisioned(),
		SettingsWarnings: []settings.Warning{restored}})
	if !strings.Contains(h.d.notice, "restored from its backup") || h.d.ui.notice.Importance != widget.WarningImportance {
		t.Fatalf("notice at start: %q (importance %v, want a warning)", h.d.notice, h.d.ui.notice.Importance)
	}
}
