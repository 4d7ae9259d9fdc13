package gui

import (
	"image"
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// memberWidgets are the widgets of the "found" panel.
type memberWidgets struct {
	avatar   *canvas.Image
	name     *widget.Label
	memberID *widget.Label
	mobile   *widget.Label
	tier     *widget.Label

	points        *widget.Label
	pointsCaption *widget.Label
	noCard        *widget.Label
	cardDetails   *fyne.Container
	spent         *widget.Label
	convert       *widget.Label
	gifts         *widget.Label
	cardTitle     *widget.Label
	cardContent   *widget.Label

	expiring     *fyne.Container
	expiringNone *widget.Label
	expiringRows []*expiringRow

	barcode        *canvas.Image
	qr             *canvas.Image
	carrierText    *codeText
	carrierCopy    *deskButton
	carrierCodes   *fyne.Container
	carrierMissing *widget.Label
	carrierInvalid *widget.Label
}

func (d *desk) buildFoundPanel() *fyne.Container {
	w := &d.ui.member
	w.avatar = canvas.NewImageFromImage(d.placeholderAvatar())
	w.avatar.FillMode = canvas.ImageFillContain
	w.avatar.SetMinSize(fyne.NewSize(avatarSide, avatarSide))
	w.name = widget.NewLabel("")
	w.name.SizeName = theme.SizeNameHeadingText
	w.name.Truncation = fyne.TextTruncateEllipsis
	w.memberID = widget.NewLabel("")
	w.mobile = widget.NewLabel("")
	w.tier = widget.NewLabel("")
	w.tier.Importance = widget.HighImportance
	identity := container.NewBorder(nil, nil, container.NewCenter(w.avatar), nil,
		container.NewVBox(w.name, w.tier, container.NewHBox(w.memberID, w.mobile)))

	w.pointsCaption = widget.NewLabel(tr("member.points"))
	w.points = widget.NewLabel("")
	w.points.SizeName = sizeNamePoints
	w.points.Importance = widget.HighImportance
	w.noCard = widget.NewLabel(tr("member.no_card"))
	w.noCard.Importance = widget.LowImportance
	w.spent, w.convert, w.gifts = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	w.cardTitle = widget.NewLabel("")
	w.cardContent = widget.NewLabel("")
	w.cardContent.Wrapping = fyne.TextWrapWord
	w.cardDetails = container.NewVBox(
		container.NewGridWithColumns(3, w.spent, w.convert, w.gifts),
		w.cardTitle, w.cardContent)
	points := container.NewVBox(w.pointsCaption, w.points, w.noCard, w.cardDetails)

	expTitle := widget.NewLabel(tr("member.expiring"))
	w.expiring = container.NewVBox()
	// Room for at least two entries even at the window's minimum size; more scroll.
	expScroll := container.New(&sizedLayout{height: 100}, container.NewVScroll(w.expiring))
	expiring := container.NewBorder(expTitle, nil, nil, nil, expScroll)

	left := container.NewBorder(card(identity), nil, nil, nil, card(points))

	w.barcode = &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels}
	w.qr = &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels}
	w.carrierText = newCodeText()
	w.carrierCopy = newDeskButton(tr("carrier.copy"), theme.ContentCopyIcon(), d.onCopyCarrier, d.typeIntoEntry)
	gap := canvas.NewRectangle(color.Transparent) // scanners want clear space between codes
	gap.SetMinSize(fyne.NewSize(1, theme.Padding()*2))
	w.carrierCodes = container.NewVBox(container.NewCenter(w.barcode), gap, container.NewCenter(w.qr),
		container.NewCenter(container.NewHBox(w.carrierText, w.carrierCopy)))
	w.carrierMissing = widget.NewLabelWithStyle(tr("carrier.none"), fyne.TextAlignCenter, fyne.TextStyle{})
	w.carrierMissing.Importance = widget.LowImportance
	w.carrierInvalid = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	w.carrierInvalid.Importance = widget.WarningImportance
	w.carrierInvalid.Wrapping = fyne.TextWrapWord
	carrierTitle := widget.NewLabel(tr("carrier.title"))
	carrier := card(container.NewVBox(carrierTitle, w.carrierCodes, w.carrierMissing, w.carrierInvalid))
	right := container.NewBorder(carrier, nil, nil, nil, card(expiring))

	return container.NewBorder(nil, nil, nil, container.New(&sizedLayout{width: 340}, right), left)
}

// card draws content on a raised panel that follows the light or dark theme.
func card(content fyne.CanvasObject) fyne.CanvasObject {
	return newPanel(content)
}

// refreshMember syncs the found panel with the model. Outside the found state it
// empties every widget, so no member's data lingers in a hidden panel.
func (d *desk) refreshMember() {
	w := &d.ui.member
	if w.avatar == nil {
		return // the found panel is not built yet: nothing to sync or to empty
	}
	m := d.model.member
	if d.model.state != stateFound {
		m = service.Member{}
	}
	// Only when needed. (Comparing Resource and Image == nil, as before, never skipped:
	// Refresh stores the decoded PNG in Image.)
	if placeholder := d.placeholderAvatar(); w.avatar.Image != placeholder || w.avatar.Resource != nil {
		w.avatar.Resource, w.avatar.Image = nil, placeholder
		w.avatar.Refresh()
	}
	w.name.SetText(orDash(m.Name))
	w.memberID.SetText(tr("member.id", map[string]any{"ID": orDash(m.ID)}))
	w.mobile.SetText(tr("member.mobile", map[string]any{"Mobile": service.MaskMobile(firstNonEmpty(m.Mobile, d.model.mobile))}))
	w.tier.SetText(orDash(m.GroupName))
	d.refreshPoints(m.Card)
	d.refreshExpiring(m.Card)
	d.refreshCarrier(m.Carrier)
}

