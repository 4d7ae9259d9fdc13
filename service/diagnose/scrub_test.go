package diagnose

import (
	"strings"
	"testing"
)

func TestScrubMasksNumbersAndRemovesSecrets(t *testing.T) {
	sc := &Scrubber{}
	sc.AddSecret("s3cr3t/value")
	sc.AddToken("tok-123456")
	for in, want := range map[string]string{
		"mobile=0912345678.":                                "mobile=0912***678.",
		"0912345678,0987654321":                             "0912***678,0987***321",
		"+886 912 345 678 and 886912345678":                 "+886 9******* and 8869*******",
		"order 000030261206000001":                          "order 000030261206000001", // a longer run of digits is not a number
		"secret s3cr3t%2Fvalue s3cr3t\\/value s3cr3t/value": "secret [secret] [secret] [secret]",
		"Bearer tok-123456":                                 "Bearer [token]",
	} {
		if got := sc.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWithoutSecretsKeepsAddresses(t *testing.T) {
	in := `{"client_secret": "abc", "token_url": "https://login.example.com/oauth/v1/token", "shops": [{"id": "000030"}]}`
	out := string(withoutSecrets([]byte(in)))
	if strings.Contains(out, "abc") || !strings.Contains(out, `"client_secret": "[removed]"`) || !strings.Contains(out, "login.example.com") {
		t.Errorf("withoutSecrets = %s", out)
	}
	broken := `{"client_secret": "abc", "shops": [` // IT's file may be broken: still no secret
	if out := string(withoutSecrets([]byte(broken))); strings.Contains(out, "abc") {
		t.Errorf("broken file: %s", out)
	}
}
