package gui

import (
	"image"
	"image/color"
	"image/draw"

	"github.com/boombuler/barcode/code39"
	qrcode "github.com/skip2/go-qrcode"
)

// The carrier codes are made at one pixel per module (code39Modules, qrModules) and
// drawn by moduleCode with a whole number of device pixels per module: nearest-
// neighbour scaling by an integer keeps every bar edge sharp and every bar of a width
// the same, which is what a POS scanner reading off an LCD needs.
const (
	code39QuietZone  = 10 // modules each side; the Code 39 spec asks for at least 10
	code39BarModules = 36 // bar height in modules: about a quarter of the code's length
	qrQuietZoneCount = 4  // modules each side, as the QR spec requires
)

// code39Modules draws the carrier as Code 39 in standard mode without a check
// character (the Ministry of Finance's mobile-barcode format), one pixel per module
// and one pixel tall, with the quiet zones. Full-ASCII mode must stay off: it would
// turn '/' into "/O".
func code39Modules(carrier string) (image.Image, error) {
	bc, err := code39.Encode(carrier, false, false)
	if err != nil {
		return nil, err
	}
	modules := bc.Bounds().Dx()
	img := image.NewGray(image.Rect(0, 0, modules+2*code39QuietZone, 1))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for m := 0; m < modules; m++ {
		if isDark(bc.At(bc.Bounds().Min.X+m, bc.Bounds().Min.Y)) {
			img.SetGray(code39QuietZone+m, 0, color.Gray{})
		}
	}
	return img, nil
}

// qrModules draws text as a QR code (medium error correction) with its 4-module quiet
// zone, one pixel per module.
func qrModules(text string) (image.Image, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	q.DisableBorder = true // we draw the quiet zone ourselves, at a known size
	bits := q.Bitmap()
	n := len(bits) + 2*qrQuietZoneCount
	img := image.NewGray(image.Rect(0, 0, n, n))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				img.SetGray(x+qrQuietZoneCount, y+qrQuietZoneCount, color.Gray{})
			}
		}
	}
	return img, nil
}

// scaleModules enlarges a one-pixel-per-module image by px in each direction, and a
// one-row (1-D) image to rows×px rows.
func scaleModules(m image.Image, px, rows int) *image.Gray {
	b := m.Bounds()
	if b.Dy() > 1 {
		rows = b.Dy()
	}
	out := image.NewGray(image.Rect(0, 0, b.Dx()*px, rows*px))
	for y := 0; y < out.Bounds().Dy(); y++ {
		sy := b.Min.Y + min(y/px, b.Dy()-1)
		for x := 0; x < out.Bounds().Dx(); x++ {
			out.Pix[y*out.Stride+x] = color.GrayModel.Convert(m.At(b.Min.X+x/px, sy)).(color.Gray).Y
		}
	}
	return out
}

func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}
