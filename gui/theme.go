package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/ocard-desk/ocard-desk/resources"
)

// deskTheme is Fyne's default theme with the bundled Traditional Chinese font and
// slightly larger text, so the counter screen is readable at arm's length. It follows
// the system's light or dark variant.
type deskTheme struct{}

var _ fyne.Theme = deskTheme{}

// colorNameDemoBanner is the amber of the demo banner, the same in light and dark.
const colorNameDemoBanner fyne.ThemeColorName = "ocardDemoBanner"

// sizeNamePoints is the text size of the available-points figure: the one number a
// cashier reads out, so it is the largest thing on screen.
const sizeNamePoints fyne.ThemeSizeName = "ocardPoints"

func (deskTheme) Color(name fyne.ThemeColorName, variant fyne.ThemeVariant) color.Color {
	dark := variant == theme.VariantDark
	switch name {
	case theme.ColorNamePrimary:
		if dark {
			return color.NRGBA{0x3D, 0xC2, 0xB5, 0xFF}
		}
		return color.NRGBA{0x0B, 0x7A, 0x75, 0xFF}
	case colorNameDemoBanner:
		return color.NRGBA{0xF5, 0xB7, 0x00, 0xFF}
	case theme.ColorNameDisabled:
		// Subtle text (the key line, "no lookups yet") is drawn in this colour. Fyne's
		// own is 1.6:1 on the dark background, unreadable at a counter; these are
		// 5.3:1 and 5.1:1, above WCAG's 4.5:1 (TestSubtleTextIsReadable).
		if dark {
			return color.NRGBA{0x8C, 0x8C, 0x8C, 0xFF}
		}
		return color.NRGBA{0x6E, 0x6E, 0x6E, 0xFF}
	case theme.ColorNamePlaceHolder:
		if !dark {
			return color.NRGBA{0x70, 0x70, 0x70, 0xFF} // Fyne's #888 is 3.5:1 on white
		}
	}
	return theme.DefaultTheme().Color(name, variant)
}

// Font returns the bundled CJK face for every style: it carries Latin glyphs too, and
// one face means no per-glyph fallback to (possibly missing) system fonts, which is
// what makes Chinese flicker or show as boxes. Monospace keeps Fyne's font, which is
// only used for carrier codes (ASCII).
func (deskTheme) Font(style fyne.TextStyle) fyne.Resource {
	if style.Monospace {
		return theme.DefaultTheme().Font(style)
	}
	return resources.FontTC
}

func (deskTheme) Icon(name fyne.ThemeIconName) fyne.Resource {
	return theme.DefaultTheme().Icon(name)
}

func (deskTheme) Size(name fyne.ThemeSizeName) float32 {
	switch name {
	case theme.SizeNameText:
		return 15
	case theme.SizeNameHeadingText:
		return 22
	case theme.SizeNameSubHeadingText:
		return 18
	case sizeNamePoints:
		return 56
	}
	return theme.DefaultTheme().Size(name)
}

// Theme returns the app's theme; main.go sets it on the app.
func Theme() fyne.Theme { return deskTheme{} }
