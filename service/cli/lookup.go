package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
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

const lookupUsage = `usage: ocard-desk lookup [--json] [--demo] [--base-url URL] [--token-url URL]
                         [--client-id ID] [--client-secret SECRET] [--shop-id ID]
                         [--scope S] [--timeout 10s] MOBILE...

Looks each MOBILE up in the member API and prints what it found.
Settings also come from OCARD_BASE_URL, OCARD_TOKEN_URL, OCARD_CLIENT_ID,
OCARD_CLIENT_SECRET and OCARD_SHOP_ID; flags win. Prefer OCARD_CLIENT_SECRET to
--client-secret, which other users can see in the process list.
--demo uses the built-in demo server (flags given explicitly still win).

Exit status: 0 all found, 2 usage/configuration/invalid number (nothing sent),
3 not a member, 4 authentication failed, 5 network/timeout/server/malformed.
With several numbers the largest wins.

Flags:
`

// lookupRun is one parsed invocation of the lookup command.
type lookupRun struct {
	asJSON  bool
	cfg     service.Config
	shopID  string
	numbers []string // normalised, in the order given
	raw     []string // as given, for messages
	stdout  io.Writer
	stderr  io.Writer
}

// Lookup runs `ocard-desk lookup` with args (the words after "lookup") and returns
// the process exit status. It never panics: an unexpected failure becomes a line on
// stderr and status 5.
func Lookup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return lookup(ctx, args, stdout, stderr, os.Getenv)
}

// lookup is Lookup with the environment passed in, so tests need not touch the
// process environment.
func lookup(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) (code int) {
	var secret string // known once parsed; the recover below must not print it either
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(stderr, redact("ocard-desk lookup: internal error: "+fmt.Sprint(r), secret))
			code = exitFailure
		}
	}()

	run, srv, code := parseLookup(args, stdout, stderr, getenv)
	if run == nil {
		return code
	}
	if srv != nil {
		defer srv.Close()
	}
	secret = run.cfg.ClientSecret
	client, err := service.NewClient(run.cfg)
	if err != nil {
		run.fail(fmt.Sprintf("configuration: %v", err))
		return exitUsage
	}
	return run.lookupAll(ctx, client)
}

// parseLookup reads flags, environment and numbers. It returns a nil run and the exit
// status when the command should stop before any request. It starts the in-process
// demo server for --demo, which the caller must close.
func parseLookup(args []string, stdout, stderr io.Writer, getenv func(string) string) (*lookupRun, *demo.Server, int) {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, lookupUsage)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print one JSON object per number, one per line")
	useDemo := fs.Bool("demo", false, "use the built-in demo server")
	// String flags default to "" and fall back to the environment afterwards, so that
	// --help never prints a secret taken from the environment as a "default".
	baseURL := fs.String("base-url", "", "member API base URL (env OCARD_BASE_URL)")
	tokenURL := fs.String("token-url", "", "OAuth2 token URL (env OCARD_TOKEN_URL)")
	clientID := fs.String("client-id", "", "OAuth2 client ID (env OCARD_CLIENT_ID)")
	clientSecret := fs.String("client-secret", "", "OAuth2 client secret (env OCARD_CLIENT_SECRET)")
	shopID := fs.String("shop-id", "", "shop id, leading zeros kept (env OCARD_SHOP_ID)")
	scope := fs.String("scope", "api", "OAuth2 scope(s), space-separated")
	timeout := fs.Duration("timeout", service.DefaultTimeout, "per-request timeout")

	rawNumbers, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, nil, exitFound
	}
	if err != nil {
		return nil, nil, exitUsage // the flag package has printed the problem and usage
	}
	run := &lookupRun{asJSON: *asJSON, raw: rawNumbers, stdout: stdout, stderr: stderr}
	if len(rawNumbers) == 0 {
		run.fail("no mobile number given (usage: ocard-desk lookup [flags] MOBILE...)")
		return nil, nil, exitUsage
	}
	if *timeout <= 0 {
		run.fail("--timeout must be positive, e.g. 10s")
		return nil, nil, exitUsage
	}

	// Every number is checked before anything is sent: a typo in the third number
	// should not leave the first two looked up and the rest not.
	invalid := false
	for _, raw := range rawNumbers {
		n, err := service.NormaliseMobile(raw)
		if err != nil {
			invalid = true
			run.report(raw, strconv.Quote(raw), err)
			continue
		}
		run.numbers = append(run.numbers, n)
	}
	if invalid {
		return nil, nil, exitUsage
	}

	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	setting := func(name string, flagValue *string, env, demoValue string) string {
		switch {
		case given[name]:
			return *flagValue
		case *useDemo:
			return demoValue // the tenant's settings in the environment are not the demo's
		default:
			return getenv(env)
		}
	}
	var srv *demo.Server
	var demoCfg service.Config
	demoShop := ""
	if *useDemo {
		if srv, err = demo.Start(demo.Options{}); err != nil {
			run.fail(fmt.Sprintf("cannot start the demo server: %v", err))
			return nil, nil, exitFailure
		}
		demoCfg, demoShop = srv.Config(), demo.ShopID
	}
	run.cfg = service.Config{
		BaseURL:      setting("base-url", baseURL, "OCARD_BASE_URL", demoCfg.BaseURL),
		TokenURL:     setting("token-url", tokenURL, "OCARD_TOKEN_URL", demoCfg.TokenURL),
		ClientID:     setting("client-id", clientID, "OCARD_CLIENT_ID", demoCfg.ClientID),
		ClientSecret: setting("client-secret", clientSecret, "OCARD_CLIENT_SECRET", demoCfg.ClientSecret),
		Scopes:       strings.Fields(*scope),
		Timeout:      *timeout,
		UserAgent:    service.UserAgent() + " (lookup)",
		// The command's output is its stdout and one line per error; the client's
		// debug lines would only clutter a script's stderr.
		Logger: slog.New(slog.DiscardHandler),
	}
	run.shopID = strings.TrimSpace(setting("shop-id", shopID, "OCARD_SHOP_ID", demoShop))
	if run.shopID == "" {
		run.fail("configuration: no shop id (--shop-id or OCARD_SHOP_ID)")
		if srv != nil {
			_ = srv.Close()
		}
		return nil, nil, exitUsage
	}
	return run, srv, exitFound
}

// parseInterspersed parses flags wherever they appear among the numbers, so that
// `lookup 0912345678 --json` works as people type it. Everything after "--" is a number.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
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
		fmt.Fprintf(r.stdout, "%s: error: %s\n", display, msg)
	}
	fmt.Fprintf(r.stderr, "ocard-desk lookup: %s: %s\n", display, msg)
	return exitStatus(err)
}

// fail prints a problem that concerns the whole command rather than one number.
func (r *lookupRun) fail(msg string) {
	fmt.Fprintln(r.stderr, "ocard-desk lookup: "+redact(msg, r.cfg.ClientSecret))
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
	row := func(label, value string) { fmt.Fprintf(w, "  %-12s %s\n", label+":", value) }
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
		fmt.Fprintf(w, "  %-12s %s  %d points\n", label, expiryDate(e), e.Points)
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
