package gui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// TestSubtleTextIsReadable: low-importance labels (the key line, the empty recent
// list) and placeholders are read at a counter; WCAG asks for 4.5:1 against the
// background, in the light and the dark theme.
func TestSubtleTextIsReadable(t *testing.T) {
	th := Theme()
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		bg := th.Color(theme.ColorNameBackground, v)
		for _, name := range []fyne.ThemeColorName{theme.ColorNameDisabled, theme.ColorNamePlaceHolder, theme.ColorNameForeground} {
			if r := contrast(th.Color(name, v), bg); r < 4.5 {
				t.Errorf("variant %d: %s on the background is %.2f:1", v, name, r)
			}
		}
	}
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
