package gui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// settingsForm is the settings screen. It edits a copy of the settings; nothing is
// stored until Save, and Save stores everything or nothing.
type settingsForm struct {
	d        *desk
	resolved settings.Resolved

	entries  map[settings.Field]*widget.Entry
	problems map[settings.Field]*widget.Label
	secret   *widget.Entry
	language *widget.Select
	shops    *fyne.Container
	shopRows []shopRow
	current  *widget.Select
	status   *widget.Label
	content  fyne.CanvasObject
}

type shopRow struct{ id, name *widget.Entry }

// languageChoices maps the language picker's entries to settings values.
func languageChoices() ([]string, map[string]string) {
	labels := []string{tr("settings.lang_system"), "中文（台灣）", "English"}
	return labels, map[string]string{labels[0]: "", labels[1]: LangZhTW, labels[2]: LangEnglish}
}

func (d *desk) onOpenSettings() {
	d.touch()
	if d.opts.Backend == nil {
		showSummaryDialog(d)
		return
	}
	d.cancelPending()
	f := newSettingsForm(d, d.opts.Settings)
	d.settings = f
	d.win.SetContent(f.content)
	d.win.Canvas().Focus(f.entries[settings.FieldBaseURL])
}

func newSettingsForm(d *desk, r settings.Resolved) *settingsForm {
	f := &settingsForm{d: d, resolved: r, entries: map[settings.Field]*widget.Entry{}, problems: map[settings.Field]*widget.Label{}}
	s := r.Settings
	rows := container.NewVBox()
	add := func(field settings.Field, label string, w fyne.CanvasObject) {
		problem := widget.NewLabel("")
		problem.Importance = widget.DangerImportance
		problem.Wrapping = fyne.TextWrapWord
		problem.Hide()
		f.problems[field] = problem
		title := widget.NewLabel(label)
		items := []fyne.CanvasObject{title, w}
		if r.Locked[field] {
			managed := widget.NewLabel(tr("settings.managed"))
			managed.Importance = widget.LowImportance
			items = append(items, managed)
		} else if src := r.Sources[field]; src >= settings.SourceFile {
			// Saved settings rank below the file, the environment and the command line:
			// say so, rather than let a change quietly vanish at the next start.
			note := widget.NewLabel(tr("settings.overridden", map[string]any{"Source": sourceName(src)}))
			note.Importance = widget.WarningImportance
			note.Wrapping = fyne.TextWrapWord
			items = append(items, note)
		}
		rows.Add(container.NewVBox(append(items, problem)...))
	}
	text := func(field settings.Field, label, value, placeholder string) {
		e := widget.NewEntry()
		e.SetText(value)
		e.SetPlaceHolder(placeholder)
		if r.Locked[field] {
			e.Disable()
		}
		f.entries[field] = e
		add(field, label, e)
	}
	text(settings.FieldBaseURL, tr("settings.base_url"), s.BaseURL, "https://api.example.com")
	text(settings.FieldTokenURL, tr("settings.token_url"), s.TokenURL, "https://login.example.com/oauth/v1/token")
	text(settings.FieldClientID, tr("settings.client_id"), s.ClientID, "")

	f.secret = widget.NewPasswordEntry()
	if r.Secret != "" {
		f.secret.SetPlaceHolder(tr("settings.secret_kept"))
	}
	if r.Locked[settings.FieldClientSecret] {
		f.secret.Disable()
	}
	secretNote := widget.NewLabel(secretStoreNote(d.opts.SecretStoreKind, d.opts.SecretStoreLocation))
	secretNote.Wrapping = fyne.TextWrapWord
	secretNote.Importance = widget.LowImportance
	add(settings.FieldClientSecret, tr("settings.client_secret"), container.NewVBox(f.secret, secretNote))
	text(settings.FieldScope, tr("settings.scope"), s.Scope, "api")

	f.shops = container.NewVBox()
	for _, shop := range s.Shops {
		f.addShopRow(shop)
	}
	if len(s.Shops) == 0 {
		f.addShopRow(settings.Shop{})
	}
	addShop := widget.NewButtonWithIcon(tr("settings.add_shop"), theme.ContentAddIcon(), func() { f.addShopRow(settings.Shop{}) })
	if r.Locked[settings.FieldShops] {
		addShop.Disable()
	}
	add(settings.FieldShops, tr("settings.shops"), container.NewVBox(f.shops, container.NewHBox(addShop)))
	f.current = widget.NewSelect(nil, nil)
	f.refreshShopChoices(s.CurrentShop)
	if r.Locked[settings.FieldDefaultShop] {
		f.current.Disable()
	}
	add(settings.FieldDefaultShop, tr("settings.current_shop"), f.current)

	text(settings.FieldTimeout, tr("settings.timeout"), itoa(s.TimeoutSeconds), "10")
	text(settings.FieldIdleClear, tr("settings.idle_clear"), itoa(s.IdleClearSeconds), "60")
	labels, _ := languageChoices()
	f.language = widget.NewSelect(labels, nil)
	f.language.SetSelected(labels[languageIndex(s.Language)])
	if r.Locked[settings.FieldLanguage] {
		f.language.Disable()
	}
	add(settings.FieldLanguage, tr("settings.language"), f.language)

	f.status = widget.NewLabel("")
	f.status.Wrapping = fyne.TextWrapWord
	test := widget.NewButtonWithIcon(tr("settings.test"), theme.MediaPlayIcon(), f.onTest)
	save := widget.NewButtonWithIcon(tr("settings.save"), theme.DocumentSaveIcon(), f.onSave)
	save.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(tr("settings.cancel"), theme.CancelIcon(), f.onCancel)
	title := widget.NewLabel(tr("settings.title"))
	title.SizeName = theme.SizeNameHeadingText
	header := container.NewVBox(title)
	if r.ProvisionPath != "" {
		note := widget.NewLabel(tr("settings.provisioned", map[string]any{"Path": r.ProvisionPath}))
		note.Wrapping = fyne.TextWrapWord
		header.Add(note)
	}
	for _, warning := range r.Warnings { // e.g. unknown fields in the provisioning file
		l := widget.NewLabel(warningText(warning))
		l.Importance = widget.WarningImportance
		l.Wrapping = fyne.TextWrapWord
		header.Add(l)
	}
	buttons := container.NewVBox(f.status, container.NewHBox(test, save, cancel))
	f.content = container.NewPadded(container.NewBorder(header, buttons, nil, nil, container.NewVScroll(rows)))
	return f
}

