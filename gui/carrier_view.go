package gui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// carrierView is the member's e-invoice carrier: a Code 39 barcode and a QR code the
// shop's POS scanner reads off the screen, the code as text, and Copy.
type carrierView struct {
	box     *fyne.Container
	barcode *canvas.Image
	qr      *canvas.Image
	text    *codeText
	copy    *deskButton
	codes   *fyne.Container
	missing *widget.Label
	invalid *widget.Label
}

func newCarrierView(onCopy func(), router *inputRouter) *carrierView {
	w := &carrierView{}
	w.barcode = &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels}
	w.qr = &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels}
	w.text = newCodeText()
	w.copy = newDeskButton(tr("carrier.copy"), theme.ContentCopyIcon(), onCopy, router)
	gap := canvas.NewRectangle(color.Transparent) // scanners want clear space between codes
	gap.SetMinSize(fyne.NewSize(1, theme.Padding()*2))
	w.codes = container.NewVBox(container.NewCenter(w.barcode), gap, container.NewCenter(w.qr),
		container.NewCenter(container.NewHBox(w.text, w.copy)))
	w.missing = centred(tr("carrier.none"))
	w.missing.Importance = widget.LowImportance
	w.invalid = centred("")
	w.invalid.Importance = widget.WarningImportance
	w.invalid.Wrapping = fyne.TextWrapWord
	title := widget.NewLabel(tr("carrier.title"))
	w.box = container.NewVBox(title, w.codes, w.missing, w.invalid)
	return w
}

// refresh draws c: both codes for a valid carrier, a note for a missing or odd one.
func (w *carrierView) refresh(c service.Carrier) {
	w.codes.Hide()
	w.missing.Hide()
	w.invalid.Hide()
	w.barcode.Image, w.qr.Image = nil, nil
	w.text.SetText("")
	w.invalid.SetText("")
	switch {
	case c.Code == "":
		w.missing.Show()
	case !c.Valid:
		w.invalid.SetText(tr("carrier.invalid", map[string]any{"Code": c.Code}))
		w.invalid.Show()
	default:
		bar, errBar := code39Image(c.Code)
		qr, errQR := qrImage(c.Code)
		if errBar != nil || errQR != nil {
			w.invalid.SetText(tr("carrier.invalid", map[string]any{"Code": c.Code}))
			w.invalid.Show()
			break
		}
		setPixelImage(w.barcode, bar)
		setPixelImage(w.qr, qr)
		w.text.SetText(c.Code)
		w.codes.Show()
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

// onCopyCarrier puts the carrier code on the clipboard, for a POS that takes it typed.
func (d *desk) onCopyCarrier() {
	d.touch()
	if c := d.model.member.Carrier; c.Valid && d.model.state == stateFound {
		fyne.CurrentApp().Clipboard().SetContent(c.Code)
	}
	d.focusEntry()
}
