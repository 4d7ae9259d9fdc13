package gui

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// showProblems puts each problem next to its field; it returns whether there were any.
func (f *settingsForm) showProblems(problems []settings.Problem) bool {
	for _, l := range f.problems {
		l.Hide()
	}
	for _, p := range problems {
		l, ok := f.problems[p.Field]
		if !ok {
			l = f.problems[settings.FieldBaseURL]
		}
		l.SetText(problemText(p))
		l.Show()
	}
	if len(problems) > 0 {
		f.status.SetText(tr("settings.not_saved"))
		f.status.Importance = widget.DangerImportance
		f.status.Refresh()
	}
	f.content.Refresh()
	return len(problems) > 0
}

func (f *settingsForm) onTest() {
	s, secret := f.collect()
	if f.showProblems(s.Validate(secret)) {
		return
	}
	f.status.Importance = widget.MediumImportance
	f.status.SetText(tr("settings.testing"))
	backend := f.d.opts.Backend
	f.d.spawn(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(max(s.TimeoutSeconds, 1))*time.Second+time.Second)
		defer cancel()
		err := backend.TestConnection(ctx, s, secret)
		f.d.onUI(func() {
			f.d.recordCheck(err) // for diagnostics, even if the form was closed meanwhile
			if f.d.settings != f {
				return // the screen was closed meanwhile
			}
			if err != nil {
				f.status.Importance = widget.DangerImportance
				f.status.SetText(tr("settings.test_failed", map[string]any{"Reason": failureText(err)}))
				return
			}
			f.status.Importance = widget.SuccessImportance
			f.status.SetText(tr("settings.test_ok"))
		})
	})
}

func (f *settingsForm) onSave() {
	s, secret := f.collect()
	if f.showProblems(s.Validate(secret)) {
		return
	}
	backend := f.d.opts.Backend
	f.status.SetText(tr("settings.saving"))
	f.d.spawn(func() { // the keyring may be slow (D-Bus, a Keychain prompt)
		problems := backend.Save(s, secret)
		var lookup MemberLookup
		var redeemer Redeemer
		var err error
		if len(problems) == 0 {
			lookup, err = backend.Connect(s, secret)
		}
		var log RedemptionLog
		if lookup != nil {
			redeemer = backend.RedeemerFor(lookup, s) // may open the journal: not on the UI goroutine
			log = backend.RedemptionLog()
		}
		f.d.onUI(func() {
			if len(problems) > 0 {
				if f.d.settings == f {
					f.showProblems(problems)
				}
				return // nothing was saved
			}
			// Saved: applied even if the form was closed (Esc) meanwhile, or the window
			// would go on with settings that are no longer the saved ones.
			f.d.applySettings(s, secret, connection{lookup: lookup, redeemer: redeemer, log: log, problem: err})
		})
	})
}

func (f *settingsForm) onCancel() { f.d.closeSettings() }

// changed reports whether anything in the form differs from when it opened.
func (f *settingsForm) changed() bool {
	s, secret := f.collect()
	return secret != f.initialSecret || !reflect.DeepEqual(s, f.initial)
}

// onScanInSettings: a scan arrived while Settings was showing (field_scan.go has
// already taken it back out of the field it was typed into). A cashier who scans
// wants the customer looked up: with nothing changed in the form, it closes and the
// number is looked up; otherwise the changes stay, and the form says why the scan
// did nothing.
func (d *desk) onScanInSettings(text string) {
	f := d.settings
	if f == nil {
		return
	}
	if f.changed() {
		d.log.Info("scan while settings are being edited: not looked up")
		f.status.Importance = widget.DangerImportance
		f.status.SetText(tr("settings.scan_refused"))
		return
	}
	d.closeSettings()
	d.ui.entry.setNumber(text)
	d.onSubmit(text)
}

