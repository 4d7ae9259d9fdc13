// Package diagnose gathers what support staff need from a desk, without anything
// private: the version, OS and screen, every setting with its source (never the
// secret), the token's state (never the token), the unresolved redemptions, the last
// check, and the end of the log. The window's Copy diagnostics puts Text on the
// clipboard; `ocard-desk diagnose` writes it, with the files behind it, into a zip
// (Zip). Every text leaving through here is scrubbed (Scrubber) of the secret, the
// token and full phone numbers, whatever put them there.
package diagnose

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
	"github.com/ocard-desk/ocard-desk/service/logfile"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// LogLines is how many of the last log lines diagnostics carry.
const LogLines = 200

// Window is what only the window knows, for Text.
type Window struct {
	// Screen is the window's screen: its size and scale ("" from a terminal).
	Screen string
	// LastCheck is the last check's result, with its time ("" when none was made).
	LastCheck string
}

// UnresolvedCounter counts this desk's redemptions whose outcome is not known (sent
// and not answered, or never recorded).
type UnresolvedCounter interface {
	UnresolvedRedemptions() (int, error)
}

// UnresolvedFunc adapts a function to UnresolvedCounter.
type UnresolvedFunc func() (int, error)

// UnresolvedRedemptions calls f.
func (f UnresolvedFunc) UnresolvedRedemptions() (int, error) { return f() }

// JournalUnresolved counts, in the journal file at path, the orders whose latest
// entry is pending or unknown: what the Rewards view shows as UNKNOWN. A missing
// journal has none.
func JournalUnresolved(path string) UnresolvedCounter {
	return UnresolvedFunc(func() (int, error) {
		entries, _, err := journal.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		n := 0
		for _, e := range journal.Latest(entries) {
			if journal.Shown(e.State) == journal.Unknown {
				n++
			}
		}
		return n, nil
	})
}

// Report is what Text describes.
type Report struct {
	Session *session.Session
	Window  Window
	// LogPath is the window's log file ("" when it keeps none); its backups and the
	// crash traces beside it are found from it.
	LogPath string
	// Unresolved counts unresolved redemptions (nil: JournalUnresolved on the
	// session's journal folder).
	Unresolved UnresolvedCounter
	Now        func() time.Time // time.Now when nil
}

// Text is the diagnostics block, scrubbed (see Scrubber).
func Text(r Report) string {
	sc := NewScrubber(r.Session)
	return sc.Scrub(text(r, sc))
}

func text(r Report, sc *Scrubber) string {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	s := r.Session
	var b strings.Builder
	line := func(label, value string) {
		if value == "" {
			value = "(none)"
		}
		fmt.Fprintf(&b, "%-24s %s\n", label+":", value)
	}
	fmt.Fprintf(&b, "Ocard Desk diagnostics, %s\n\n", now().Format(time.RFC3339))
	line("Version", fmt.Sprintf("%s (commit %s, built %s)", service.Version, service.Commit, service.BuildDate))
	line("OS", runtime.GOOS+"/"+runtime.GOARCH+", "+runtime.Version())
	line("Screen", r.Window.Screen)
	line("Settings file", s.SettingsFile())
	line("Journal folder", s.JournalFolder())
	logFolder := ""
	if r.LogPath != "" {
		logFolder = parentDir(r.LogPath)
	}
	line("Log folder", logFolder)
	if s.LogFile != nil && s.LogFile.Problem() != nil {
		line("Log file problem", s.LogFile.Problem().Error())
	}
	if s.LogFile != nil && s.LogFile.Dropped() > 0 {
		line("Log records dropped", fmt.Sprint(s.LogFile.Dropped()))
	}
	if s.Unclean != nil {
		line("Previous run", s.Unclean.String())
	}
	line("Demo", fmt.Sprint(s.Demo))
	b.WriteString("\nSettings (value [where it came from]):\n")
	WriteSettings(&b, s)
	b.WriteByte('\n')
	line("Token", tokenState(s, sc, now()))
	unresolved := r.Unresolved
	if unresolved == nil {
		unresolved = JournalUnresolved(joinPath(s.JournalFolder(), journal.FileName))
	}
	if n, err := unresolved.UnresolvedRedemptions(); err != nil {
		line("Unresolved redemptions", "cannot be read: "+err.Error())
	} else {
		line("Unresolved redemptions", fmt.Sprint(n))
	}
	line("Last check", r.Window.LastCheck)
	if r.LogPath == "" {
		b.WriteString("\nNo log file.\n")
		return b.String()
	}
	lines := logfile.Tail(r.LogPath, LogLines)
	if len(lines) == 0 {
		fmt.Fprintf(&b, "\nNothing logged yet (%s).\n", r.LogPath)
		return b.String()
	}
	fmt.Fprintf(&b, "\nThe last %d log lines (%s):\n", len(lines), r.LogPath)
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// tokenState says whether a token is cached for the desk's settings and until when,
// never the token; it tells sc the token, to scrub wherever it may appear.
func tokenState(s *session.Session, sc *Scrubber, now time.Time) string {
	if s.Demo {
		return "not cached (the demo's token is never stored)"
	}
	if s.Secrets == nil {
		return "not cached (no secret store)"
	}
	cfg := s.Resolved.Settings.ServiceConfig(s.Resolved.Secret)
	t, err := settings.TokenCacheFor(s.Secrets, cfg).LoadToken()
	switch {
	case err != nil:
		return "cannot be read: " + err.Error()
	case t == nil || t.AccessToken == "":
		return "not cached (the next lookup fetches one)"
	}
	sc.AddToken(t.AccessToken)
	if t.Expiry.IsZero() {
		return "cached, no expiry given"
	}
	left := t.Expiry.Sub(now).Round(time.Minute)
	if left <= 0 {
		return fmt.Sprintf("cached, expired %s (the next lookup fetches a new one)", t.Expiry.Format(time.RFC3339))
	}
	return fmt.Sprintf("cached, expires %s (in %s)", t.Expiry.Format(time.RFC3339), left)
}
