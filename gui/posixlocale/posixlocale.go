// Package posixlocale makes a C or POSIX locale (LANG=C.UTF-8, the default of Debian
// containers and many service accounts) read as English before Fyne's lang package
// initialises. Fyne's locale lookup passes "C.UTF-8" through as a language tag, fails to
// parse it and prints an error at every start, even for `ocard-desk lookup`.
//
// Import it for its side effect, from main. Go initialises packages in import-path order
// as soon as their dependencies are ready (Go ≥ 1.21), and this package depends on
// nothing but os, so it runs before fyne.io/fyne/v2/lang, whose dependencies include
// golang.org/x/text.
package posixlocale

import (
	"os"
	"strings"
)

func init() {
	Apply(os.Getenv, os.Setenv)
}

// Apply sets LANGUAGE=en when the effective locale (LC_ALL, then LC_MESSAGES, then LANG)
// is C or POSIX with an encoding suffix, and LANGUAGE is unset. Plain "C" and "POSIX"
// are already handled by Fyne's locale library.
func Apply(getenv func(string) string, setenv func(string, string) error) {
	locale := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(name); locale != "" {
			break
		}
	}
	base, _, hasSuffix := strings.Cut(locale, ".")
	if !hasSuffix || (base != "C" && base != "POSIX") || getenv("LANGUAGE") != "" {
		return
	}
	_ = setenv("LANGUAGE", "en")
}
