package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// confirmPanel asks before a redemption is sent, and then says what became of it.
// It shows the member (masked), the shop, what is deducted and the balance after,
// and sends only on an explicit Confirm. A scan closes it (the input router closes
// every overlay), so a scan can never confirm; Cancel has the focus.
type confirmPanel struct {
	d      *desk
	popup  *widget.PopUp
	r      redemption
	status *widget.Label
	// armed is true while Confirm (or, after an unknown outcome, Retry) may send: one
	// press sends, a double click or a second press does not.
	armed bool

	confirm, cancel, retry, close *deskButton
}

func newConfirmPanel(d *desk) *confirmPanel { return &confirmPanel{d: d} }

// ask shows redemption r for confirmation.
func (p *confirmPanel) ask(r redemption, shop string) {
	p.hide()
	p.r = r
	d := p.d
	heading := widget.NewLabel(tr("redeem.title"))
	heading.SizeName = theme.SizeNameSubHeadingText
	lines := container.NewVBox(
		widget.NewLabel(tr("redeem.member", map[string]any{"Mobile": service.MaskMobile(r.mobile)})),
		widget.NewLabel(tr("redeem.shop", map[string]any{"Shop": shop})),
		widget.NewLabel(tr("redeem.what", map[string]any{"What": r.what})),
	)
	if r.points > 0 {
		after := widget.NewLabel(tr("redeem.after", map[string]any{"Before": groupDigits(r.before), "After": groupDigits(r.before - r.points)}))
		after.Importance = widget.HighImportance
		lines.Add(after)
	}
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.status.Hide()
	p.armed = true
	p.confirm = newDeskButton(tr("redeem.confirm"), theme.ConfirmIcon(), p.onSend, d.router)
	p.confirm.Importance = widget.HighImportance
	p.cancel = newDeskButton(tr("redeem.cancel"), theme.CancelIcon(), p.onClose, d.router)
	p.retry = newDeskButton(tr("redeem.retry"), theme.ViewRefreshIcon(), p.onSend, d.router)
	p.close = newDeskButton(tr("dialog.close"), nil, p.onClose, d.router)
	p.retry.Hide()
	p.close.Hide()
	buttons := container.NewCenter(container.NewHBox(p.confirm, p.cancel, p.retry, p.close))
	body := container.NewVBox(heading, lines, p.status, buttons)
	p.popup = widget.NewModalPopUp(container.NewPadded(container.New(&sizedLayout{width: 460}, body)), d.win.Canvas())
	p.popup.Show()
	d.win.Canvas().Focus(p.cancel)
}

func (p *confirmPanel) onSend() {
	if !p.armed {
		return
	}
	p.armed = false
	p.d.sendRedeem(p.r)
}

func (p *confirmPanel) onClose() {
	p.hide()
	p.d.focusEntry()
}

func (p *confirmPanel) say(text string, importance widget.Importance) {
	if p.popup == nil {
		return
	}
	p.status.Importance = importance
	p.status.SetText(text)
	p.status.Show()
}

// sending: r is on its way; nothing can be pressed twice.
func (p *confirmPanel) sending(r redemption) {
	p.r = r
	if p.popup == nil {
		return
	}
	p.say(tr("redeem.sending"), widget.MediumImportance)
	p.confirm.Hide()
	p.cancel.Hide()
	p.retry.Hide()
}

func (p *confirmPanel) done(r redemption) {
	p.finish(r, tr("redeem.done"), widget.SuccessImportance, false)
}

func (p *confirmPanel) failed(r redemption, msg string) {
	p.finish(r, msg, widget.DangerImportance, false)
}

// unknown: sent, but no answer says whether it was made. The balance now (−1: not
// known) is there to compare; Retry sends the same order id again.
func (p *confirmPanel) unknown(r redemption, balance int64) {
	now := "—"
	if balance >= 0 {
		now = groupDigits(balance)
	}
	p.finish(r, tr("redeem.unknown", map[string]any{"Order": r.orderID, "Now": now, "Before": groupDigits(r.before)}),
		widget.WarningImportance, true)
}

func (p *confirmPanel) finish(r redemption, msg string, importance widget.Importance, canRetry bool) {
	if p.popup == nil || p.r.orderID != r.orderID {
		return // closed, or another redemption is on screen: the notice line has it
	}
	p.r = r
	p.say(msg, importance)
	p.confirm.Hide()
	p.cancel.Hide()
	showIf(p.retry, canRetry)
	p.armed = canRetry
	p.close.Show()
	p.d.win.Canvas().Focus(p.close)
}

// hide closes the panel and reports whether it was open. A redemption on its way goes
// on; its outcome reaches the notice line under the entry.
func (p *confirmPanel) hide() bool {
	if p.popup == nil {
		return false
	}
	p.popup.Hide()
	p.popup = nil
	return true
}
