package service

import (
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// redactor hides the secret, the token and the phone number in any text that came
// from a server (error pages love to echo the request). Its replacer is built on
// first use: only failures have text to redact, and building it on every lookup
// was a measurable part of the client's overhead (docs/BENCHMARKS.md, P2).
type redactor struct {
	secret, token, mobile string
	once                  sync.Once
	replacer              *strings.Replacer
}

func newRedactor(secret, token, mobile string) *redactor {
	return &redactor{secret: secret, token: token, mobile: mobile}
}

// Replace returns s with every secret, token and number replaced by a label.
func (r *redactor) Replace(s string) string {
	r.once.Do(func() { r.replacer = newReplacer(r.secret, r.token, r.mobile) })
	return r.replacer.Replace(s)
}

// newReplacer hides the secret and the token also URL-encoded (how the token form
// carries the secret) and JSON-escaped (how a JSON error body would quote them).
// Duplicate patterns are harmless: the first match wins.
func newReplacer(secret, token, mobile string) *strings.Replacer {
	var pairs []string
	add := func(old, repl string) {
		if old != "" {
			pairs = append(pairs, old, repl)
		}
	}
	for _, s := range [...]struct{ value, label string }{{secret, "[secret]"}, {token, "[token]"}} {
		if s.value == "" {
			continue
		}
		add(s.value, s.label)
		if q := url.QueryEscape(s.value); q != s.value {
			add(q, s.label)
		}
		if j := jsonEscape(s.value); j != s.value {
			add(j, s.label)
		}
		if j := strings.ReplaceAll(jsonEscape(s.value), "/", `\/`); j != s.value {
			add(j, s.label) // PHP's json_encode escapes slashes
		}
	}
	if isDomesticMobile(mobile) {
		add(mobile, MaskMobile(mobile))
		add(mobile[1:], "***") // the same number in +886 form
	}
	return strings.NewReplacer(pairs...)
}

// jsonEscape returns s as encoding/json writes it inside a string literal.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b[1 : len(b)-1])
}

// excerpt makes a short, printable, redacted extract of a body for diagnostics.
func excerpt(body []byte, red *redactor) string {
	cut := len(body) > errorBodyPeek
	if cut {
		body = body[:errorBodyPeek]
	}
	text := red.Replace(string(body))
	if cut {
		// A secret or token cut in two at the peek's end cannot be recognised to
		// redact; keep only the first half, which no such fragment reaches (secrets and
		// tokens are well under errorBodyPeek/2 bytes).
		text = text[:min(len(text), errorBodyPeek/2)]
	}
	return cleanText(text, maxExcerpt)
}

// cleanText turns s into one line of printable text of at most max bytes:
// control and format characters become spaces, runs of space collapse.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
