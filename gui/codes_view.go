package gui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// moduleCode is a barcode or QR code on screen: its modules (one pixel each, from
// code39Modules or qrModules) drawn at a whole number of device pixels per module, so
// that no bar is blended into its neighbour. codesLayout picks that number from the
// space the window gives the codes.
type moduleCode struct {
	img     *canvas.Image
	modules image.Image // nil: nothing to draw
	rows    int         // a 1-D code's bar height, in modules
	minPx   int         // device pixels per module, at the least and at the most
	maxPx   int
	px      int // of the image drawn now (0: none)
}

func newModuleCode(rows, minPx, maxPx int) *moduleCode {
	return &moduleCode{rows: rows, minPx: minPx, maxPx: maxPx,
		img: &canvas.Image{FillMode: canvas.ImageFillStretch, ScaleMode: canvas.ImageScalePixels}}
}

// set shows modules (nil: nothing).
func (c *moduleCode) set(modules image.Image) {
	c.modules, c.px = modules, 0
	c.img.Image = nil
	c.img.Refresh()
}

// extent is the code's size in modules.
func (c *moduleCode) extent() (w, h int) {
	if c.modules == nil {
		return 0, 0
	}
	b := c.modules.Bounds()
	if b.Dy() == 1 {
		return b.Dx(), c.rows
	}
	return b.Dx(), b.Dy()
}

// sizeAt is the code's size on screen at px device pixels per module.
func (c *moduleCode) sizeAt(px int, scale float32) fyne.Size {
	w, h := c.extent()
	return fyne.NewSize(float32(w*px)/scale, float32(h*px)/scale)
}

// fit is the largest number of device pixels per module (within the code's limits)
// at which the code fits width × height (logical units).
func (c *moduleCode) fit(width, height, scale float32) int {
	w, h := c.extent()
	if w == 0 {
		return c.minPx
	}
	px := min(int(width*scale)/w, int(height*scale)/h)
	return max(c.minPx, min(c.maxPx, px))
}

// draw makes the image at px device pixels per module, if it is not that already.
func (c *moduleCode) draw(px int) {
	if c.modules == nil || px == c.px {
		return
	}
	c.px = px
	c.img.Image = scaleModules(c.modules, px, c.rows)
	c.img.Refresh()
}

// codesLayout lays the carrier out: the Code 39 barcode, then the QR code, then the
// code as text with Copy, all centred. Both codes grow with the space they are given,
// the barcode first (it is what most POS scanners read), always in whole device
// pixels per module.
type codesLayout struct {
	bar, qr *moduleCode
	text    fyne.CanvasObject
	scale   func() float32
}

func (l *codesLayout) gap() float32 { return theme.Padding() * 2 } // clear space between codes

func (l *codesLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	s := l.scale()
	bar, qr, text := l.bar.sizeAt(l.bar.minPx, s), l.qr.sizeAt(l.qr.minPx, s), l.text.MinSize()
	return fyne.NewSize(max(bar.Width, qr.Width, text.Width), bar.Height+qr.Height+text.Height+2*l.gap())
}

func (l *codesLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	s := l.scale()
	text := l.text.MinSize()
	room := size.Height - text.Height - 2*l.gap()
	// The barcode may take up to 40 % of the room's height, the QR code what is left.
	barPx := l.bar.fit(size.Width, max(room*0.4, l.bar.sizeAt(l.bar.minPx, s).Height), s)
	barSize := l.bar.sizeAt(barPx, s)
	qrPx := l.qr.fit(size.Width, room-barSize.Height, s)
	qrSize := l.qr.sizeAt(qrPx, s)
	l.bar.draw(barPx)
	l.qr.draw(qrPx)
	y := float32(0)
	place := func(o fyne.CanvasObject, sz fyne.Size) {
		o.Resize(sz)
		o.Move(fyne.NewPos(pixelAligned((size.Width-sz.Width)/2, s), pixelAligned(y, s)))
		y += sz.Height + l.gap()
	}
	place(l.bar.img, barSize)
	place(l.qr.img, qrSize)
	place(l.text, text)
}

// pixelAligned rounds v (logical units) to a whole device pixel, so that a module's
// edges fall on pixel edges.
func pixelAligned(v, scale float32) float32 {
	return float32(int(v*scale+0.5)) / scale
}
