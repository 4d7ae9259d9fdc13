package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// The lookup command's exit statuses. With several numbers the largest one wins, so
// a script can tell "someone was not a member" from "something is broken".
const (
	exitFound     = 0 // every number is a member
	exitUsage     = 2 // usage, configuration or an invalid number: nothing was sent
	exitNotMember = 3
	exitAuth      = 4 // the credentials or the token were refused
	exitFailure   = 5 // network, timeout, server status or malformed response
)

const lookupUsage = `usage: ocard-desk lookup [--json] [--demo] [--config FILE] [--base-url URL]
                         [--token-url URL] [--client-id ID] [--client-secret SECRET]
                         [--shop-id ID] [--scope S] [--timeout 10s] MOBILE...

Looks each MOBILE up in the member API and prints what it found, with the settings
the window would use: flags first, then OCARD_BASE_URL, OCARD_TOKEN_URL,
OCARD_CLIENT_ID, OCARD_CLIENT_SECRET, OCARD_SHOP_ID and OCARD_SCOPE, then the
provisioning file (--config, OCARD_CONFIG, or ocard-desk.json next to the program),
then the settings and client secret saved in the window. Prefer the environment or
the saved secret to --client-secret, which other users can see in the process list.
--demo uses the built-in demo server (flags given explicitly still win).

Exit status: 0 all found, 2 usage/configuration/invalid number (nothing sent),
3 not a member, 4 authentication failed, 5 network/timeout/server/malformed.
With several numbers the largest wins.

Flags:
`

// lookupRun is one parsed invocation of the lookup command (or of rewards or
// redeem, which are configured exactly like it).
type lookupRun struct {
	name   string // the command, for messages: "lookup", "rewards", "redeem"
	asJSON bool
	cfg    service.Config
	shopID string
	// settings are the resolved settings (redeem_enabled, redeem_ticket_id); with
	// --demo they are the defaults with redeeming on (see docs/REWARDS.md).
	settings settings.Settings
	numbers  []string // normalised, in the order given
	raw      []string // as given, for messages
	stdout   io.Writer
	stderr   io.Writer
}

// Lookup runs `ocard-desk lookup` with args (the words after "lookup") and returns
// the process exit status. It reads the window's saved settings (readDeskSettings)
// and never changes them. It never panics: an unexpected failure becomes a line on
// stderr and status 5.
func Lookup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	prefs := readDeskSettings()
	return lookup(ctx, args, stdout, stderr, processEnv(), prefs)
}

// lookup is Lookup with the process's surroundings passed in, so tests need not
// touch the environment, the real preferences or the real keychain.
func lookup(ctx context.Context, args []string, stdout, stderr io.Writer, env deskEnv, prefs settings.KV) (code int) {
	var secret string // known once parsed; the recover below must not print it either
	defer recoverInternal("lookup", stderr, &secret, &code)

	run, srv, code := parseLookup(args, stdout, stderr, env, prefs)
	if run == nil {
		return code
	}
	if srv != nil {
		defer srv.Close()
	}
	secret = run.cfg.ClientSecret
	client, err := service.NewClient(run.cfg)
	if err != nil {
		run.fail(err.Error())
		return exitUsage
	}
	return run.lookupAll(ctx, client)
}

// lookupAll looks every number up with one client, hence one token, and returns the
// largest exit status.
func (r *lookupRun) lookupAll(ctx context.Context, client *service.Client) int {
	code := exitFound
	var authErr error
	for i, n := range r.numbers {
		if !r.asJSON && i > 0 {
			fmt.Fprintln(r.stdout)
		}
		var m service.Member
		err := authErr
		if err == nil {
			m, err = client.LookupMember(ctx, r.shopID, n)
		}
		// Refused credentials will be refused again: asking once per remaining
		// number would only hammer the token endpoint (and may lock the account).
		if service.KindOf(err) == service.KindAuth {
			authErr = err
		}
		code = max(code, r.report(n, n, err))
		if err == nil {
			r.printMember(n, m)
		}
	}
	return code
}

