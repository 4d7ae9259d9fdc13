package gui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// carrierView is the member's e-invoice carrier: a Code 39 barcode and a QR code the
// shop's POS scanner reads off the screen, the code as text, and Copy.
type carrierView struct {
	box     *fyne.Container
	barcode *moduleCode
	qr      *moduleCode
	text    *codeText
	copy    *deskButton
	codes   *fyne.Container
	missing *widget.Label
	invalid *widget.Label
}

// Device pixels per module. The barcode's narrow bar is at least 3 device pixels, so it
// reads from arm's length; the codes grow with the space up to the largest sizes.
const (
	barMinPx, barMaxPx = 3, 8
	qrMinPx, qrMaxPx   = 5, 14
)

func newCarrierView(onCopy func(), router *inputRouter, scale func() float32) *carrierView {
	w := &carrierView{}
	w.barcode = newModuleCode(code39BarModules, barMinPx, barMaxPx)
	w.qr = newModuleCode(0, qrMinPx, qrMaxPx)
	w.text = newCodeText()
	w.copy = newDeskButton(tr("carrier.copy"), theme.ContentCopyIcon(), onCopy, router)
	textRow := container.NewCenter(container.NewHBox(w.text, w.copy))
	w.codes = container.New(&codesLayout{bar: w.barcode, qr: w.qr, text: textRow, scale: scale},
		w.barcode.img, w.qr.img, textRow)
	w.missing = centred(tr("carrier.none"))
	w.missing.Importance = widget.LowImportance
	w.invalid = centred("")
	w.invalid.Importance = widget.WarningImportance
	w.invalid.Wrapping = fyne.TextWrapWord
	title := widget.NewLabel(tr("carrier.title"))
	w.box = container.NewBorder(title, nil, nil, nil, container.NewVBox(w.missing, w.invalid), w.codes)
	return w
}

// refresh draws c: both codes for a valid carrier, a note for a missing or odd one.
func (w *carrierView) refresh(c service.Carrier) {
	w.codes.Hide()
	w.missing.Hide()
	w.invalid.Hide()
	w.barcode.set(nil)
	w.qr.set(nil)
	w.text.SetText("")
	w.invalid.SetText("")
	w.copy.SetText(tr("carrier.copy"))
	switch {
	case c.Code == "":
		w.missing.Show()
	case !c.Valid:
		w.invalid.SetText(tr("carrier.invalid", map[string]any{"Code": service.Printable(c.Code)}))
		w.invalid.Show()
	default:
		bar, errBar := code39Modules(c.Code)
		qr, errQR := qrModules(c.Code)
		if errBar != nil || errQR != nil {
			w.invalid.SetText(tr("carrier.invalid", map[string]any{"Code": service.Printable(c.Code)}))
			w.invalid.Show()
			break
		}
		w.barcode.set(bar)
		w.qr.set(qr)
		w.text.SetText(c.Code)
		w.codes.Show()
		w.codes.Refresh() // lays the codes out, which draws them at their size
	}
}

// onCopyCarrier puts the carrier code on the clipboard, for a POS that takes it typed.
func (d *desk) onCopyCarrier() {
	d.touch()
	if c := d.model.member.Carrier; c.Valid && d.model.state == stateFound {
		fyne.CurrentApp().Clipboard().SetContent(c.Code)
		// Say it worked, on the button itself, for a moment.
		if f := d.ui.panels.found; f != nil {
			f.carrier.copy.SetText(tr("carrier.copied"))
			seq := d.lookupSeq
			d.after(copiedFeedback, func() {
				if f == d.ui.panels.found && seq == d.lookupSeq {
					f.carrier.copy.SetText(tr("carrier.copy"))
				}
			})
		}
	}
	d.focusEntry()
}

// copiedFeedback is how long Copy says "Copied".
const copiedFeedback = 2 * time.Second