func (f *settingsForm) addShopRow(shop settings.Shop) {
	row := shopRow{id: widget.NewEntry(), name: widget.NewEntry()}
	row.id.SetText(shop.ID)
	row.id.SetPlaceHolder("000030")
	row.name.SetText(shop.Name)
	row.name.SetPlaceHolder(tr("settings.shop_name"))
	row.id.OnChanged = func(string) { f.refreshShopChoices(f.current.Selected) }
	locked := f.resolved.Locked[settings.FieldShops]
	if locked {
		row.id.Disable()
		row.name.Disable()
	}
	f.shopRows = append(f.shopRows, row)
	idBox := container.New(&sizedLayout{width: 140}, row.id)
	line := container.NewBorder(nil, nil, idBox, nil, row.name)
	f.shops.Add(line)
	if f.current != nil {
		f.refreshShopChoices(f.current.Selected)
	}
}

func (f *settingsForm) refreshShopChoices(selected string) {
	var ids []string
	for _, r := range f.shopRows {
		if id := strings.TrimSpace(r.id.Text); id != "" {
			ids = append(ids, id)
		}
	}
	f.current.Options = ids
	f.current.Selected = ""
	for _, id := range ids {
		if id == selected {
			f.current.Selected = id
		}
	}
	if f.current.Selected == "" && len(ids) > 0 {
		f.current.Selected = ids[0]
	}
	f.current.Refresh()
}

// collect reads the form into settings; locked fields keep their provisioned values.
func (f *settingsForm) collect() (settings.Settings, string) {
	s := f.resolved.Settings
	get := func(field settings.Field, dst *string) {
		if !f.resolved.Locked[field] {
			*dst = strings.TrimSpace(f.entries[field].Text)
		}
	}
	get(settings.FieldBaseURL, &s.BaseURL)
	get(settings.FieldTokenURL, &s.TokenURL)
	get(settings.FieldClientID, &s.ClientID)
	get(settings.FieldScope, &s.Scope)
	if !f.resolved.Locked[settings.FieldShops] {
		s.Shops = nil
		for _, r := range f.shopRows {
			id, name := strings.TrimSpace(r.id.Text), strings.TrimSpace(r.name.Text)
			if id != "" || name != "" {
				s.Shops = append(s.Shops, settings.Shop{ID: id, Name: name})
			}
		}
	}
	if !f.resolved.Locked[settings.FieldDefaultShop] {
		s.CurrentShop = f.current.Selected
	}
	if !f.resolved.Locked[settings.FieldTimeout] {
		s.TimeoutSeconds = atoi(f.entries[settings.FieldTimeout].Text)
	}
	if !f.resolved.Locked[settings.FieldIdleClear] {
		s.IdleClearSeconds = atoi(f.entries[settings.FieldIdleClear].Text)
	}
	if !f.resolved.Locked[settings.FieldLanguage] {
		_, values := languageChoices()
		s.Language = values[f.language.Selected]
	}
	secret := f.resolved.Secret
	if v := f.secret.Text; v != "" && !f.resolved.Locked[settings.FieldClientSecret] {
		secret = v
	}
	return s, secret
}

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
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(max(s.TimeoutSeconds, 1))*time.Second+time.Second)
		defer cancel()
		err := backend.TestConnection(ctx, s, secret)
		f.d.onUI(func() {
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
	}()
}

func (f *settingsForm) onSave() {
	s, secret := f.collect()
	if f.showProblems(s.Validate(secret)) {
		return
	}
	backend := f.d.opts.Backend
	f.status.SetText(tr("settings.saving"))
	go func() { // the keyring may be slow (D-Bus, a Keychain prompt)
		problems := backend.Save(s, secret)
		var lookup MemberLookup
		var err error
		if len(problems) == 0 {
			lookup, err = backend.Connect(s, secret)
		}
		f.d.onUI(func() {
			if f.d.settings != f || f.showProblems(problems) {
				return
			}
			f.d.applySettings(s, secret, lookup, err)
		})
	}()
}

func (f *settingsForm) onCancel() { f.d.closeSettings() }

// applySettings switches the window to saved settings and closes the settings screen.
func (d *desk) applySettings(s settings.Settings, secret string, lookup MemberLookup, connectErr error) {
	d.opts.Settings.Settings, d.opts.Settings.Secret = s, secret
	if s.IdleClearSeconds > 0 {
		d.opts.IdleClear = time.Duration(s.IdleClearSeconds) * time.Second
	} else {
		d.opts.IdleClear = -1
	}
	SetLanguage(s.Language)
	d.win.SetTitle(tr("app.title"))
	d.closeSettings() // rebuilds the window in the (possibly new) language
	c := connection{lookup: lookup, shops: s.Shops, shopID: s.CurrentShop, problem: connectErr}
	if connectErr == nil && lookup == nil {
		c.problem = service.ErrConfig
	}
	d.useConnection(c)
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
	if text := tr(key, args); text != key {
		return text
	}
	return w.String()
}
