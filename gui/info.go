package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// infoPanel is the About or connection panel: a title, a text and Close, on a modal
// panel of our own. It stands in for dialog.NewCustom, whose title is bold: opening
// About would load a second text style (textstyle.go).
type infoPanel struct {
	d     *desk
	popup *widget.PopUp // nil when closed
}

// onAbout shows the version, commit and build date stamped at build time, and the
// font's licence.
func (d *desk) onAbout() {
	d.touch()
	text := widget.NewLabel(tr("about.text", map[string]any{
		"Version": service.Version, "Commit": service.Commit, "Date": service.BuildDate}))
	text.Wrapping = fyne.TextWrapWord
	d.ui.info.show(tr("about.title"), container.New(&sizedLayout{width: 460}, text))
}

// showSummary shows the connection, without secrets, where there is no settings screen.
func (d *desk) showSummary() {
	msg := widget.NewLabel(tr("settings.summary", map[string]any{"Summary": d.opts.ConnectionSummary}))
	msg.Wrapping = fyne.TextWrapWord
	d.ui.info.show(tr("error.settings"), container.New(&sizedLayout{width: 520}, msg))
}

// show shows body under title, and gives the entry its focus back when it closes.
func (p *infoPanel) show(title string, body fyne.CanvasObject) {
	heading := widget.NewLabel(title)
	heading.SizeName = theme.SizeNameSubHeadingText
	closeButton := newDeskButton(tr("dialog.close"), nil, func() {
		p.close()
		p.d.focusEntry()
	}, p.d.router)
	buttons := container.NewCenter(closeButton)
	p.close()
	p.popup = widget.NewModalPopUp(container.NewPadded(container.NewBorder(heading, buttons, nil, nil, body)), p.d.win.Canvas())
	p.popup.Show()
}

// close closes the panel and reports whether it was open.
func (p *infoPanel) close() bool {
	if p.popup == nil {
		return false
	}
	p.popup.Hide()
	p.popup = nil
	return true
}

// closeOverlays closes whatever is open over the desk (About, the connection panel,
// the shop list, a redemption's confirmation) and reports whether anything was.
func (d *desk) closeOverlays() bool {
	closed := d.ui.info != nil && d.ui.info.close()
	if d.ui.confirm != nil && d.ui.confirm.hide() {
		closed = true
	}
	if d.ui.header != nil && d.ui.header.closePopup() {
		closed = true
	}
	return closed
}
