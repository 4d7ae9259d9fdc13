package gui

import (
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service/settings"
)

// deskWidgets are the window's screen areas. Each owns its widgets and draws itself
// from the desk's model; the desk only puts them together (buildUI) and tells them to
// redraw (refreshAll).
type deskWidgets struct {
	header      *headerArea
	entry       *numberEntry
	inlineError *widget.Label
	// notice confirms something the cashier did (showNotice).
	notice *widget.Label
	panels *statePanels
	// confirm asks before a redemption and says how it went (an overlay).
	confirm *confirmPanel
	recent  *recentList
	info    *infoPanel
}

func (d *desk) buildUI() fyne.CanvasObject {
	// Start from nothing: widgets made lazily (recent buttons, expiring rows) must belong
	// to the new tree when the window is rebuilt after Settings.
	d.ui = deskWidgets{info: &infoPanel{d: d}, confirm: newConfirmPanel(d)}
	u := &d.ui
	u.entry = newNumberEntry(d.router)
	u.entry.SetPlaceHolder(tr("entry.placeholder"))
	u.entry.OnSubmitted = d.onSubmit
	u.entry.now = func() time.Time { return d.now() }
	u.entry.onBurst = d.onScanBurst
	search := newDeskButton(tr("entry.search"), theme.SearchIcon(), func() { d.onSubmit(u.entry.Text) }, d.router)
	search.Importance = widget.HighImportance
	u.inlineError = widget.NewLabel("")
	u.inlineError.Importance = widget.DangerImportance
	u.inlineError.Hide()
	u.notice = widget.NewLabel(d.notice) // kept when Settings rebuilds the window
	u.notice.Importance = d.noticeImportance
	// Wrapped: a notice may name a long path (an unclean exit's crash file), which
	// unwrapped would widen the window past the screen.
	u.notice.Wrapping = fyne.TextWrapWord
	showIf(u.notice, d.notice != "")
	inputRow := container.NewBorder(nil, nil, nil, search, u.entry)

	u.panels = newStatePanels(d)
	u.recent = newRecentList(d.router, d.onRecentTapped)
	u.header = newHeaderArea(d)
	u.header.refresh(d.conn)
	top := container.NewVBox(u.header.box, container.NewPadded(container.NewVBox(inputRow, u.inlineError, u.notice)))
	// The panels scroll rather than grow the window: it must fit small and scaled screens
	// (1024×600, or 1366×768 at 125 % and 150 %) and never resize itself on a lookup.
	body := container.NewScroll(container.NewPadded(u.panels.body))
	return container.NewBorder(top, nil, container.NewPadded(u.recent.content()), nil, body)
}

// refreshAll shows the panel of the current state and syncs every area with the model.
func (d *desk) refreshAll() {
	u, m := &d.ui, &d.model
	u.panels.refresh(m, d.conn, d.lastLookup != "")
	if m.state == stateInvalid {
		u.inlineError.SetText(tr("invalid.inline"))
		u.inlineError.Show()
	} else {
		u.inlineError.Hide()
	}
	u.recent.refresh(m.recent)
	// Labels and images above changed size; re-layout the tree so nothing overlaps.
	if c := d.win.Content(); c != nil {
		c.Refresh()
	}
}

// refreshHeader redraws the header after the connection or the shop changed.
func (d *desk) refreshHeader() { d.ui.header.refresh(d.conn) }

// showAvatar shows the member's avatar, scaled to its size on screen.
func (d *desk) showAvatar(img image.Image) {
	if f := d.ui.panels.found; f != nil {
		f.card.showAvatar(img)
	}
}

// onStartDemo starts the built-in demo server (off the UI goroutine: it opens a socket).
func (d *desk) onStartDemo() {
	d.touch()
	backend := d.opts.Backend
	if backend == nil {
		return
	}
	d.spawn(func() {
		session, err := backend.StartDemo() // opens a socket and the demo's journal
		d.onUI(func() {
			if err != nil {
				d.setState(deskModel{state: stateError, err: err})
				return
			}
			d.useConnection(connection{lookup: session.Lookup, shopID: session.ShopID, demo: true,
				demoNumbers: session.Numbers, shops: []settings.Shop{{ID: session.ShopID}},
				redeemer: session.Redeemer, log: session.Log})
		})
	})

}

// fitAvatar returns img scaled down to side pixels, reusing the last copy when img is
// the same avatar (the fetcher's cache returns the same image). It runs on the fetch
// goroutines, not on the UI goroutine.
func (d *desk) fitAvatar(img image.Image, side int) image.Image {
	f := &d.avatarFit
	f.Lock()
	defer f.Unlock()
	if f.src != img || f.side != side {
		f.src, f.side, f.img = img, side, fitImage(img, side)
	}
	return f.img
}

// showNotice confirms an action under the entry (settings saved, a redemption made)
// until the cashier scans, clears or the screen clears itself.
func (d *desk) showNotice(text string) { d.showNoticeAs(text, widget.SuccessImportance) }

// showWarning says, on the same line, that something did not go as asked (a
// redemption refused or unknown, a shop not saved, settings restored from the backup):
// in the warning colour, not the green of a confirmation.
func (d *desk) showWarning(text string) { d.showNoticeAs(text, widget.WarningImportance) }

func (d *desk) showNoticeAs(text string, importance widget.Importance) {
	d.notice, d.noticeImportance = text, importance
	d.ui.notice.Importance = importance
	d.ui.notice.SetText(text)
	d.ui.notice.Show()
}

func (d *desk) hideNotice() {
	d.notice = ""
	d.ui.notice.SetText("")
	d.ui.notice.Hide()
}