// applySettings switches the window to saved settings s and connection c (its lookup,
// redeemer and problem) and closes the settings screen.
func (d *desk) applySettings(s settings.Settings, secret string, c connection) {
	d.opts.Settings.Settings, d.opts.Settings.Secret = s, secret
	if s.IdleClearSeconds > 0 {
		d.opts.IdleClear = time.Duration(s.IdleClearSeconds) * time.Second
	} else {
		d.opts.IdleClear = -1
	}
	SetLanguage(s.Language)
	d.win.SetTitle(tr("app.title"))
	d.closeSettings() // rebuilds the window in the (possibly new) language
	c.shops, c.shopID = s.Shops, s.CurrentShop
	if c.problem == nil && c.lookup == nil {
		c.problem = service.ErrConfig
	}
	d.useConnection(c)
	d.showNotice(tr("desk.settings_saved"))
}

// closeSettings rebuilds the desk's widgets and shows them again.
func (d *desk) closeSettings() {
	d.settings = nil
	d.win.SetContent(d.buildUI())
	d.refreshAll()
	d.focusEntry()
}

func sourceName(src settings.Source) string {
	switch src {
	case settings.SourceFile:
		return tr("settings.source.file")
	case settings.SourceEnv:
		return tr("settings.source.env")
	}
	return tr("settings.source.flag")
}

func secretStoreNote(kind, location string) string {
	switch kind {
	case "keyring":
		return tr("settings.secret_keyring", map[string]any{"Location": location})
	case "file":
		return tr("settings.secret_file", map[string]any{"Location": location})
	}
	return ""
}

// problemText is a settings problem in the user's language.
func problemText(p settings.Problem) string {
	key := "settings.problem." + string(p.Code)
	if msg := tr(key); msg != key {
		return msg
	}
	return p.Detail
}

// failureText explains a failed connection test precisely, in the user's language.
func failureText(err error) string {
	var ce *session.CheckError
	if errors.As(err, &ce) {
		step := tr("settings.step_token")
		if ce.Step == session.StepMember {
			step = tr("settings.step_member")
		}
		return tr("settings.step_failed", map[string]any{"Step": step, "Host": ce.Host, "Reason": failureText(ce.Err)})
	}
	var se *service.Error
	if errors.As(err, &se) {
		switch se.Kind {
		case service.KindAuth:
			return tr("error.auth.title")
		case service.KindNetwork:
			return tr("error.network.title")
		case service.KindTimeout:
			return tr("error.timeout.title")
		case service.KindServer:
			return tr("error.server.detail", map[string]any{"Code": se.StatusCode})
		case service.KindConfig:
			return tr("error.config.title") + " (" + se.Field + ")"
		}
	}
	return tr("error.unknown.title")
}

// provisionProblem explains a broken provisioning file for the welcome screen.
func provisionProblem(err error) string {
	var se *service.Error
	if err == nil || !errors.As(err, &se) || se.Kind != service.KindConfig || se.Detail == "" {
		return ""
	}
	return tr("welcome.provision_error", map[string]any{"Detail": se.Detail, "Field": se.Field})
}

func languageIndex(code string) int {
	switch code {
	case LangZhTW:
		return 1
	case LangEnglish:
		return 2
	}
	return 0
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	return strconv.Itoa(n)
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return -1 // Validate reports it next to the field
	}
	return n
}

// warningText says a settings warning in the window's language; a code this version
// has no sentence for falls back to the English text rather than showing a key.
func warningText(w settings.Warning) string {
	key := "settings.warning." + w.Code
	args := make(map[string]any, len(w.Args))
	for k, v := range w.Args {
		args[k] = v
	}
	// Why a settings file could not be used, in the window's language (Error holds the
	// log's English words); a system's I/O error stays as the system wrote it.
	if problem := w.Args["Problem"]; problem != "" {
		problemKey := "settings.file_problem." + problem
		if words := tr(problemKey, args); words != problemKey {
			args["Error"] = words
		}
	}
	if text := tr(key, args); text != key {
		return text
	}
	return w.String()
}
