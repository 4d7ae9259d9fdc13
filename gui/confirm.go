package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// confirmPanel asks before a redemption is sent, stays while it is on its way, and then
// says what became of it. For an order whose outcome is unknown (just now, or left
// unresolved on any day) it shows the evidence (the balance now, whether the coupon is
// now used) and offers Retry with the same order id, "It was charged" and "It was not
// charged". It sends only on an explicit press; a scan closes it, except while a
// redemption is on its way: then nothing hides it until the answer is shown.
type confirmPanel struct {
	d     *desk
	popup *widget.PopUp
	r     redemption
	mode  panelMode
	// lines: what the redemption is; after: the balance after (hidden once it is not
	// going to happen); status: what happened; evidence: the balance and coupons now.
	lines            *fyne.Container
	after, status    *widget.Label
	evidence, notice *widget.Label
	// armed is true while one press may send or settle: a double click or a second
	// press does not send twice.
	armed bool
	// returnTo names the Rewards view's control that had the focus when the panel
	// opened: it gets it back when the panel closes (not the number entry, where Tab
	// would look the member up again).
	returnTo string

	confirm, cancel, retry, charged, notCharged, close *deskButton
	body                                               *fyne.Container
	heading                                            *widget.Label
}

// panelMode is what the panel is showing.
type panelMode int

const (
	panelClosed  panelMode = iota
	panelAsking            // Confirm / Cancel
	panelSending           // nothing to press: the answer is awaited
	panelSettle            // unknown outcome: Retry / It was charged / It was not charged
	panelSaving            // a resolution is being recorded
	panelDone              // an outcome or a cancel is shown: Close
)

func newConfirmPanel(d *desk) *confirmPanel { return &confirmPanel{d: d} }

// open builds the panel for r with heading title.
func (p *confirmPanel) open(r redemption, title, shop string) {
	p.remove() // whatever it showed, a send's answer included, gives way to r
	d := p.d
	p.r = r
	p.returnTo = ""
	if v := d.ui.panels.rewards; v != nil {
		p.returnTo = v.keyOf(d.win.Canvas().Focused())
	}
	heading := widget.NewLabel(title)
	heading.SizeName = theme.SizeNameSubHeadingText
	p.heading = heading
	p.lines = container.NewVBox(
		widget.NewLabel(tr("redeem.member", map[string]any{"Mobile": service.MaskMobile(r.mobile)})),
		widget.NewLabel(tr("redeem.shop", map[string]any{"Shop": shop})),
		widget.NewLabel(tr("redeem.what", map[string]any{"What": r.what})),
	)
	if r.orderID != "" {
		p.lines.Add(widget.NewLabel(tr("redeem.order", map[string]any{"Order": r.orderID})))
	}
	p.after = widget.NewLabel("")
	p.after.Hide()
	p.lines.Add(p.after)
	p.evidence = wrappedLabel()
	p.notice = wrappedLabel()
	p.status = wrappedLabel()
	button := func(label string, icon fyne.Resource, tapped func()) *deskButton {
		b := newDeskButton(label, icon, tapped, d.router)
		b.showFocus = true // the focused button is the bright one: Enter presses it
		b.Hide()
		return b
	}
	p.confirm = button(tr("redeem.confirm"), theme.ConfirmIcon(), p.onSend)
	p.cancel = button(tr("redeem.cancel"), theme.CancelIcon(), p.onCancel)
	p.retry = button(tr("redeem.retry"), theme.ViewRefreshIcon(), p.onSend)
	p.charged = button(tr("redeem.it_was_charged"), nil, func() { p.onResolve(true) })
	p.notCharged = button(tr("redeem.it_was_not_charged"), nil, func() { p.onResolve(false) })
	p.close = button(tr("dialog.close"), nil, p.onClose)
	buttons := container.NewCenter(container.NewHBox(p.confirm, p.cancel, p.retry, p.charged, p.notCharged, p.close))
	p.body = container.NewVBox(heading, p.lines, p.notice, p.status, p.evidence, buttons)
	body := p.body
	p.popup = widget.NewModalPopUp(container.NewPadded(container.New(&sizedLayout{width: 520}, body)), d.win.Canvas())
	p.popup.Show()
}

func wrappedLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// ask shows redemption r for confirmation, with Cancel focused. warning, when not
// empty, is a reason the journal gave earlier that Confirm will meet first.
func (p *confirmPanel) ask(r redemption, shop, warning string) {
	p.open(r, tr("redeem.title"), shop)
	if r.points > 0 {
		p.after.SetText(tr("redeem.after", map[string]any{"Before": groupDigits(r.before), "After": groupDigits(r.before - r.points)}))
		p.after.Importance = widget.HighImportance
		p.after.Show()
	}
	if warning != "" {
		p.sayIn(p.notice, warning, widget.WarningImportance)
	}
	p.show(panelAsking, p.cancel, p.confirm, p.cancel)
}

