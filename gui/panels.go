package gui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// statePanels is the main area: one panel per window state, exactly one visible. A
// panel is built the first time its state is shown (panelFor), so its widgets are nil
// until then: building every panel up front measured every label in them before the
// window could show.
type statePanels struct {
	d     *desk
	body  *fyne.Container // stacks the panels built so far
	built [stateCount]*fyne.Container

	welcomeNote   *widget.Label
	demoNumbers   *fyne.Container
	loadingText   *widget.Label
	notMemberText *widget.Label
	invalidText   *widget.Label
	invalidHint   *widget.Label
	errorTitle    *widget.Label
	errorDetail   *widget.Label
	retryButton   *deskButton
	settingsBtn   *deskButton
	found         *foundPanel
	rewards       *rewardsView // nil until first opened
}

func newStatePanels(d *desk) *statePanels {
	// Empty until the first refresh: only the panel the window starts in is built
	// before the first frame.
	return &statePanels{d: d, body: container.NewStack()}
}

// panelFor returns state s's panel, building it on first use. It runs on the UI
// goroutine like every refresh, so a scan arriving meanwhile just waits its turn.
func (p *statePanels) panelFor(s deskState) *fyne.Container {
	if c := p.built[s]; c != nil {
		return c
	}
	var c *fyne.Container
	switch s {
	case stateIdle:
		c = p.buildIdle()
	case stateLoading:
		c = p.buildLoading()
	case stateFound:
		p.found = newFoundPanel(p.d)
		c = p.found.box
	case stateNotMember:
		c = p.buildNotMember()
	case stateInvalid:
		c = p.buildInvalid()
	case stateError:
		c = p.buildError()
	case stateWelcome:
		c = p.buildWelcome()
	}
	c.Hide() // refresh shows it when its state is the current one
	p.built[s] = c
	p.body.Add(c)
	return c
}

// refresh shows the panel of m's state and syncs its widgets. Labels of hidden panels
// are emptied, so a cleared screen holds no number at all.
func (p *statePanels) refresh(m *deskModel, c connection, canRetry bool) {
	current := p.panelFor(m.state)
	if m.state == stateLoading {
		p.panelFor(stateFound) // built while the answer is on its way, not after it arrives
	}
	for _, panel := range p.built {
		if panel == current {
			panel.Show()
		} else if panel != nil {
			panel.Hide()
		}
	}
	masked := service.MaskMobile(m.mobile)
	if p.loadingText != nil {
		p.loadingText.SetText("")
	}
	if p.notMemberText != nil {
		p.notMemberText.SetText("")
	}
	switch m.state {
	case stateLoading:
		p.loadingText.SetText(tr("loading.text", map[string]any{"Mobile": masked}))
	case stateNotMember:
		p.notMemberText.SetText(tr("notmember.title", map[string]any{"Mobile": masked}))
	case stateInvalid:
		p.invalidText.SetText(tr(m.invalid.key() + ".title"))
		p.invalidHint.SetText(tr(m.invalid.key() + ".hint"))
	case stateError:
		p.refreshError(m.err, canRetry)
	case stateWelcome:
		p.welcomeNote.SetText(provisionProblem(m.err))
	case stateIdle:
		p.refreshDemoNumbers(c)
	}
	if p.found != nil {
		p.found.refresh(m)
	}
	p.refreshRewards(m, c, current)
}

// refreshRewards shows the Rewards view in place of the member card while it is open.
func (p *statePanels) refreshRewards(m *deskModel, c connection, found *fyne.Container) {
	open := m.state == stateFound && m.rewards.open
	if !open {
		if v := p.rewards; v != nil {
			v.box.Hide()
			v.lists.RemoveAll() // nothing of the member stays behind
			v.title.SetText("")
			v.status.SetText("")
			v.points.SetText("")
		}
		return
	}
	if p.rewards == nil {
		p.rewards = newRewardsView(p.d)
		p.body.Add(p.rewards.box)
	}
	found.Hide()
	p.rewards.refresh(m, c, p.d.unresolved, p.d.today)
	p.rewards.box.Show()
}

// buildWelcome is the first-run screen: nothing is configured, so offer the demo or
// the settings. A broken provisioning file is explained here.
func (p *statePanels) buildWelcome() *fyne.Container {
	d := p.d
	title := centred(tr("welcome.title"))
	title.SizeName = theme.SizeNameHeadingText
	text := centred(tr("welcome.text"))
	text.Wrapping = fyne.TextWrapWord
	p.welcomeNote = centred("")
	p.welcomeNote.Importance = widget.DangerImportance
	p.welcomeNote.Wrapping = fyne.TextWrapWord
	demo := newDeskButton(tr("welcome.demo"), theme.MediaPlayIcon(), d.onStartDemo, d.router)
	setup := newDeskButton(tr("welcome.setup"), theme.SettingsIcon(), d.onOpenSettings, d.router)
	setup.Importance = widget.HighImportance
	if d.opts.Backend == nil {
		demo.Disable()
		setup.Disable()
	}
	return container.NewVBox(layout.NewSpacer(), container.NewCenter(iconImage(96)),
		title, text, p.welcomeNote, container.NewCenter(container.NewHBox(demo, setup)), layout.NewSpacer())
}

