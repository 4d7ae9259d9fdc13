package service

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// maxMobileInput bounds the input NormaliseMobile looks at: a phone number with
// generous formatting fits easily, and a scanner dumping a whole barcode does not.
const maxMobileInput = 128

// taiwanIDDPrefixes are the international call prefixes of Taiwan's carriers. Staff
// copy numbers as dialled, e.g. "002 886 912 345 678".
var taiwanIDDPrefixes = []string{"002", "005", "006", "007", "009", "019"}

// NormaliseMobile turns a Taiwan mobile number as staff type it or a scanner sends
// it into the domestic form "09xxxxxxxx" that the member API expects.
//
// It accepts full-width digits and signs from Chinese IMEs, spaces of any kind
// (including NBSP), '-', '.', '(' and ')' as separators, white space and invisible
// format characters at either end (scanners end with CR, LF or Tab), and the
// international forms "+886 912…", "886912…", "+886 (0)912…" and an IDD prefix
// (002, 005, 006, 007, 009, 019) before 886. Anything else (letters, landlines,
// other countries, too few or too many digits) is an *Error of KindInvalidInput
// with Op "normalise"; its message never repeats the input.
func NormaliseMobile(s string) (string, error) {
	if len(s) > maxMobileInput {
		return "", mobileError("input too long")
	}
	s = width.Fold.String(s)
	s = strings.TrimFunc(s, isMobileEdge)
	if s == "" {
		return "", mobileError("no number given")
	}
	digits := make([]byte, 0, 16)
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+':
			// A plus is only meaningful as the international marker in front.
			if plus || len(digits) > 0 {
				return "", mobileError("a + may only start the number")
			}
			plus = true
		case isMobileSeparator(r):
		default:
			return "", mobileError("contains characters that are not part of a phone number")
		}
	}
	d := string(digits)
	intl := true
	switch {
	case plus:
		if !strings.HasPrefix(d, "886") {
			return "", mobileError("only Taiwan (+886) numbers are accepted")
		}
		d = d[3:]
	case hasIDDPrefix(d):
		d = d[6:]
	case strings.HasPrefix(d, "886"):
		// A domestic number starts with 0, so a leading 886 can only be the
		// country code written without its plus.
		d = d[3:]
	default:
		intl = false
	}
	if intl && len(d) == 9 {
		d = "0" + d // the trunk 0 is dropped after a country code…
	} // …unless written as "+886 (0)912…", which leaves ten digits already.
	if !isDomesticMobile(d) {
		return "", mobileError("not a Taiwan mobile number (09 and 8 more digits)")
	}
	return d, nil
}

// MaskMobile hides the middle of a phone number for logs and lookup screens:
// "0903123123" becomes "0903***123". Numbers in any form NormaliseMobile accepts
// are masked in their domestic form; anything else becomes "***" (or "" for ""),
// so the full input is never echoed.
func MaskMobile(s string) string {
	if len(s) == 10 && allASCIIDigits(s) {
		return s[:4] + "***" + s[7:]
	}
	if n, err := NormaliseMobile(s); err == nil {
		return n[:4] + "***" + n[7:]
	}
	if s == "" {
		return ""
	}
	return "***"
}

func hasIDDPrefix(d string) bool {
	for _, p := range taiwanIDDPrefixes {
		if strings.HasPrefix(d, p+"886") {
			return true
		}
	}
	return false
}

// isDomesticMobile reports whether d matches ^09\d{8}$. DOMAIN.md notes the ranges
// in use are 090–098; 099 is accepted too so a new range needs no release.
func isDomesticMobile(d string) bool {
	return len(d) == 10 && d[0] == '0' && d[1] == '9' && allASCIIDigits(d)
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isMobileEdge reports runes trimmed from both ends: white space (scanners end
// with CR, LF or Tab) and invisible format characters (BOM, zero-width space,
// direction marks) that come along when a number is copied from a web page.
func isMobileEdge(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// isMobileSeparator reports runes people put between digit groups. Control
// characters are not among them: inside a number they mean a garbled scan.
func isMobileSeparator(r rune) bool {
	switch r {
	case ' ', '.', '(', ')',
		'\u00b7', // middle dot
		'\u3002', // ideographic full stop: what "." becomes with a Chinese IME in full-width punctuation mode
		'\u2212': // minus sign
		return true
	}
	if r < 0x80 || r == '\u0085' {
		return r == '-'
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Pd, r)
}

func mobileError(detail string) error {
	return &Error{Kind: KindInvalidInput, Op: "normalise", Detail: detail}
}
