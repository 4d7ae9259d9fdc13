package gui

import (
	"image"
	"image/color"
	"image/draw"

	"github.com/boombuler/barcode/code39"
	qrcode "github.com/skip2/go-qrcode"
)

// Sizes of the drawn carrier codes, in pixels per module. Whole pixels per module and
// nearest-neighbour scaling keep every bar edge sharp, which is what a POS scanner
// reading off an LCD needs.
const (
	code39ModulePx   = 2
	code39HeightPx   = 72
	code39QuietZone  = 10 // modules each side; the Code 39 spec asks for at least 10
	qrModulePx       = 5
	qrQuietZoneCount = 4 // modules each side, as the QR spec requires
)

// code39Image draws the carrier as Code 39 in standard mode without a check character
// (the Ministry of Finance's mobile-barcode format): black bars on white with quiet
// zones. Full-ASCII mode must stay off: it would turn '/' into "/O".
func code39Image(carrier string) (image.Image, error) {
	bc, err := code39.Encode(carrier, false, false)
	if err != nil {
		return nil, err
	}
	modules := bc.Bounds().Dx()
	width := (modules + 2*code39QuietZone) * code39ModulePx
	img := image.NewGray(image.Rect(0, 0, width, code39HeightPx))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for m := 0; m < modules; m++ {
		if !isDark(bc.At(bc.Bounds().Min.X+m, bc.Bounds().Min.Y)) {
			continue
		}
		x0 := (code39QuietZone + m) * code39ModulePx
		draw.Draw(img, image.Rect(x0, 0, x0+code39ModulePx, code39HeightPx), image.Black, image.Point{}, draw.Src)
	}
	return img, nil
}

// qrImage draws text as a QR code (medium error correction) with a 4-module quiet zone.
func qrImage(text string) (image.Image, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	q.DisableBorder = true // we draw the quiet zone ourselves, at a known size
	bits := q.Bitmap()
	n := len(bits) + 2*qrQuietZoneCount
	img := image.NewGray(image.Rect(0, 0, n*qrModulePx, n*qrModulePx))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for y, row := range bits {
		for x, dark := range row {
			if !dark {
				continue
			}
			x0 := (x + qrQuietZoneCount) * qrModulePx
			y0 := (y + qrQuietZoneCount) * qrModulePx
			draw.Draw(img, image.Rect(x0, y0, x0+qrModulePx, y0+qrModulePx), image.Black, image.Point{}, draw.Src)
		}
	}
	return img, nil
}

func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}