func (p *statePanels) buildIdle() *fyne.Container {
	hint := centred(tr("idle.hint"))
	hint.SizeName = theme.SizeNameHeadingText
	sub := centred(tr("idle.keys"))
	sub.Importance = widget.LowImportance
	p.demoNumbers = container.NewVBox()
	return container.NewVBox(layout.NewSpacer(), hint, sub, p.demoNumbers, layout.NewSpacer())
}

// refreshDemoNumbers lists the demo numbers on the idle panel, in demo mode only.
func (p *statePanels) refreshDemoNumbers(c connection) {
	d, box := p.d, p.demoNumbers
	box.RemoveAll()
	if !c.demo || len(c.demoNumbers) == 0 {
		return
	}
	grid := container.NewGridWithColumns(2)
	for _, n := range c.demoNumbers {
		num := n.Mobile
		// Short translated labels; the demo package's English descriptions are for the README.
		b := newDeskButton(num+"  "+lang.X("demo."+num, n.Label), nil, func() { d.ui.entry.setNumber(num); d.onSubmit(num) }, d.router)
		b.Alignment = widget.ButtonAlignLeading
		grid.Add(b)
	}
	box.Add(centred(tr("idle.demo_numbers")))
	box.Add(grid)
}

func (p *statePanels) buildLoading() *fyne.Container {
	p.loadingText = centred("")
	p.loadingText.SizeName = theme.SizeNameSubHeadingText
	bar := widget.NewProgressBarInfinite()
	return container.NewVBox(layout.NewSpacer(), p.loadingText, container.NewPadded(bar), layout.NewSpacer())
}

func (p *statePanels) buildNotMember() *fyne.Container {
	p.notMemberText = centred("")
	p.notMemberText.SizeName = theme.SizeNameHeadingText
	hint := centred(tr("notmember.hint"))
	hint.Wrapping = fyne.TextWrapWord
	return container.NewVBox(layout.NewSpacer(), stateIcon(theme.AccountIcon()), p.notMemberText, hint, layout.NewSpacer())
}

func (p *statePanels) buildInvalid() *fyne.Container {
	p.invalidText = centred("")
	p.invalidText.SizeName = theme.SizeNameSubHeadingText
	p.invalidText.Wrapping = fyne.TextWrapWord
	p.invalidHint = centred(tr("invalid.hint"))
	p.invalidHint.Wrapping = fyne.TextWrapWord
	return container.NewVBox(layout.NewSpacer(), stateIcon(theme.WarningIcon()), p.invalidText, p.invalidHint, layout.NewSpacer())
}

func (p *statePanels) buildError() *fyne.Container {
	d := p.d
	p.errorTitle = centred("")
	p.errorTitle.SizeName = theme.SizeNameHeadingText
	p.errorDetail = centred("")
	p.errorDetail.Wrapping = fyne.TextWrapWord
	p.retryButton = newDeskButton(tr("error.retry"), theme.ViewRefreshIcon(), d.onRepeat, d.router)
	p.retryButton.Importance = widget.HighImportance
	p.settingsBtn = newDeskButton(tr("error.settings"), theme.SettingsIcon(), d.onOpenSettings, d.router)
	buttons := container.NewCenter(container.NewHBox(p.retryButton, p.settingsBtn))
	return container.NewVBox(layout.NewSpacer(), stateIcon(theme.ErrorIcon()), p.errorTitle, p.errorDetail, buttons, layout.NewSpacer())
}

// refreshError turns the error's kind into a sentence a cashier understands.
func (p *statePanels) refreshError(err error, canRetry bool) {
	var title, detail string
	settings := false
	switch service.KindOf(err) {
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
	p.errorTitle.SetText(title)
	p.errorDetail.SetText(detail)
	showIf(p.retryButton, canRetry)
	showIf(p.settingsBtn, settings)
}

func centred(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignCenter, fyne.TextStyle{})
}

// stateIcon is a state panel's large icon.
func stateIcon(r fyne.Resource) fyne.CanvasObject {
	return container.NewCenter(container.New(&sizedLayout{width: 64, height: 64}, widget.NewIcon(r)))
}

func showIf(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
}
