package gui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service/journal"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// headerArea is the top of the window: the demo banner, the app's name, the shop (a
// picker when the desk serves several), Settings and About.
type headerArea struct {
	d      *desk
	box    *fyne.Container
	picker *shopPicker // nil with one shop or none
	// badge names the unresolved redemptions; redrawn on its own (refreshBadge), so
	// that a read of the journal never rebuilds an open shop list.
	badge *fyne.Container
}

func newHeaderArea(d *desk) *headerArea {
	h := &headerArea{d: d, box: container.NewVBox(), badge: container.NewVBox()}
	h.badge.Hide()
	return h
}

// refreshBadge redraws the unresolved redemptions' badge.
func (h *headerArea) refreshBadge(unresolved []journal.Entry) {
	if b := unresolvedBadge(unresolved); b != nil {
		h.badge.Objects = []fyne.CanvasObject{b}
		h.badge.Show()
	} else {
		h.badge.Objects = nil
		h.badge.Hide() // hidden, it takes no room, not even the box's padding
	}
	h.badge.Refresh()
	h.box.Refresh()
}

// refresh redraws the header for connection c.
func (h *headerArea) refresh(c connection) {
	d := h.d
	icon := iconImage(headerIconSide)
	title := widget.NewLabel(tr("app.title"))
	title.SizeName = theme.SizeNameSubHeadingText
	row := container.NewHBox(icon, title, layout.NewSpacer())
	h.picker = nil
	if len(c.shops) > 1 {
		h.picker = newShopPicker(d.router, c.shops, c.shopID, d.onShopPicked)
		row.Add(widget.NewLabel(tr("header.shop_picker")))
		row.Add(container.New(&sizedLayout{width: 220}, h.picker.button)) // the whole shop name, not "信義店 (000…"
	} else if c.shopID != "" {
		row.Add(widget.NewLabel(tr("header.shop", map[string]any{"Shop": c.shopName()})))
	}
	if d.opts.Backend != nil {
		row.Add(newDeskButton(tr("error.settings"), theme.SettingsIcon(), d.onOpenSettings, d.router))
	}
	about := newDeskButton("", theme.InfoIcon(), d.onAbout, d.router)
	about.Importance = widget.LowImportance
	row.Add(about)
	objs := []fyne.CanvasObject{container.NewPadded(row), h.badge}
	if c.demo {
		banner := canvas.NewRectangle(theme.Color(colorNameDemoBanner))
		demoText := canvas.NewText(tr("header.demo"), color.Black)
		demoText.Alignment = fyne.TextAlignCenter
		objs = append([]fyne.CanvasObject{container.NewStack(banner, container.NewPadded(demoText))}, objs...)
	}
	h.box.Objects = objs
	h.box.Refresh()
}

// closePopup closes the shop list if it is open, and reports whether it was.
func (h *headerArea) closePopup() bool {
	return h.picker != nil && h.picker.close()
}

func shopLabel(s settings.Shop) string {
	if s.Name == "" {
		return s.ID
	}
	return s.Name + " (" + s.ID + ")"
}

// shopPicker is the header's shop chooser: a button naming the current shop that opens
// a list of the shops. It is not a widget.Select: the Select's list is Fyne's menu,
// which takes the keyboard focus and drops every character typed into it, so a scan
// made while it was open (or just closed) vanished. Here the list is made of routed
// buttons, and a scan closes it and goes to the number entry.
type shopPicker struct {
	router  *inputRouter
	shops   []settings.Shop
	current string
	onPick  func(id string)

	button *deskButton
	popup  *widget.PopUp
	items  []*deskButton // the open list's shops, in order
}

func newShopPicker(router *inputRouter, shops []settings.Shop, current string, onPick func(string)) *shopPicker {
	p := &shopPicker{router: router, shops: shops, current: current, onPick: onPick}
	label := current
	for _, s := range shops {
		if s.ID == current {
			label = shopLabel(s)
		}
	}
	p.button = newDeskButton(label, theme.MenuDropDownIcon(), p.open, router)
	p.button.IconPlacement = widget.ButtonIconTrailingText
	p.button.Alignment = widget.ButtonAlignLeading
	return p
}

// open shows the list under the button, with the current shop focused.
func (p *shopPicker) open() {
	c := fyne.CurrentApp().Driver().CanvasForObject(p.button)
	if c == nil {
		return
	}
	p.close()
	list := container.NewVBox()
	p.items = nil
	var focus *deskButton
	for _, s := range p.shops {
		id := s.ID
		b := newDeskButton(shopLabel(s), nil, func() { p.pick(id) }, p.router)
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		if id == p.current {
			b.Importance = widget.HighImportance
			focus = b
		}
		p.items = append(p.items, b)
		list.Add(b)
	}
	p.popup = widget.NewPopUp(list, c)
	p.popup.ShowAtRelativePosition(fyne.NewPos(0, p.button.Size().Height), p.button)
	p.popup.Resize(fyne.NewSize(max(p.button.Size().Width, list.MinSize().Width), list.MinSize().Height))
	if focus != nil {
		c.Focus(focus)
	}
}

func (p *shopPicker) pick(id string) {
	p.close()
	p.onPick(id)
}

// close hides the list and reports whether it was open.
func (p *shopPicker) close() bool {
	if p.popup == nil || !p.popup.Visible() {
		p.popup = nil
		return false
	}
	p.popup.Hide()
	p.popup = nil
	return true
}

// unresolvedBadge says, while any redemption is unresolved, how many and whose (masked):
// it stays from the start until each is settled, whatever is looked up meanwhile.
func unresolvedBadge(unresolved []journal.Entry) fyne.CanvasObject {
	if len(unresolved) == 0 {
		return nil
	}
	var who []string
	for _, e := range unresolved {
		who = append(who, e.Mobile+" ("+entryWhat(e)+")")
	}
	const most = 4 // the rest are under Gifts and coupons
	if len(who) > most {
		who = append(who[:most], "…")
	}
	l := widget.NewLabel(tr("header.unresolved", map[string]any{"N": len(unresolved), "Who": strings.Join(who, ", ")}))
	l.Importance = widget.WarningImportance
	l.Wrapping = fyne.TextWrapWord
	return container.NewPadded(l)
}
