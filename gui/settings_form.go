package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service/settings"
)

// settingsForm is the settings screen. It edits a copy of the settings; nothing is
// stored until Save, and Save stores everything or nothing.
type settingsForm struct {
	d        *desk
	resolved settings.Resolved

	entries  map[settings.Field]*routedEntry
	problems map[settings.Field]*widget.Label
	secret   *routedEntry
	language *routedSelect
	shops    *fyne.Container
	shopRows []shopRow
	current  *routedSelect
	shopIDs  map[string]string // the current shop picker's labels → shop ids
	redeem   *routedSelect
	status   *widget.Label
	content  fyne.CanvasObject
	scroll   *container.Scroll // the fields; scrolled to the focused one (scrollIntoView)

	// scan notices a scan typed into the form (fieldScan, field_scan.go); initial and
	// initialSecret are what the form held when it opened, to tell whether anything
	// was changed.
	scan          fieldScan
	initial       settings.Settings
	initialSecret string
}

type shopRow struct{ id, name *routedEntry }

// languageChoices maps the language picker's entries to settings values.
func languageChoices() ([]string, map[string]string) {
	labels := []string{tr("settings.lang_system"), "中文（台灣）", "English"}
	return labels, map[string]string{labels[0]: "", labels[1]: LangZhTW, labels[2]: LangEnglish}
}

func (d *desk) onOpenSettings() {
	d.touch()
	if d.opts.Backend == nil {
		d.showSummary()
		return
	}
	// A lookup under way goes on: its answer is drawn behind the form and is there when
	// the form closes (cancelling it left "Looking up…" on screen for good).
	d.closeOverlays()
	f := newSettingsForm(d, d.opts.Settings)
	d.settings = f
	d.win.SetContent(f.content)
	d.win.Canvas().Focus(f.entries[settings.FieldBaseURL])
}

func newSettingsForm(d *desk, r settings.Resolved) *settingsForm {
	f := &settingsForm{d: d, resolved: r, entries: map[settings.Field]*routedEntry{}, problems: map[settings.Field]*widget.Label{}}
	f.scan = fieldScan{d: d, onScan: d.onScanInSettings, onEscape: f.onCancel, open: func() bool { return d.settings == f }}
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
		} else if src := r.Sources[field]; src >= settings.SourceFile && !(field == settings.FieldDefaultShop && src == settings.SourceFile) {
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
		e := newRoutedEntry(d.router)
		e.SetText(value)
		if placeholder != "" {
			// "e.g. …": an empty field must not look as if it held a value.
			e.SetPlaceHolder(example(placeholder))
		}
		if r.Locked[field] {
			e.Disable()
		}
		f.entries[field] = e
		add(field, label, e)
	}
	text(settings.FieldBaseURL, tr("settings.base_url"), s.BaseURL, "https://api.example.com")
	text(settings.FieldTokenURL, tr("settings.token_url"), s.TokenURL, "https://login.example.com/oauth/v1/token")
	text(settings.FieldClientID, tr("settings.client_id"), s.ClientID, "")

	f.secret = newRoutedPasswordEntry(d.router)
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
	addShop := newDeskButton(tr("settings.add_shop"), theme.ContentAddIcon(), func() { f.addShopRow(settings.Shop{}) }, d.router)
	if r.Locked[settings.FieldShops] {
		addShop.Disable()
	}
	add(settings.FieldShops, tr("settings.shops"), container.NewVBox(f.shops, container.NewHBox(addShop)))
	f.current = newRoutedSelect(d.router, nil)
	f.refreshShopChoices(s.CurrentShop)
	if r.Locked[settings.FieldDefaultShop] {
		f.current.Disable()
	}
	add(settings.FieldDefaultShop, tr("settings.current_shop"), f.current)

	text(settings.FieldTimeout, tr("settings.timeout"), itoa(s.TimeoutSeconds), "10")
	text(settings.FieldIdleClear, tr("settings.idle_clear"), itoa(s.IdleClearSeconds), "60")
	labels, _ := languageChoices()
	f.language = newRoutedSelect(d.router, labels)
	f.language.SetSelected(labels[languageIndex(s.Language)])
	if r.Locked[settings.FieldLanguage] {
		f.language.Disable()
	}
	add(settings.FieldLanguage, tr("settings.language"), f.language)

	// Redeeming writes to members' points: off unless turned on, and head office can lock it.
	f.redeem = newRoutedSelect(d.router, []string{tr("settings.redeem_off"), tr("settings.redeem_on")})
	f.redeem.SetSelectedIndex(map[bool]int{false: 0, true: 1}[s.RedeemEnabled])
	if r.Locked[settings.FieldRedeemEnabled] {
		f.redeem.Disable()
	}
	add(settings.FieldRedeemEnabled, tr("settings.redeem"), f.redeem)

	f.status = widget.NewLabel("")
	f.status.Wrapping = fyne.TextWrapWord
	test := newDeskButton(tr("settings.test"), theme.MediaPlayIcon(), f.onTest, d.router)
	save := newDeskButton(tr("settings.save"), theme.DocumentSaveIcon(), f.onSave, d.router)
	save.Importance = widget.HighImportance
	cancel := newDeskButton(tr("settings.cancel"), theme.CancelIcon(), f.onCancel, d.router)
	title := widget.NewLabel(tr("settings.title"))
	title.SizeName = theme.SizeNameHeadingText
	header := container.NewVBox(title)
	if r.ProvisionPath != "" {
		note := widget.NewLabel(tr("settings.provisioned", map[string]any{"Path": r.ProvisionPath}))
		note.Wrapping = fyne.TextWrapWord
		header.Add(note)
	}
	if l := d.logProblemLabel(); l != nil { // said once, here: the window runs on without its log
		header.Add(l)
	}
	for _, warning := range r.Warnings { // e.g. unknown fields in the provisioning file
		l := widget.NewLabel(warningText(warning))
		l.Importance = widget.WarningImportance
		l.Wrapping = fyne.TextWrapWord
		header.Add(l)
	}
	buttons := container.NewVBox(f.status, container.NewHBox(test, save, cancel))
	f.scroll = container.NewVScroll(rows)
	f.content = container.NewPadded(container.NewBorder(header, buttons, nil, nil,
		container.NewStack(f.scroll, newWheelToScroll(f.scroll))))
	f.initial, f.initialSecret = f.collect()
	return f
}