func (d *desk) refreshPoints(c *service.PointCard) {
	w := &d.ui.member
	if c == nil {
		w.points.SetText("—")
		w.noCard.Show()
		w.cardDetails.Hide()
		// Hidden is not gone: empty the labels so no member data stays in the widgets.
		for _, l := range []*widget.Label{w.spent, w.convert, w.gifts, w.cardTitle, w.cardContent} {
			l.SetText("")
		}
		return
	}
	w.noCard.Hide()
	w.cardDetails.Show()
	w.points.SetText(groupDigits(c.Points))
	w.spent.SetText(tr("member.spent", map[string]any{"N": groupDigits(c.Spent)}))
	w.convert.SetText(tr("member.convert", map[string]any{"N": orDash(c.Convert)}))
	w.gifts.SetText(tr("member.gifts", map[string]any{"N": groupDigits(c.AvailableGifts)}))
	w.cardTitle.SetText(c.Title)
	w.cardContent.SetText(c.Content)
}

// expiringRow is one line of the expiring list; rows are reused, not rebuilt.
type expiringRow struct {
	box             *fyne.Container
	icon            *widget.Icon
	date, soon, pts *widget.Label
}

func newExpiringRow() *expiringRow {
	r := &expiringRow{icon: widget.NewIcon(theme.WarningIcon()), date: widget.NewLabel(""),
		soon: widget.NewLabel(tr("member.expiring_soon")),
		pts:  widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{})}
	r.soon.Importance = widget.DangerImportance
	r.box = container.NewBorder(nil, nil, container.NewHBox(r.icon, r.date, r.soon), r.pts)
	return r
}

func (d *desk) refreshExpiring(c *service.PointCard) {
	w := &d.ui.member
	if w.expiringNone == nil {
		w.expiringNone = widget.NewLabel(tr("member.expiring_none"))
		w.expiringNone.Importance = widget.LowImportance
		w.expiring.Add(w.expiringNone)
	}
	var entries []service.ExpiringPoints
	if c != nil {
		entries = c.Expiring
	}
	for len(w.expiringRows) < len(entries) {
		r := newExpiringRow()
		w.expiringRows = append(w.expiringRows, r)
		w.expiring.Add(r.box)
	}
	if len(entries) == 0 {
		w.expiringNone.Show()
	} else {
		w.expiringNone.Hide()
	}
	now := d.now()
	for i, r := range w.expiringRows {
		if i >= len(entries) {
			r.date.SetText("") // no expiry data stays behind in hidden rows
			r.pts.SetText("")
			r.box.Hide()
			continue
		}
		e := entries[i]
		soon := !e.Date.IsZero() && e.Date.Sub(now) <= nearExpiryWindow
		importance := widget.MediumImportance
		if soon {
			importance = widget.DangerImportance
			r.icon.Show()
			r.soon.Show()
		} else {
			r.icon.Hide()
			r.soon.Hide()
		}
		r.date.Importance, r.pts.Importance = importance, importance
		r.date.SetText(e.DateText)
		r.pts.SetText(tr("member.expiring_points", map[string]any{"N": groupDigits(e.Points)}))
		r.box.Show()
	}
}

func (d *desk) refreshCarrier(c service.Carrier) {
	w := &d.ui.member
	w.carrierCodes.Hide()
	w.carrierMissing.Hide()
	w.carrierInvalid.Hide()
	w.barcode.Image, w.qr.Image = nil, nil
	w.carrierText.SetText("")
	w.carrierInvalid.SetText("")
	switch {
	case c.Code == "":
		w.carrierMissing.Show()
	case !c.Valid:
		w.carrierInvalid.SetText(tr("carrier.invalid", map[string]any{"Code": c.Code}))
		w.carrierInvalid.Show()
	default:
		bar, errBar := code39Image(c.Code)
		qr, errQR := qrImage(c.Code)
		if errBar != nil || errQR != nil {
			w.carrierInvalid.SetText(tr("carrier.invalid", map[string]any{"Code": c.Code}))
			w.carrierInvalid.Show()
			break
		}
		setPixelImage(w.barcode, bar)
		setPixelImage(w.qr, qr)
		w.carrierText.SetText(c.Code)
		w.carrierCodes.Show()
	}
	w.barcode.Refresh()
	w.qr.Refresh()
}

// setPixelImage shows img at one screen unit per image pixel, never smoothed.
func setPixelImage(ci *canvas.Image, img image.Image) {
	ci.Image = img
	b := img.Bounds()
	ci.SetMinSize(fyne.NewSize(float32(b.Dx()), float32(b.Dy())))
}

func (d *desk) onCopyCarrier() {
	d.touch()
	if c := d.model.member.Carrier; c.Valid && d.model.state == stateFound {
		fyne.CurrentApp().Clipboard().SetContent(c.Code)
	}
	d.focusEntry()
}

// showAvatar shows img, already scaled to the avatar's size on screen (loadAvatar):
// Fyne scales an image to its on-screen size again at every refresh of it, and
// refreshAll refreshes the whole window at every state change, which with a
// 256-pixel image was about 2 MB of scaling buffers per lookup.
func (d *desk) showAvatar(img image.Image) {
	w := d.ui.member.avatar
	w.Resource, w.Image = nil, img
	w.Refresh()
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

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// groupDigits formats 14518 as "14,518": points are read across a counter.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}