// report prints the outcome of one number other than a found member, and returns
// its exit status. display is how the number appears in messages.
func (r *lookupRun) report(mobile, display string, err error) int {
	switch {
	case err == nil:
		return exitFound
	case errors.Is(err, service.ErrNotMember):
		if r.asJSON {
			writeJSONLine(r.stdout, jsonNotFound{Mobile: mobile, Found: false})
		} else {
			fmt.Fprintf(r.stdout, "%s: not a member\n", display)
		}
		return exitNotMember
	}
	msg := redact(err.Error(), r.cfg.ClientSecret)
	if r.asJSON {
		writeJSONLine(r.stdout, jsonError{Mobile: mobile, Error: msg})
	} else {
		fmt.Fprintf(r.stdout, "%s: error: %s\n", display, service.Printable(msg))
	}
	fmt.Fprintf(r.stderr, "ocard-desk %s: %s: %s\n", r.name, display, service.Printable(msg))
	return exitStatus(err)
}

// fail prints a problem that concerns the whole command rather than one number.
func (r *lookupRun) fail(msg string) {
	fmt.Fprintln(r.stderr, "ocard-desk "+r.name+": "+redact(msg, r.cfg.ClientSecret))
}

func exitStatus(err error) int {
	switch service.KindOf(err) {
	case service.KindInvalidInput, service.KindConfig:
		return exitUsage
	case service.KindAuth:
		return exitAuth
	}
	return exitFailure
}

// redact removes the client secret from a message, in case a hostile or careless
// token endpoint echoed it back in an error description.
func redact(msg, secret string) string {
	if strings.TrimSpace(secret) == "" {
		return msg
	}
	for _, s := range []string{secret, strings.TrimSpace(secret), url.QueryEscape(secret), url.PathEscape(secret)} {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return msg
}

// printMember prints a found member, as JSON or for a person to read.
func (r *lookupRun) printMember(mobile string, m service.Member) {
	if r.asJSON {
		writeJSONLine(r.stdout, newJSONFound(mobile, m))
		return
	}
	w := r.stdout
	// Every value may come from the member system: shown escaped where it could take
	// over the terminal (service.Printable).
	row := func(label, value string) { fmt.Fprintf(w, "  %-12s %s\n", label+":", service.Printable(value)) }
	fmt.Fprintf(w, "%s: member\n", mobile)
	row("Name", orNone(m.Name))
	row("Member ID", orNone(m.ID))
	row("Mobile", orNone(m.Mobile))
	tier := orNone(m.GroupName)
	if m.GroupID != "" {
		tier += " (group " + m.GroupID + ")"
	}
	row("Tier", tier)
	carrier := orNone(m.Carrier.Code)
	if m.Carrier.Code != "" && !m.Carrier.Valid {
		carrier += " (not a valid mobile barcode)"
	}
	row("Carrier", carrier)
	row("Avatar", orNone(m.AvatarURL))
	c := m.Card
	if c == nil {
		row("Point card", "(none)")
		return
	}
	row("Points", strconv.FormatInt(c.Points, 10))
	row("Spent", strconv.FormatInt(c.Spent, 10))
	row("Convert", orNone(c.Convert))
	row("Gifts", strconv.FormatInt(c.AvailableGifts, 10))
	row("Card", orNone(c.Title))
	if c.Content != "" && c.Content != c.Title {
		row("Details", c.Content)
	}
	if len(c.Expiring) == 0 {
		row("Expiring", "(none)")
	}
	for i, e := range c.Expiring {
		label := "Expiring:"
		if i > 0 {
			label = "" // later batches line up under the first
		}
		fmt.Fprintf(w, "  %-12s %s  %d points\n", label, service.Printable(expiryDate(e)), e.Points)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// expiryDate formats an expiry as YYYY-MM-DD, or as the API gave it when it was not
// a date the decoder understood.
func expiryDate(e service.ExpiringPoints) string {
	if e.Date.IsZero() {
		return e.DateText
	}
	return e.Date.Format(time.DateOnly)
}