func (f *settingsForm) addShopRow(shop settings.Shop) {
	row := shopRow{id: newRoutedEntry(f.d.router), name: newRoutedEntry(f.d.router)}
	row.id.SetText(shop.ID)
	row.id.SetPlaceHolder(example("000030"))
	row.name.SetText(shop.Name)
	row.name.SetPlaceHolder(tr("settings.shop_name"))
	row.id.OnChanged = func(string) { f.refreshShopChoices(f.currentShop()) }
	row.name.OnChanged = func(string) { f.refreshShopChoices(f.currentShop()) }
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
		f.refreshShopChoices(f.currentShop())
	}
}

// refreshShopChoices lists the shops of the rows as "name (id)", keeping the shop with
// id selected (the first when it is gone).
func (f *settingsForm) refreshShopChoices(selected string) {
	f.shopIDs = map[string]string{}
	var labels []string
	for _, r := range f.shopRows {
		id := strings.TrimSpace(r.id.Text)
		if id == "" {
			continue
		}
		label := shopLabel(settings.Shop{ID: id, Name: strings.TrimSpace(r.name.Text)})
		f.shopIDs[label] = id
		labels = append(labels, label)
	}
	f.current.Options = labels
	f.current.Selected = ""
	for _, l := range labels {
		if f.shopIDs[l] == selected {
			f.current.Selected = l
		}
	}
	if f.current.Selected == "" && len(labels) > 0 {
		f.current.Selected = labels[0]
	}
	f.current.Refresh()
}

// currentShop is the id of the shop picked as this desk's.
func (f *settingsForm) currentShop() string { return f.shopIDs[f.current.Selected] }

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
		s.CurrentShop = f.currentShop()
	}
	if !f.resolved.Locked[settings.FieldTimeout] {
		s.TimeoutSeconds = atoi(f.entries[settings.FieldTimeout].Text)
	}
	if !f.resolved.Locked[settings.FieldIdleClear] {
		s.IdleClearSeconds = atoi(f.entries[settings.FieldIdleClear].Text)
	}
	if !f.resolved.Locked[settings.FieldRedeemEnabled] {
		s.RedeemEnabled = f.redeem.SelectedIndex() == 1
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

// example is a placeholder that cannot be taken for a value: "e.g. 000030".
func example(value string) string {
	return tr("settings.example", map[string]any{"Value": value})
}

// scrollIntoView scrolls the fields so that o, which just got the focus (Tab), shows.
func (f *settingsForm) scrollIntoView(o fyne.CanvasObject) {
	drv := fyne.CurrentApp().Driver()
	if f.scroll == nil || f.scroll.Content == nil || drv.CanvasForObject(o) == nil {
		return
	}
	top := drv.AbsolutePositionForObject(o).Y - drv.AbsolutePositionForObject(f.scroll.Content).Y
	if top < 0 {
		return // not inside the scrolled fields (the buttons below them)
	}
	bottom, view := top+o.Size().Height, f.scroll.Size().Height
	off := f.scroll.Offset.Y
	switch {
	case top < off:
		off = top
	case bottom > off+view:
		off = bottom - view
	default:
		return
	}
	f.scroll.ScrollToOffset(fyne.NewPos(0, off))
}
