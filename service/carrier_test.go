package service

import (
	"regexp"
	"testing"
)

var carrierPattern = regexp.MustCompile(`^/[0-9A-Z.\-+]{7}$`)

var carrierCases = []struct {
	in   string
	want bool
}{
	{"/XXX1XXX", true},
	{"/ABC+-.9", true},
	{"/0000000", true},
	{"/.......", true},
	{"/+-+-+-+", true},
	{"", false},
	{"/", false},
	{"/ABC123", false},   // 6 symbols
	{"/ABC12345", false}, // 8 symbols
	{"ABC12345", false},  // no slash
	{"/abc1234", false},  // lower case is not standard Code 39
	{"/ABC 123", false},  // space is a Code 39 symbol but not a carrier one
	{"/ABC$123", false},
	{"/ABC/123", false},
	{"//ABC123", false},
	{"/ABC123\n", false},
	{" /ABC1234", false},
	{"/ＡＢＣ1234", false}, // full-width letters
	{"/ABC12é", false},  // multi-byte rune fitting in 8 bytes
	{"AB12345678901234", false},
}

func TestValidCarrier(t *testing.T) {
	for _, tc := range carrierCases {
		if got := ValidCarrier(tc.in); got != tc.want {
			t.Errorf("ValidCarrier(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzValidCarrier holds ValidCarrier to the documented pattern.
func FuzzValidCarrier(f *testing.F) {
	for _, tc := range carrierCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidCarrier(s), carrierPattern.MatchString(s); got != want {
			t.Fatalf("ValidCarrier(%q) = %v, pattern says %v", s, got, want)
		}
	})
}
