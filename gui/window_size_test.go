package gui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// The window opens within the screen's work area, whatever the scale.
func TestWindowFitsTheWorkArea(t *testing.T) {
	for _, c := range []struct {
		screenW, screenH int
		scale            float32
	}{{1024, 600, 1}, {1366, 768, 1}, {1366, 768, 1.25}, {1366, 768, 1.5}, {1024, 768, 1.5}, {1920, 1080, 1}} {
		got := fitSize(defaultWindowSize, c.screenW, c.screenH, c.scale)
		if got.Width*c.scale > float32(c.screenW) || got.Height*c.scale > float32(c.screenH) {
			t.Errorf("%dx%d at %v: window %v (%.0fx%.0f px)", c.screenW, c.screenH, c.scale, got, got.Width*c.scale, got.Height*c.scale)
		}
		if got.Width > defaultWindowSize.Width || got.Height > defaultWindowSize.Height {
			t.Errorf("%dx%d at %v: window %v is larger than asked", c.screenW, c.screenH, c.scale, got)
		}
	}
	if got := fitSize(fyne.NewSize(800, 500), 1920, 1080, 1); got != fyne.NewSize(800, 500) {
		t.Errorf("a size that fits was changed to %v", got)
	}
}
