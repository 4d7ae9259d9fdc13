package gui

import (
	"errors"
	"image/color"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// deskWidgets are the widgets the refresh methods update. Each state has its own
// panel; exactly one is visible. A panel is built the first time its state is shown
// (see panelFor), so its widgets are nil until then.
type deskWidgets struct {
	entry       *numberEntry
	inlineError *widget.Label

	// body stacks the panels built so far; panels[s] is state s's panel, nil until built.
	body   *fyne.Container
	panels [stateCount]*fyne.Container

	header      *fyne.Container
	welcomeNote *widget.Label

	loadingText   *widget.Label
	notMemberText *widget.Label
	invalidText   *widget.Label
	errorTitle    *widget.Label
	errorDetail   *widget.Label
	errorIcon     *widget.Icon
	retryButton   *deskButton
	settingsBtn   *deskButton
	// info is the About or connection panel while it is open (showInfo).
	info *widget.PopUp

	recentList    *fyne.Container
	recentEmpty   *widget.Label
	recentButtons [10]*deskButton // maxRecent
	demoNumbers   *fyne.Container

	member memberWidgets
}

func (d *desk) buildUI() fyne.CanvasObject {
	// Start from nothing: widgets made lazily (recent buttons, expiring rows) must belong
	// to the new tree when the window is rebuilt after Settings.
	d.ui = deskWidgets{}
	u := &d.ui
	u.entry = newNumberEntry()
	u.entry.SetPlaceHolder(tr("entry.placeholder"))
	u.entry.OnSubmitted = d.onSubmit
	u.entry.onEscape = d.onEscape
	u.entry.onRepeat = d.onRepeat
	u.entry.onFocus = func() { d.touch(); d.focusEntry(); u.entry.selectAll() }
	u.entry.onTabOut = func() { d.win.Canvas().FocusNext() }
	u.entry.onSettings = d.onOpenSettings
	u.entry.now = func() time.Time { return d.now() }
	u.entry.onBurst = d.onScanBurst
	search := newDeskButton(tr("entry.search"), theme.SearchIcon(), func() { d.onSubmit(u.entry.Text) }, d.typeIntoEntry)
	search.Importance = widget.HighImportance
	u.inlineError = widget.NewLabel("")
	u.inlineError.Importance = widget.DangerImportance
	u.inlineError.Hide()
	inputRow := container.NewBorder(nil, nil, nil, search, u.entry)

	// Empty until the first setState: only the panel the window starts in is built
	// before the first frame.
	u.body = container.NewStack()

	u.recentList = container.NewVBox()
	recentTitle := widget.NewLabel(tr("recent.title"))
	recent := container.NewBorder(recentTitle, nil, nil, nil, container.NewVScroll(u.recentList))
	sidebar := container.New(&sizedLayout{width: 150}, recent)

	u.header = container.NewVBox()
	d.refreshHeader()
	top := container.NewVBox(u.header, container.NewPadded(container.NewVBox(inputRow, u.inlineError)))
	return container.NewBorder(top, nil, container.NewPadded(sidebar), nil, container.NewPadded(u.body))
}

// panelFor returns state s's panel, building it on first use. Building every panel up
// front measured every label in them, with every text style's font, before the window
// could show; now the first frame only needs the header, the entry and the starting
// panel. It runs on the UI goroutine like every caller of setState, so a scan arriving
// meanwhile just waits its turn in Fyne's event queue.
func (d *desk) panelFor(s deskState) *fyne.Container {
	u := &d.ui
	if p := u.panels[s]; p != nil {
		return p
	}
	var p *fyne.Container
	switch s {
	case stateIdle:
		p = d.buildIdlePanel()
	case stateLoading:
		p = d.buildLoadingPanel()
	case stateFound:
		p = d.buildFoundPanel()
	case stateNotMember:
		p = d.buildNotMemberPanel()
	case stateInvalid:
		p = d.buildInvalidPanel()
	case stateError:
		p = d.buildErrorPanel()
	case stateWelcome:
		p = d.buildWelcomePanel()
	}
	p.Hide() // refreshAll shows it when its state is the current one
	u.panels[s] = p
	u.body.Add(p)
	return p
}

// refreshHeader redraws the header: demo banner, app name, the current shop (a picker
// when the desk serves several) and the settings button.
func (d *desk) refreshHeader() {
	icon := iconImage(headerIconSide)
	title := widget.NewLabel(tr("app.title"))
	title.SizeName = theme.SizeNameSubHeadingText
	row := container.NewHBox(icon, title, layout.NewSpacer())
	if len(d.conn.shops) > 1 {
		names := make([]string, len(d.conn.shops))
		for i, s := range d.conn.shops {
			names[i] = shopLabel(s)
		}
		picker := widget.NewSelect(names, func(picked string) {
			for _, s := range d.conn.shops {
				if shopLabel(s) == picked {
					d.onShopPicked(s.ID)
				}
			}
		})
		picker.SetSelected(shopLabel(settings.Shop{ID: d.conn.shopID, Name: d.conn.shopName()}))
		row.Add(widget.NewLabel(tr("header.shop_picker")))
		row.Add(container.New(&sizedLayout{width: 220}, picker)) // the whole shop name, not "信義店 (000…"
	} else if d.conn.shopID != "" {
		row.Add(widget.NewLabel(tr("header.shop", map[string]any{"Shop": d.conn.shopName()})))
	}
	if d.opts.Backend != nil {
		row.Add(newDeskButton(tr("error.settings"), theme.SettingsIcon(), d.onOpenSettings, d.typeIntoEntry))
	}
	about := newDeskButton("", theme.InfoIcon(), d.onAbout, d.typeIntoEntry)
	about.Importance = widget.LowImportance
	row.Add(about)
	objs := []fyne.CanvasObject{container.NewPadded(row)}
	if d.conn.demo {
		banner := canvas.NewRectangle(theme.Color(colorNameDemoBanner))
		demoText := canvas.NewText(tr("header.demo"), color.Black)
		demoText.Alignment = fyne.TextAlignCenter
		objs = append([]fyne.CanvasObject{container.NewStack(banner, container.NewPadded(demoText))}, objs...)
	}
	d.ui.header.Objects = objs
	d.ui.header.Refresh()
}

func shopLabel(s settings.Shop) string {
	if s.Name == "" {
		return s.ID
	}
	return s.Name + " (" + s.ID + ")"
}

// buildWelcomePanel is the first-run screen: nothing is configured, so offer the demo
// or the settings. A broken provisioning file is explained here.
func (d *desk) buildWelcomePanel() *fyne.Container {
	title := widget.NewLabelWithStyle(tr("welcome.title"), fyne.TextAlignCenter, fyne.TextStyle{})
	title.SizeName = theme.SizeNameHeadingText
	text := widget.NewLabelWithStyle(tr("welcome.text"), fyne.TextAlignCenter, fyne.TextStyle{})
	text.Wrapping = fyne.TextWrapWord
	d.ui.welcomeNote = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	d.ui.welcomeNote.Importance = widget.DangerImportance
	d.ui.welcomeNote.Wrapping = fyne.TextWrapWord
	demo := newDeskButton(tr("welcome.demo"), theme.MediaPlayIcon(), d.onStartDemo, d.typeIntoEntry)
	setup := newDeskButton(tr("welcome.setup"), theme.SettingsIcon(), d.onOpenSettings, d.typeIntoEntry)
	setup.Importance = widget.HighImportance
	if d.opts.Backend == nil {
		demo.Disable()
		setup.Disable()
	}
	return container.NewVBox(layout.NewSpacer(), container.NewCenter(iconImage(96)),
		title, text, d.ui.welcomeNote, container.NewCenter(container.NewHBox(demo, setup)), layout.NewSpacer())
}

// onStartDemo starts the built-in demo server (off the UI goroutine: it opens a socket).
func (d *desk) onStartDemo() {
	d.touch()
	backend := d.opts.Backend
	if backend == nil {
		return
	}
	go func() {
		session, err := backend.StartDemo()
		d.onUI(func() {
			if err != nil {
				d.setState(deskModel{state: stateError, err: err})
				return
			}
			d.useConnection(connection{lookup: session.Lookup, shopID: session.ShopID, demo: true,
				demoNumbers: session.Numbers, shops: []settings.Shop{{ID: session.ShopID}}})
		})
	}()
}

func (d *desk) buildIdlePanel() *fyne.Container {
	hint := widget.NewLabelWithStyle(tr("idle.hint"), fyne.TextAlignCenter, fyne.TextStyle{})
	hint.SizeName = theme.SizeNameHeadingText
	sub := widget.NewLabelWithStyle(tr("idle.keys"), fyne.TextAlignCenter, fyne.TextStyle{})
	sub.Importance = widget.LowImportance
	items := []fyne.CanvasObject{layout.NewSpacer(), hint, sub}
	d.ui.demoNumbers = container.NewVBox()
	items = append(items, d.ui.demoNumbers, layout.NewSpacer())
	return container.NewVBox(items...)
}

// refreshDemoNumbers lists the demo numbers on the idle panel, in demo mode only.
func (d *desk) refreshDemoNumbers() {
	box := d.ui.demoNumbers
	box.RemoveAll()
	if d.conn.demo && len(d.conn.demoNumbers) > 0 {
		grid := container.NewGridWithColumns(2)
		for _, n := range d.conn.demoNumbers {
			num := n.Mobile
			// Short translated labels; the demo package's English descriptions are for the README.
			b := newDeskButton(num+"  "+lang.X("demo."+num, n.Label), nil, func() { d.ui.entry.setNumber(num); d.onSubmit(num) }, d.typeIntoEntry)
			b.Alignment = widget.ButtonAlignLeading
			grid.Add(b)
		}
		box.Add(widget.NewLabelWithStyle(tr("idle.demo_numbers"), fyne.TextAlignCenter, fyne.TextStyle{}))
		box.Add(grid)
	}
}

func (d *desk) buildLoadingPanel() *fyne.Container {
	d.ui.loadingText = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	d.ui.loadingText.SizeName = theme.SizeNameSubHeadingText
	bar := widget.NewProgressBarInfinite()
	return container.NewVBox(layout.NewSpacer(), d.ui.loadingText, container.NewPadded(bar), layout.NewSpacer())
}

func (d *desk) buildNotMemberPanel() *fyne.Container {
	d.ui.notMemberText = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	d.ui.notMemberText.SizeName = theme.SizeNameHeadingText
	hint := widget.NewLabelWithStyle(tr("notmember.hint"), fyne.TextAlignCenter, fyne.TextStyle{})
	hint.Wrapping = fyne.TextWrapWord
	icon := widget.NewIcon(theme.AccountIcon())
	return container.NewVBox(layout.NewSpacer(), container.NewCenter(container.New(&sizedLayout{width: 64, height: 64}, icon)),
		d.ui.notMemberText, hint, layout.NewSpacer())
}

func (d *desk) buildInvalidPanel() *fyne.Container {
	d.ui.invalidText = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	d.ui.invalidText.SizeName = theme.SizeNameSubHeadingText
	d.ui.invalidText.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabelWithStyle(tr("invalid.hint"), fyne.TextAlignCenter, fyne.TextStyle{})
	hint.Wrapping = fyne.TextWrapWord
	icon := widget.NewIcon(theme.WarningIcon())
	return container.NewVBox(layout.NewSpacer(), container.NewCenter(container.New(&sizedLayout{width: 64, height: 64}, icon)),
		d.ui.invalidText, hint, layout.NewSpacer())
}

func (d *desk) buildErrorPanel() *fyne.Container {
	u := &d.ui
	u.errorIcon = widget.NewIcon(theme.ErrorIcon())
	u.errorTitle = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	u.errorTitle.SizeName = theme.SizeNameHeadingText
	u.errorDetail = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	u.errorDetail.Wrapping = fyne.TextWrapWord
	u.retryButton = newDeskButton(tr("error.retry"), theme.ViewRefreshIcon(), d.onRepeat, d.typeIntoEntry)
	u.retryButton.Importance = widget.HighImportance
	u.settingsBtn = newDeskButton(tr("error.settings"), theme.SettingsIcon(), d.onOpenSettings, d.typeIntoEntry)
	buttons := container.NewCenter(container.NewHBox(u.retryButton, u.settingsBtn))
	return container.NewVBox(layout.NewSpacer(), container.NewCenter(container.New(&sizedLayout{width: 64, height: 64}, u.errorIcon)),
		u.errorTitle, u.errorDetail, buttons, layout.NewSpacer())
}

// onAbout shows the version, commit and build date stamped at build time, and the
// font's licence.
func (d *desk) onAbout() {
	d.touch()
	text := widget.NewLabel(tr("about.text", map[string]any{
		"Version": service.Version, "Commit": service.Commit, "Date": service.BuildDate}))
	text.Wrapping = fyne.TextWrapWord
	d.showInfo(tr("about.title"), container.New(&sizedLayout{width: 460}, text))
}

func showSummaryDialog(d *desk) {
	msg := widget.NewLabel(tr("settings.summary", map[string]any{"Summary": d.opts.ConnectionSummary}))
	msg.Wrapping = fyne.TextWrapWord
	d.showInfo(tr("error.settings"), container.New(&sizedLayout{width: 520}, msg))
}

// showInfo shows body under title on a modal panel with a Close button, and gives the
// entry its focus back when it closes. It stands in for dialog.NewCustom, whose title
// is bold: opening About would load a second text style (textstyle.go).
func (d *desk) showInfo(title string, body fyne.CanvasObject) {
	heading := widget.NewLabel(title)
	heading.SizeName = theme.SizeNameSubHeadingText
	closeButton := widget.NewButton(tr("dialog.close"), func() {
		d.closeInfo()
		d.focusEntry()
	})
	buttons := container.NewCenter(closeButton)
	d.closeInfo()
	d.ui.info = widget.NewModalPopUp(container.NewPadded(container.NewBorder(heading, buttons, nil, nil, body)), d.win.Canvas())
	d.ui.info.Show()
}

// closeInfo closes the About or connection panel, if it is open.
func (d *desk) closeInfo() {
	if d.ui.info != nil {
		d.ui.info.Hide()
		d.ui.info = nil
	}
}

// refreshAll shows the panel of the current state and syncs its widgets.
func (d *desk) refreshAll() {
	u, m := &d.ui, &d.model
	current := d.panelFor(m.state)
	if m.state == stateLoading {
		// Build the found panel while the answer is on its way, not after it arrives.
		d.panelFor(stateFound)
	}
	for _, p := range u.panels {
		if p == current {
			p.Show()
		} else if p != nil {
			p.Hide()
		}
	}
	masked := service.MaskMobile(m.mobile)
	// Labels of hidden panels are emptied, so a cleared screen holds no number at all.
	// (A panel not built yet has never held one.)
	if u.loadingText != nil {
		u.loadingText.SetText("")
	}
	if u.notMemberText != nil {
		u.notMemberText.SetText("")
	}
	switch m.state {
	case stateLoading:
		u.loadingText.SetText(tr("loading.text", map[string]any{"Mobile": masked}))
	case stateNotMember:
		u.notMemberText.SetText(tr("notmember.title", map[string]any{"Mobile": masked}))
	case stateInvalid:
		u.invalidText.SetText(tr("invalid.title"))
	case stateError:
		d.refreshError()
	case stateWelcome:
		u.welcomeNote.SetText(provisionProblem(m.err))
	case stateIdle:
		d.refreshDemoNumbers()
	}
	if m.state == stateInvalid {
		u.inlineError.SetText(tr("invalid.inline"))
		u.inlineError.Show()
	} else {
		u.inlineError.Hide()
	}
	d.refreshMember()
	d.refreshRecent()
	// Labels and images above changed size; re-layout the tree so nothing overlaps.
	if c := d.win.Content(); c != nil {
		c.Refresh()
	}
}

// refreshError turns the error's kind into a sentence a cashier understands.
func (d *desk) refreshError() {
	u, err := &d.ui, d.model.err
	kind := service.KindOf(err)
	var title, detail string
	settings := false
	switch kind {
	case service.KindNetwork:
		title, detail = tr("error.network.title"), tr("error.network.detail")
	case service.KindTimeout:
		title, detail = tr("error.timeout.title"), tr("error.timeout.detail")
	case service.KindAuth:
		title, detail, settings = tr("error.auth.title"), tr("error.auth.detail"), true
	case service.KindConfig:
		title, detail, settings = tr("error.config.title"), tr("error.config.detail"), true
	case service.KindServer:
		title = tr("error.server.title")
		var se *service.Error
		code := 0
		if errors.As(err, &se) {
			code = se.StatusCode
		}
		detail = tr("error.server.detail", map[string]any{"Code": code})
	case service.KindMalformed:
		title, detail = tr("error.malformed.title"), tr("error.malformed.detail")
	default:
		title, detail = tr("error.unknown.title"), tr("error.unknown.detail")
	}
	u.errorTitle.SetText(title)
	u.errorDetail.SetText(detail)
	if d.lastLookup != "" {
		u.retryButton.Show()
	} else {
		u.retryButton.Hide()
	}
	if settings {
		u.settingsBtn.Show()
	} else {
		u.settingsBtn.Hide()
	}
}

// refreshRecent syncs the recent list. Its widgets are made once and reused: new
// widgets on every lookup pile up in Fyne's renderer cache at scanning speed.
func (d *desk) refreshRecent() {
	u := &d.ui
	if u.recentEmpty == nil {
		u.recentEmpty = widget.NewLabel(tr("recent.empty"))
		u.recentEmpty.Importance = widget.LowImportance
		u.recentList.Add(u.recentEmpty)
		for i := range u.recentButtons {
			i := i
			b := newDeskButton("", nil, func() {
				if i < len(d.model.recent) {
					d.onRecentTapped(d.model.recent[i])
				}
			}, d.typeIntoEntry)
			b.Importance = widget.LowImportance
			b.Alignment = widget.ButtonAlignLeading
			u.recentButtons[i] = b
			u.recentList.Add(b)
		}
	}
	if len(d.model.recent) == 0 {
		u.recentEmpty.Show()
	} else {
		u.recentEmpty.Hide()
	}
	for i, b := range u.recentButtons {
		if i >= len(d.model.recent) {
			if b.Text != "" {
				b.SetText("") // hidden is not gone: no number stays behind
			}
			b.Hide()
			continue
		}
		if text := service.MaskMobile(d.model.recent[i]); b.Text != text {
			b.SetText(text)
		}
		b.Show()
	}
}

// installKeys makes the whole window a scan target: digits typed while nothing has
// focus (say, after a click on the background) go to the entry, and Return submits it.
func (d *desk) installKeys() {
	c := d.win.Canvas()
	c.SetOnTypedRune(d.typeIntoEntry)
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if d.settings != nil {
			return // the settings screen is showing, not the desk
		}
		switch k.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			d.onSubmit(d.ui.entry.Text)
		case fyne.KeyEscape:
			d.onEscape()
		case fyne.KeyF5:
			d.onRepeat()
		}
	})
	c.AddShortcut(settingsShortcut, func(fyne.Shortcut) {
		if d.settings == nil {
			d.onOpenSettings()
		}
	})
	for _, s := range focusShortcuts {
		c.AddShortcut(s, func(fyne.Shortcut) {
			if d.settings == nil {
				d.touch()
				d.focusEntry()
				d.ui.entry.selectAll()
			}
		})
	}
}

// typeIntoEntry sends a character typed while the entry lacks focus to the entry, so a
// scan lands wherever the focus was. Only characters a phone number can contain count.
func (d *desk) typeIntoEntry(r rune) {
	if (!unicode.IsDigit(r) && r != '+') || d.settings != nil {
		return
	}
	d.closeInfo() // a customer's scan matters more than the About panel: show its answer
	d.focusEntry()
	d.ui.entry.TypedRune(r)
}

// sizedLayout gives its objects a fixed minimum width and, when height is set, a fixed
// minimum height; otherwise the height follows the content.
type sizedLayout struct{ width, height float32 }

func (l *sizedLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *sizedLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if l.height > 0 {
		return fyne.NewSize(l.width, l.height)
	}
	h := float32(0)
	for _, o := range objs {
		if o.Visible() {
			h = max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(l.width, h)
}
