package service

import (
	"strings"
	"testing"
	"unicode"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"Chien YH":                         "Chien YH",
		"林雅婷 😀":                            "林雅婷 😀",
		"\u202eevil\u0007\u001b[31mred":    `\u202eevil\u0007\u001b[31mred`,
		"a\tb\nc\x7f\u0085":                `a\u0009b\u000ac\u007f\u0085`,
		"\u2066iso\u2069 \u200emark\u061c": `\u2066iso\u2069 \u200emark\u061c`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzPrintable(f *testing.F) {
	f.Add("\u202eevil\u0007\u001b[31mred")
	f.Add("林雅婷")
	f.Fuzz(func(t *testing.T, s string) {
		out := Printable(s)
		for _, r := range out {
			if unicode.IsControl(r) || unsafeRune(r) {
				t.Fatalf("Printable(%q) = %q keeps %U", s, out, r)
			}
		}
		if !strings.ContainsFunc(s, unsafeRune) && out != s {
			t.Fatalf("Printable(%q) changed a safe text to %q", s, out)
		}
	})
}
