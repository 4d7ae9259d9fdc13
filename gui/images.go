package gui

import (
	"bytes"
	"image"
	_ "image/png"
	"math"
	"sync"

	"fyne.io/fyne/v2"

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

// placeholderAvatar is the image shown until a member's avatar arrives, at its size
// on screen.
func (d *desk) placeholderAvatar() image.Image {
	return decodedFit(resources.PlaceholderAvatar, d.pixels(avatarSide))
}
