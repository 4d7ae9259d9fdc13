package diagnose

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/session"
)

// Scrubber removes from text the desk's client secret and its token (also URL- and
// JSON-escaped) and masks full phone numbers. Diagnostics pass everything through it:
// the log is written masked, but a file may have been edited, an older version may
// have logged more, and a server's error page may echo what it was sent.
type Scrubber struct {
	pairs []string
}

// NewScrubber is a Scrubber for the session's secret (and, once told, its token).
func NewScrubber(s *session.Session) *Scrubber {
	sc := &Scrubber{}
	if s != nil {
		sc.add(s.Resolved.Secret, "[secret]")
	}
	return sc
}

// AddToken makes the scrubber remove token too.
func (sc *Scrubber) AddToken(token string) { sc.add(token, "[token]") }

// AddSecret makes the scrubber remove secret too (a provisioning file's, say).
func (sc *Scrubber) AddSecret(secret string) { sc.add(secret, "[secret]") }

func (sc *Scrubber) add(value, label string) {
	// Short values would scrub ordinary words; real secrets and tokens are long.
	if len(value) < 6 {
		return
	}
	for _, v := range []string{value, url.QueryEscape(value), strings.ReplaceAll(value, "/", `\/`)} {
		sc.pairs = append(sc.pairs, v, label)
	}
}

// A full Taiwan mobile number, not inside a longer run of digits: 09xxxxxxxx, and
// the same number after 886 (+886 9xx…, 886-9xx…).
var (
	domesticMobile = regexp.MustCompile(`(^|[^0-9])(09[0-9]{8})($|[^0-9])`)
	intlMobile     = regexp.MustCompile(`(886[ -]?)(9[0-9]{2}[ -]?[0-9]{3}[ -]?[0-9]{3})($|[^0-9])`)
)

// Scrub returns text without the secret, the token or full phone numbers.
func (sc *Scrubber) Scrub(text string) string {
	if len(sc.pairs) > 0 {
		text = strings.NewReplacer(sc.pairs...).Replace(text)
	}
	// Twice: the separator after one number may be the one before the next.
	for range 2 {
		text = domesticMobile.ReplaceAllStringFunc(text, func(m string) string {
			sub := domesticMobile.FindStringSubmatch(m)
			return sub[1] + service.MaskMobile(sub[2]) + sub[3]
		})
		text = intlMobile.ReplaceAllString(text, "${1}9*******${3}")
	}
	return text
}

func parentDir(p string) string { return filepath.Dir(p) }

func joinPath(dir, name string) string {
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}
