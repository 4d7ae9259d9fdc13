package gui

import (
	"strings"

	// Before Fyne's lang package initialises: a C.UTF-8 locale reads as English.
	_ "github.com/ocard-desk/ocard-desk/gui/posixlocale"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/ocard-desk/ocard-desk/resources"
)

// Languages the app ships.
const (
	LangEnglish = "en"
	LangZhTW    = "zh-TW"
)

// SetLanguage picks the language of every string in the window: LangZhTW, LangEnglish,
// or "" to follow the system (any Chinese system locale gets zh-TW, anything else English).
// It returns the language chosen.
//
// Fyne's lang package picks a translation by matching the system locale, and a zh-CN
// system would not match zh-TW. So the chosen language's messages are registered under
// every locale the matcher might pick: what the user chose is what they see.
func SetLanguage(code string) string {
	if code != LangEnglish && code != LangZhTW {
		code = systemLanguage()
	}
	data, err := resources.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		fyne.LogError("missing translations for "+code, err)
		return code
	}
	for _, loc := range []fyne.Locale{"en", "zh-TW", "zh", lang.SystemLocale()} {
		if err := lang.AddTranslationsForLocale(data, loc); err != nil {
			fyne.LogError("loading translations for "+string(loc), err)
		}
	}
	return code
}

func systemLanguage() string {
	if strings.HasPrefix(strings.ToLower(lang.SystemLocale().LanguageString()), "zh") {
		return LangZhTW
	}
	return LangEnglish
}

// tr looks up a message in the current language. Keys, not English sentences, are the
// message ids, so rewording English never orphans a translation.
func tr(key string, data ...any) string {
	return lang.L(key, data...)
}
