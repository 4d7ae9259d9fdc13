package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// Parsing shared by the commands configured like lookup (lookup, rewards, redeem):
// flags, environment, provisioning file, saved settings and secret, as the window
// resolves them.

// commandSpec is what differs between the commands configured like lookup.
type commandSpec struct {
	name, usage string
	jsonHelp    string
	// flags adds the command's own flags and returns what they add to the flag
	// layer of the settings (nil when nothing).
	flags func(fs *flag.FlagSet) func(l *settings.Layer, given map[string]bool)
}

var lookupSpec = commandSpec{name: "lookup", usage: lookupUsage, jsonHelp: "print one JSON object per number, one per line"}

// parseLookup reads flags, environment, provisioning file, saved settings and
// numbers. It returns a nil run and the exit status when the command should stop
// before any request. It starts the in-process demo server for --demo, which the
// caller must close.
func parseLookup(args []string, stdout, stderr io.Writer, env deskEnv, prefs settings.KV) (*lookupRun, *demo.Server, int) {
	return parseCommand(lookupSpec, args, stdout, stderr, env, prefs)
}

// parseCommand is parseLookup for any command described by spec.
func parseCommand(spec commandSpec, args []string, stdout, stderr io.Writer, env deskEnv, prefs settings.KV) (*lookupRun, *demo.Server, int) {
	fs := flag.NewFlagSet(spec.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, spec.usage)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, spec.jsonHelp)
	useDemo := fs.Bool("demo", false, "use the built-in demo server")
	f := addConnectionFlags(fs)
	var extra func(l *settings.Layer, given map[string]bool)
	if spec.flags != nil {
		extra = spec.flags(fs)
	}

	rawNumbers, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, nil, exitFound
	}
	if err != nil {
		return nil, nil, exitUsage // the flag package has printed the problem and usage
	}
	run := &lookupRun{name: spec.name, asJSON: *asJSON, raw: rawNumbers, stdout: stdout, stderr: stderr}
	if len(rawNumbers) == 0 {
		run.fail("no mobile number given (usage: ocard-desk " + spec.name + " [flags] MOBILE...)")
		return nil, nil, exitUsage
	}
	if *f.timeout <= 0 {
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

	given := givenFlags(fs)
	var srv *demo.Server
	if *useDemo {
		if srv, err = demo.Start(demo.Options{}); err != nil {
			run.fail(fmt.Sprintf("cannot start the demo server: %v", err))
			return nil, nil, exitFailure
		}
		run.cfg, run.shopID = demoLookupConfig(srv, f, given)
		run.settings = settings.Defaults()
		run.settings.RedeemEnabled = true // the demo's accounts are invented: nothing real is charged
		if extra != nil {
			l := settings.Layer{Present: map[settings.Field]bool{}}
			extra(&l, given)
			run.settings.RedeemTicketID = l.Settings.RedeemTicketID
		}
		if run.shopID == "" {
			run.fail("configuration: no shop id (--shop-id)")
			_ = srv.Close()
			return nil, nil, exitUsage
		}
	} else if !run.resolve(f, given, env, prefs, extra) {
		return nil, nil, exitUsage
	}
	run.cfg.UserAgent = service.UserAgent() + " (" + spec.name + ")"
	// The command's output is its stdout and one line per error; the client's
	// debug lines would only clutter a script's stderr.
	run.cfg.Logger = slog.New(slog.DiscardHandler)
	if given["timeout"] {
		run.cfg.Timeout = *f.timeout // exact, not rounded to the settings' whole seconds
	}
	return run, srv, exitFound
}

// resolve fills r.cfg and r.shopID as the window would: flags, environment,
// provisioning file, saved settings and secret. A configuration that cannot connect
// is reported naming the file and field, and resolve returns false.
func (r *lookupRun) resolve(f *connectionFlags, given map[string]bool, env deskEnv, prefs settings.KV,
	extra func(l *settings.Layer, given map[string]bool)) bool {
	secrets := env.openSecrets()
	layer := f.layer(given)
	if extra != nil {
		extra(&layer, given)
	}
	res := settings.Load(settings.Inputs{Flags: layer, ConfigPath: *f.config, Getenv: env.getenv,
		ExeDir: env.exeDir, Prefs: prefs, Secrets: secrets})
	r.cfg.ClientSecret = res.Secret // for redaction, from here on
	for _, w := range res.Warnings {
		fmt.Fprintln(r.stderr, "ocard-desk "+r.name+": warning: "+redact(w.String(), res.Secret))
	}
	if err := res.SetupError(); err != nil {
		r.fail(err.Error())
		return false
	}
	r.cfg = res.Settings.ServiceConfig(res.Secret)
	// The window's stored token saves this run a token request; a token this run
	// fetches is not stored, so a test from a terminal leaves the desk as it was.
	r.cfg.TokenCache = settings.ReadOnlyTokenCache(settings.TokenCacheFor(secrets, r.cfg))
	r.shopID = res.Settings.CurrentShop
	r.settings = res.Settings
	for _, p := range res.Settings.Validate(res.Secret) {
		if p.Field == settings.FieldRedeemTicketID { // not a connection problem, but a wrong id would be sent
			r.fail(fmt.Sprintf("configuration: %s (%s)", p, res.Sources[p.Field]))
			return false
		}
	}
	return true
}

// demoLookupConfig points the command at the demo server; flags given explicitly
// win, while the tenant's settings in the environment, file and preferences are not
// the demo's and are ignored.
func demoLookupConfig(srv *demo.Server, f *connectionFlags, given map[string]bool) (service.Config, string) {
	cfg := srv.Config()
	pick := func(name string, flagValue *string, demoValue string) string {
		if given[name] {
			return *flagValue
		}
		return demoValue
	}
	cfg.BaseURL = pick("base-url", f.baseURL, cfg.BaseURL)
	cfg.TokenURL = pick("token-url", f.tokenURL, cfg.TokenURL)
	cfg.ClientID = pick("client-id", f.clientID, cfg.ClientID)
	cfg.ClientSecret = pick("client-secret", f.clientSecret, cfg.ClientSecret)
	cfg.Scopes = strings.Fields(*f.scope)
	cfg.Timeout = *f.timeout
	return cfg, strings.TrimSpace(pick("shop-id", f.shopID, demo.ShopID))
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

// recoverInternal, deferred by a command, turns a panic into a line on stderr (the
// secret redacted, once known) and exit status 5: a command never dies with a trace.
func recoverInternal(name string, stderr io.Writer, secret *string, code *int) {
	if r := recover(); r != nil {
		fmt.Fprintln(stderr, redact("ocard-desk "+name+": internal error: "+fmt.Sprint(r), *secret))
		*code = exitFailure
	}
}
