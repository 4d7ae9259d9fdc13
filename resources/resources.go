// Package resources embeds everything Ocard Desk ships besides code: the app icon,
// the placeholder avatar, the bundled Traditional Chinese font and the translations.
package resources

import (
	"embed"
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

//go:embed avatar-placeholder.png
var placeholderPNG []byte

// The font is a Big5 subset of Noto Sans CJK TC Regular (SIL OFL 1.1, see
// font/LICENSE-OFL.txt). Bundling it is what makes Chinese render on a front-desk PC
// with no CJK font installed; a .ttc would crash Fyne, so it is a single-face .otf.
//
//go:embed font/NotoSansTC-Regular-Big5.otf
var fontOTF []byte

// Translations holds one JSON file per language (en.json, zh-TW.json) for Fyne's lang package.
//
//go:embed translations/*.json
var Translations embed.FS

// Icon is the app icon (512×512 PNG).
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// PlaceholderAvatar shows while a member's avatar loads and whenever it cannot be loaded.
var PlaceholderAvatar = fyne.NewStaticResource("avatar-placeholder.png", placeholderPNG)

// FontTC is the bundled Traditional Chinese font, used for all text.
var FontTC = fyne.NewStaticResource("NotoSansTC-Regular-Big5.otf", fontOTF)
