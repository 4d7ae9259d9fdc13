package service

import (
	"fmt"
	"strings"
	"unicode"
)

// Printable returns s with every character that could take over a terminal or reorder
// a line shown as a visible escape (\u0007, \u001b, \u202e): control characters (C0,
// DEL, C1; a tab and a newline too, which would break a one-line field) and the
// Unicode bidirectional controls (embeddings, overrides, isolates and marks), which
// can make "evil" read backwards and drag the rest of the line with it. Everything
// else, Chinese and emoji included, is kept. Text from the member system (names,
// titles, messages) goes through it before a terminal or the window shows it; JSON
// output escapes such characters already.
func Printable(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	if unicode.IsControl(r) {
		return true
	}
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F: // arabic letter mark, LRM, RLM
		return true
	case r >= 0x202A && r <= 0x202E: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	}
	return false
}
