package gui

import (
	"bytes"
	"image"
	_ "image/png"
	"math"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/ocard-desk/ocard-desk/resources"
	"github.com/ocard-desk/ocard-desk/service"
)

// avatarSide is the size of the avatar on screen, in Fyne units.
const avatarSide = 112

var decodedImages sync.Map // fyne.Resource name → image.Image

// decoded returns res's image, decoded once. A canvas.Image made from a Resource
// decodes the PNG again at every Refresh, and refreshAll refreshes the whole window at
// every state change: the 512×512 icon and the 256×256 placeholder were decoded at
// every state change.
func decoded(res fyne.Resource) image.Image {
	if img, ok := decodedImages.Load(res.Name()); ok {
		return img.(image.Image)
	}
	img, _, err := image.Decode(bytes.NewReader(res.Content()))
	if err != nil {
		fyne.LogError("decoding "+res.Name(), err)
		img = image.NewNRGBA(image.Rect(0, 0, 1, 1))
	}
	decodedImages.Store(res.Name(), img)
	return img
}

type fitKey struct {
	name string
	side int
}

var fittedImages sync.Map // fitKey → image.Image

// decodedFit returns res's image scaled down to fit side×side pixels, made once. An
// image already at its on-screen size is not scaled by Fyne at each refresh (the icon
// was scaled from 512×512 to 32 pixels at every state change).
func decodedFit(res fyne.Resource, side int) image.Image {
	key := fitKey{res.Name(), side}
	if img, ok := fittedImages.Load(key); ok {
		return img.(image.Image)
	}
	img := fitImage(decoded(res), side)
	fittedImages.Store(key, img)
	return img
}

// fitImage scales img down to fit in side×side pixels (see service.FitImage).
func fitImage(img image.Image, side int) image.Image { return service.FitImage(img, side) }

// pixels converts a size in Fyne units to pixels on this window's canvas.
func (d *desk) pixels(units float32) int {
	scale := float32(1)
	if c := d.win.Canvas(); c != nil && c.Scale() > 0 {
		scale = c.Scale()
	}
	return int(math.Ceil(float64(units * scale)))
}

// headerIconSide is the app icon's size in the header, in Fyne units.
const headerIconSide = 32

// iconImage shows the app icon at side×side units. The canvas's scale is not known yet
// when the first frame is built (it is 1 until the window exists) and changes when the
// window moves to another screen, so the image is the ready-made size for a 2× screen
// and Fyne scales it down to the pixels at hand when it paints: a small image, scaled
// in well under a millisecond.
func iconImage(side float32) *canvas.Image {
	img := canvas.NewImageFromImage(decoded(resources.IconAt(int(math.Ceil(float64(side) * 2)))))
	img.SetMinSize(fyne.NewSquareSize(side))
	img.FillMode = canvas.ImageFillContain
	return img
}

// placeholderAvatar is the image shown until a member's avatar arrives, at its size
// on screen.
func (d *desk) placeholderAvatar() image.Image {
	return decodedFit(resources.PlaceholderAvatar, d.pixels(avatarSide))
}

// canvasScale is the window's scale (device pixels per logical unit); 1 before the
// window has a canvas.
func (d *desk) canvasScale() float32 {
	if c := d.win.Canvas(); c != nil && c.Scale() > 0 {
		return c.Scale()
	}
	return 1
}
