package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var domesticMobile = regexp.MustCompile(`^09\d{8}$`)

// mobileCases lists every form in DOMAIN.md; want "" means invalid.
var mobileCases = []struct {
	in, want string
}{
	{"0912345678", "0912345678"},
	{"0912-345-678", "0912345678"},
	{"0912 345 678", "0912345678"},
	{"0912.345.678", "0912345678"},
	{"(0912) 345-678", "0912345678"},
	{"+886 912 345 678", "0912345678"},
	{"+886-912-345-678", "0912345678"},
	{"+886912345678", "0912345678"},
	{"886912345678", "0912345678"},
	{"+886 (0)912 345 678", "0912345678"},
	{"+886(0)912-345-678", "0912345678"},
	{"(+886) 912 345 678", "0912345678"},
	{"002 886 912 345 678", "0912345678"},
	{"002886912345678", "0912345678"},
	{"005886912345678", "0912345678"},
	{"006-886-912-345-678", "0912345678"},
	{"007886912345678", "0912345678"},
	{"009 886 912345678", "0912345678"},
	{"019886912345678", "0912345678"},
	{"002 886 (0)912 345 678", "0912345678"},
	{"０９１２３４５６７８", "0912345678"},                   // full-width digits
	{"＋８８６　９１２－３４５－６７８", "0912345678"},             // full-width plus, ideographic space, full-width minus
	{"（０９１２）３４５．６７８", "0912345678"},                // full-width parentheses and dot
	{"0912\u00a0345\u00a0678", "0912345678"},       // NBSP
	{"0912\u2009345\u202f678", "0912345678"},       // thin and narrow no-break spaces
	{"0912\u2013345\u2014678", "0912345678"},       // en and em dash
	{"0912\u2212345\u2212678", "0912345678"},       // minus sign
	{"0912。345。678", "0912345678"},                 // ideographic full stop (IME punctuation)
	{"\ufeff0912\u200b345678\u200e", "0912345678"}, // BOM, zero-width space, LRM from a web page
	{"0912345678\r\n", "0912345678"},               // scanner suffixes
	{"0912345678\n", "0912345678"},
	{"0912345678\t", "0912345678"},
	{"  0912345678  ", "0912345678"},
	{"0987654321", "0987654321"},
	{"0999999999", "0999999999"},
	{"0903123123", "0903123123"},

	{"", ""},
	{"   \r\n", ""},
	{"091234567", ""},              // 9 digits
	{"09123456789", ""},            // 11 digits
	{"912345678", ""},              // trunk 0 missing, no country code
	{"0212345678", ""},             // Taipei landline
	{"02-2345-6789", ""},           // landline with separators
	{"+886 2 2345 6789", ""},       // landline, international
	{"+886 (0)2 2345 6789", ""},    // landline, (0) form
	{"+1 912 345 678", ""},         // another country
	{"+8860912345678x", ""},        // letter
	{"0912-ABC-678", ""},           // letters
	{"O912345678", ""},             // letter O for zero
	{"0912 345 678 ext 9", ""},     // extension
	{"0912\n345678", ""},           // control character inside
	{"0912\t345678", ""},           // tab inside
	{"0912345678\x00", ""},         // NUL
	{"09+12345678", ""},            // plus inside
	{"++886912345678", ""},         // two plus signs
	{"+002886912345678", ""},       // IDD after a plus
	{"003886912345678", ""},        // not a Taiwan IDD prefix
	{"886886912345678", ""},        // country code twice
	{"8869123456789", ""},          // too long after 886
	{"+886 912 345 67", ""},        // too short after 886
	{"0912/345/678", ""},           // slash is no separator
	{"٠٩١٢٣٤٥٦٧٨", ""},             // Arabic-Indic digits
	{strings.Repeat(" ", 200), ""}, // too long to consider
	{"0912345678" + strings.Repeat(" ", 130), ""},
}

func TestNormaliseMobile(t *testing.T) {
	for _, tc := range mobileCases {
		got, err := NormaliseMobile(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("NormaliseMobile(%q) = %q, want an error", tc.in, got)
				continue
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindInvalidInput || e.Op != "normalise" {
				t.Errorf("NormaliseMobile(%q) error = %#v, want *Error KindInvalidInput Op normalise", tc.in, err)
			}
			if got != "" {
				t.Errorf("NormaliseMobile(%q) returned %q alongside an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormaliseMobile(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestNormaliseMobileErrorHidesInput(t *testing.T) {
	for _, in := range []string{"0912345678x", "+1 912 345 678", "0212345678"} {
		_, err := NormaliseMobile(in)
		if err == nil {
			t.Fatalf("%q accepted", in)
		}
		if strings.Contains(err.Error(), "345") {
			t.Errorf("error %q repeats the input", err)
		}
	}
}

func TestMaskMobile(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0903123123", "0903***123"},
		{"1234567890", "1234***890"}, // any ten digits keep the same shape
		{"+886 903 123 123", "0903***123"},
		{"0903-123-123\r\n", "0903***123"},
		{"", ""},
		{"12", "***"},
		{"090312312", "***"},
		{"09031231234", "***"},
		{"Chien YH", "***"},
		{"0903123123 and more", "***"},
	} {
		if got := MaskMobile(tc.in); got != tc.want {
			t.Errorf("MaskMobile(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzNormaliseMobile: no panic; any accepted number is ^09\d{8}$, normalising it
// again changes nothing, and its mask never shows it whole.
func FuzzNormaliseMobile(f *testing.F) {
	for _, tc := range mobileCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := NormaliseMobile(in)
		masked := MaskMobile(in)
		if err != nil {
			if got != "" || KindOf(err) != KindInvalidInput {
				t.Fatalf("NormaliseMobile(%q) = %q, %v", in, got, err)
			}
			if len(in) >= 4 && masked == in && in != "***" {
				t.Fatalf("MaskMobile(%q) echoed its input", in)
			}
			return
		}
		if !domesticMobile.MatchString(got) {
			t.Fatalf("NormaliseMobile(%q) = %q, not 09xxxxxxxx", in, got)
		}
		if again, err := NormaliseMobile(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", in, got, again, err)
		}
		if strings.Contains(masked, got) || strings.Contains(masked, got[1:]) {
			t.Fatalf("MaskMobile(%q) = %q shows the number", in, masked)
		}
	})
}

// The store id and the number are checked before anything is sent.
func TestLookupMemberInvalidInputSendsNothing(t *testing.T) {
	tn := newTenant(t, nil, nil)
	c := tn.client(t, nil)
	for _, in := range []struct{ shop, mobile string }{
		{"", testMobile},
		{"  \t", testMobile},
		{"00\x0030", testMobile},
		{strings.Repeat("0", 65), testMobile},
		{testShop, ""},
		{testShop, "0212345678"},
		{testShop, "09031231234"},
		{testShop, "call me"},
	} {
		_, err := c.LookupMember(context.Background(), in.shop, in.mobile)
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("LookupMember(%q, %q) = %v, want KindInvalidInput", in.shop, in.mobile, err)
		}
	}
	tn.wantHits(t, c, 0, 0)
}

func ExampleNormaliseMobile() {
	for _, in := range []string{"+886 912-345-678", "０９１２３４５６７８\r\n", "02-2345-6789"} {
		n, err := NormaliseMobile(in)
		if err != nil {
			fmt.Println("invalid:", err)
			continue
		}
		fmt.Println(n, MaskMobile(n))
	}
	// Output:
	// 0912345678 0912***678
	// 0912345678 0912***678
	// invalid: normalise: invalid input: not a Taiwan mobile number (09 and 8 more digits)
}