// settle shows an order whose outcome is unknown: why (intro), then the evidence as
// it comes (evidenceLoading until then), and Retry / It was charged / It was not charged.
func (p *confirmPanel) settle(r redemption, shop, intro string) {
	p.open(r, tr("redeem.settle_title"), shop)
	p.sayIn(p.status, intro, widget.WarningImportance)
	p.sayIn(p.evidence, tr("redeem.evidence_loading"), widget.MediumImportance)
	p.show(panelSettle, p.close, p.retry, p.charged, p.notCharged, p.close)
}

// showEvidence fills in what the member's account shows now, if the panel still shows
// that order.
func (p *confirmPanel) showEvidence(orderID, text string) {
	if p.popup == nil || p.r.orderID != orderID || p.mode != panelSettle {
		return
	}
	p.sayIn(p.evidence, text, widget.MediumImportance)
}

// show switches to mode with exactly buttons shown and focus focused.
func (p *confirmPanel) show(mode panelMode, focus *deskButton, buttons ...*deskButton) {
	p.mode = mode
	for _, b := range []*deskButton{p.confirm, p.cancel, p.retry, p.charged, p.notCharged, p.close} {
		b.Hide()
	}
	for _, b := range buttons {
		b.Show()
	}
	p.armed = mode == panelAsking || mode == panelSettle
	p.relayout()
	if focus != nil {
		p.d.win.Canvas().Focus(focus)
	} else {
		p.d.win.Canvas().Unfocus()
	}
}

func (p *confirmPanel) onSend() {
	if !p.armed {
		return
	}
	p.armed = false
	p.d.sendRedeem(p.r)
}

func (p *confirmPanel) onCancel() {
	if p.mode != panelAsking {
		return
	}
	p.d.touch()
	p.after.Hide()
	p.sayIn(p.status, tr("redeem.cancelled"), widget.MediumImportance)
	p.show(panelDone, p.close, p.close)
	p.d.log.Info("redeem cancelled", "points", p.r.points, "coupons", len(p.r.tickets))
}

func (p *confirmPanel) onResolve(charged bool) {
	if !p.armed {
		return
	}
	p.armed = false
	p.d.resolveOrder(p.r, charged)
}

func (p *confirmPanel) onClose() {
	p.d.touch()
	p.hide()
	p.d.focusAfterPanel(p.returnTo)
}

func (p *confirmPanel) sayIn(l *widget.Label, text string, importance widget.Importance) {
	if p.popup == nil {
		return
	}
	l.Importance = importance
	l.SetText(text)
	l.Show()
	p.relayout()
}

// relayout lays the panel out again after a line or a button came or went.
func (p *confirmPanel) relayout() {
	if p.popup == nil {
		return
	}
	p.popup.Refresh() // the popup lays its content out again at the content's new size
}

// sending: r is on its way; nothing can be pressed, nothing hides the panel.
func (p *confirmPanel) sending(r redemption) {
	p.r = r
	if p.popup == nil {
		return
	}
	p.notice.Hide()
	p.sayIn(p.status, tr("redeem.sending"), widget.MediumImportance)
	p.show(panelSending, nil)
}

// holdOn answers Esc (or a scan) while a redemption is on its way.
func (p *confirmPanel) holdOn(text string) {
	if p.mode == panelSending || p.mode == panelSaving {
		p.sayIn(p.notice, text, widget.WarningImportance)
	}
}

// saving: a resolution is being written to the journal.
func (p *confirmPanel) saving() {
	p.sayIn(p.status, tr("redeem.saving"), widget.MediumImportance)
	p.show(panelSaving, nil)
}

// finish shows msg as r's outcome with Close focused (Retry and the resolutions too
// when it is still unknown), if the panel still shows r.
func (p *confirmPanel) finish(r redemption, msg string, importance widget.Importance, unknown bool) {
	if p.popup == nil || (p.r.orderID != "" && p.r.orderID != r.orderID) || (p.r.orderID == "" && p.r.mobile != r.mobile) {
		return // closed, or another redemption is on screen: the notice line has it
	}
	p.r = r
	if importance != widget.SuccessImportance {
		p.after.Hide() // it did not happen, or may not have
	}
	p.notice.Hide()
	p.sayIn(p.status, msg, importance)
	if unknown {
		p.heading.SetText(tr("redeem.settle_title"))
		p.show(panelSettle, p.close, p.retry, p.charged, p.notCharged, p.close)
		return
	}
	p.show(panelDone, p.close, p.close)
}

// isOpen reports whether the panel shows.
func (p *confirmPanel) isOpen() bool { return p.popup != nil }

// busy reports whether the panel waits for an answer and so cannot be hidden.
func (p *confirmPanel) busy() bool {
	return p.popup != nil && (p.mode == panelSending || p.mode == panelSaving)
}

// hide closes the panel and reports whether it was open. While a redemption or a
// resolution is on its way it stays (and says why): its answer must be seen.
func (p *confirmPanel) hide() bool {
	if p.popup == nil {
		return false
	}
	if p.busy() {
		p.holdOn(tr("redeem.wait_for_answer"))
		return false
	}
	p.remove()
	return true
}

// remove takes the panel off the screen, whatever it shows.
func (p *confirmPanel) remove() {
	if p.popup != nil {
		p.popup.Hide()
	}
	p.popup = nil
	p.mode = panelClosed
}
