package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/diagnose"
)

// infoPanel is the About or connection panel: a title, a text and Close, on a modal
// panel of our own. It stands in for dialog.NewCustom, whose title is bold: opening
// About would load a second text style (textstyle.go).
type infoPanel struct {
	d     *desk
	popup *widget.PopUp // nil when closed
}

// onAbout shows the version, commit and build date stamped at build time, the OS
// and screen, where this desk keeps its settings, journal and log (each copyable),
// Copy diagnostics, and the font's licence.
func (d *desk) onAbout() {
	d.touch()
	sup := d.opts.Support
	text := widget.NewLabel(tr("about.text", map[string]any{
		"Version": service.Version, "Commit": service.Commit, "Date": service.BuildDate}))
	text.Wrapping = fyne.TextWrapWord
	system := widget.NewLabel(d.systemText())
	system.Wrapping = fyne.TextWrapWord
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	rows := container.NewVBox(text, system)
	for _, p := range []struct{ key, path string }{
		{"about.settings_file", sup.SettingsFile}, {"about.journal_folder", sup.JournalFolder}, {"about.log_folder", sup.LogFolder},
	} {
		rows.Add(d.pathRow(tr(p.key), p.path, status))
	}
	copyDiagnostics := newDeskButton(tr("about.copy_diagnostics"), theme.ContentCopyIcon(), nil, d.router)
	copyDiagnostics.OnTapped = func() { d.onCopyDiagnostics(status) }
	if sup.Diagnostics == nil {
		copyDiagnostics.Disable()
	}
	rows.Add(container.NewHBox(copyDiagnostics))
	rows.Add(status)
	d.ui.info.show(tr("about.title"), container.New(&sizedLayout{width: 560}, rows))
}

// pathRow is a folder or file About names, with a button that copies it: IT asks a
// cashier for it on the phone, and paths are long.
func (d *desk) pathRow(label, path string, status *widget.Label) fyne.CanvasObject {
	shown := path
	if shown == "" {
		shown = tr("about.none")
	}
	l := widget.NewLabel(label + "\n" + shown)
	l.Wrapping = fyne.TextWrapBreak
	copyPath := newDeskButton(tr("about.copy"), theme.ContentCopyIcon(), func() {
		d.touch()
		fyne.CurrentApp().Clipboard().SetContent(path)
		status.SetText(tr("about.copied", map[string]any{"What": label}))
	}, d.router)
	if path == "" {
		copyPath.Disable()
	}
	return container.NewBorder(nil, nil, nil, container.NewCenter(copyPath), l)
}

// onCopyDiagnostics gathers the diagnostics off the UI goroutine (the keyring, the log
// files) and puts them on the clipboard.
func (d *desk) onCopyDiagnostics(status *widget.Label) {
	d.touch()
	build := d.opts.Support.Diagnostics
	if build == nil {
		return
	}
	w := diagnose.Window{Screen: d.screenText(), LastCheck: d.opts.Support.lastCheck}
	unresolved := d.opts.Support.Unresolved
	status.SetText(tr("about.gathering"))
	d.spawn(func() {
		text := build(w, unresolved)
		d.onUI(func() {
			fyne.CurrentApp().Clipboard().SetContent(text)
			d.log.Info("diagnostics copied", "lines", strings.Count(text, "\n"))
			status.SetText(tr("about.copied_diagnostics"))
		})
	})
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
