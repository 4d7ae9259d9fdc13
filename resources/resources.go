// Package resources embeds everything Ocard Desk ships besides code: the app icon,
// the placeholder avatar, the bundled Traditional Chinese font and the translations.
package resources

import (
	"embed"
	_ "embed"
	"fmt"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

//go:embed avatar-placeholder.png
var placeholderPNG []byte

// The font is a Big5 subset of Noto Sans CJK TC Regular (SIL OFL 1.1, see
// font/LICENSE-OFL.txt), with the name characters Big5 lacks (font/make-subset.py).
// Bundling it is what makes Chinese render on a front-desk PC with no CJK font
// installed; a .ttc would crash Fyne, so it is a single-face .otf.
//
//go:embed font/NotoSansTC-Regular-Big5.otf
var fontOTF []byte

// Translations holds one JSON file per language (en.json, zh-TW.json) for Fyne's lang package.
//
//go:embed translations/*.json
var Translations embed.FS

// Icon is the app icon (512×512 PNG).
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// The app icon at the freedesktop sizes, made from icon.png by .ci/package/icons and
// committed. The window shows these as they are: scaling the 512 px icon down at every
// start took longer than building the rest of the window.
//
//go:embed icons/hicolor/*/apps/tw.ocard.desk.png
var hicolor embed.FS

// IconSizes are the sizes, in pixels, at which IconAt has the icon ready, smallest first.
var IconSizes = []int{16, 22, 24, 32, 48, 64, 128, 256, 512}

var iconAt = func() map[int]fyne.Resource {
	m := make(map[int]fyne.Resource, len(IconSizes))
	for _, s := range IconSizes {
		data, err := hicolor.ReadFile(fmt.Sprintf("icons/hicolor/%dx%d/apps/tw.ocard.desk.png", s, s))
		if err != nil {
			panic(err) // the embed pattern above and IconSizes disagree: a build mistake
		}
		m[s] = fyne.NewStaticResource(fmt.Sprintf("icon-%d.png", s), data)
	}
	return m
}()

// IconAt returns the app icon at the smallest ready size of at least px pixels, or at
// 512 pixels when px is larger.
func IconAt(px int) fyne.Resource {
	for _, s := range IconSizes {
		if s >= px {
			return iconAt[s]
		}
	}
	return iconAt[IconSizes[len(IconSizes)-1]]
}

// PlaceholderAvatar shows while a member's avatar loads and whenever it cannot be loaded.
var PlaceholderAvatar = fyne.NewStaticResource("avatar-placeholder.png", placeholderPNG)

// FontTC is the bundled Traditional Chinese font, used for all text.
var FontTC = fyne.NewStaticResource("NotoSansTC-Regular-Big5.otf", fontOTF)
