package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// Desk is what the window is started with: a client (or the reason there is none),
// the shop, presentation settings, and what the settings screen needs to save and
// reconnect. main.go hands its fields to gui.Build.
type Desk struct {
	Client  *service.Client // nil when SetupProblem is set
	Avatars *service.AvatarFetcher
	ShopID  string
	// ShopName is shown in the header; empty means show ShopID.
	ShopName    string
	Demo        bool
	DemoNumbers []demo.Number
	IdleClear   time.Duration // negative: never
	Language    string        // "en", "zh-TW" or "" for the system's
	// SetupProblem is why there is no Client: a broken provisioning file or a missing
	// or unsafe setting (an *service.Error of KindConfig naming the field).
	SetupProblem error
	// Summary describes the connection without secrets, for the window's settings panel.
	Summary string
	Logger  *slog.Logger

	// Resolved is the configuration and where each value came from, for the settings
	// screen (read-only fields, "managed by head office") and the shop picker.
	Resolved settings.Resolved
	// Secrets holds the client secret and the access token between runs.
	Secrets settings.SecretStore
	// Prefs holds the saved settings (the window's Fyne preferences).
	Prefs settings.KV
	// Connect builds a client for s and the secret, with Secrets as its token cache
	// (see settings.TokenCacheFor) and the Desk's Logger, so that the window can
	// reconnect after the user saves settings. It sends nothing.
	Connect func(s settings.Settings, secret string) (*service.Client, error)

	mu         sync.Mutex // guards demoServer: StartDemo may run off the UI goroutine
	demoServer *demo.Server
}

// Close stops the in-process demo server, if any.
func (d *Desk) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.demoServer != nil {
		_ = d.demoServer.Close()
		d.demoServer = nil
	}
}

// deskEnv is what ParseDesk takes from the process, so tests can supply their own.
type deskEnv struct {
	getenv      func(string) string
	exeDir      string
	openSecrets func() settings.SecretStore
}

func processEnv() deskEnv {
	return deskEnv{
		getenv: os.Getenv,
		exeDir: executableDir(),
		openSecrets: func() settings.SecretStore {
			return settings.OpenSecretStore(settings.KeyringService, settings.DefaultSecretDir())
		},
	}
}

// executableDir is where a provisioning file shipped with the app lies. Symlinks are
// resolved: /usr/bin/ocard-desk may point into the directory IT installed to.
func executableDir() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return filepath.Dir(exe)
}

// ParseDesk reads the window's command line, the environment, the provisioning file
// and the saved settings in prefs (flags win, then the environment, the file, the
// saved settings). It returns nil and an exit status when the process should end now
// (--help, --version, a usage error).
//
// A missing, unsafe or broken configuration is not fatal: the window opens and
// explains it, because a cashier cannot read a terminal. Nothing here sends a
// request: a stored token is used at the first lookup, and only fetched when missing.
func ParseDesk(ctx context.Context, args []string, prefs settings.KV, stdout, stderr io.Writer) (*Desk, int) {
	return parseDesk(ctx, args, prefs, stdout, stderr, processEnv())
}

func parseDesk(_ context.Context, args []string, prefs settings.KV, stdout, stderr io.Writer, env deskEnv) (*Desk, int) {
	fs := flag.NewFlagSet("ocard-desk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	useDemo := fs.Bool("demo", false, "run on the built-in demo server (sample data)")
	f := addConnectionFlags(fs)
	shopName := fs.String("shop-name", "", "shop name shown in the header (env OCARD_SHOP_NAME)")
	idle := fs.Duration("idle-clear", settings.DefaultIdleClearSeconds*time.Second,
		"clear the member off the screen after this long without activity (0: never)")
	language := fs.String("lang", "", "language: zh-TW or en (default: the system's; env OCARD_LANG)")
	logJSON := fs.Bool("log-json", false, "write logs to stderr as JSON lines")
	logDebug := fs.Bool("debug", false, "log at debug level")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, 0
		}
		return nil, 2
	}
	if *version {
		fmt.Fprintf(stdout, "ocard-desk %s (commit %s, built %s)\n", service.Version, service.Commit, service.BuildDate)
		return nil, 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ocard-desk: unexpected argument %q (did you mean 'ocard-desk lookup'?)\n", fs.Arg(0))
		return nil, 2
	}
	given := givenFlags(fs)
	flags := f.layer(given)
	if given["shop-name"] {
		hint := settings.Shop{ID: flags.Settings.CurrentShop, Name: *shopName}
		flags.Settings.Shops = []settings.Shop{hint}
	}
	if given["idle-clear"] {
		flags.Present[settings.FieldIdleClear] = true
		flags.Settings.IdleClearSeconds = ceilSeconds(*idle)
	}
	if given["lang"] {
		flags.Present[settings.FieldLanguage] = true
		flags.Settings.Language = *language
	}

	d := &Desk{Demo: *useDemo, Prefs: prefs, Logger: newLogger(stderr, *logJSON, *logDebug)}
	d.Secrets = env.openSecrets()
	d.Connect = d.connect
	d.Resolved = settings.Load(settings.Inputs{Flags: flags, ConfigPath: *f.config, Getenv: env.getenv,
		ExeDir: env.exeDir, Prefs: prefs, Secrets: d.Secrets})
	r := d.Resolved
	for _, w := range r.Warnings {
		d.Logger.Warn("configuration", "warning", w.String())
	}
	if why := settings.FallbackReason(d.Secrets); why != "" {
		d.Logger.Warn("no credential store: the client secret and token are kept in a file only this user can read",
			"file", d.Secrets.Location(), "reason", why)
	}

	d.Language = r.Settings.Language
	d.IdleClear = time.Duration(r.Settings.IdleClearSeconds) * time.Second
	if given["idle-clear"] {
		d.IdleClear = *idle // the flag's exact duration, not rounded to seconds
	}
	if d.IdleClear <= 0 {
		d.IdleClear = -1
	}
	d.ShopID = r.Settings.CurrentShop
	if sh, ok := r.Settings.Shop(d.ShopID); ok {
		d.ShopName = sh.Name
	}
	d.Avatars = service.NewAvatarFetcher(service.AvatarOptions{})

	if d.Demo {
		client, shop, numbers, err := d.StartDemo()
		if err != nil {
			fmt.Fprintf(stderr, "ocard-desk: cannot start the demo server: %v\n", err)
			return nil, 1
		}
		d.Client, d.DemoNumbers, d.ShopName = client, numbers, ""
		d.ShopID = shop
		if given["shop-id"] {
			d.ShopID = flags.Settings.CurrentShop
		}
		d.Summary = "Demo server (sample data)\n" + summary(demoConfig(d), d.ShopID)
	} else {
		d.Summary = summary(r.Settings.ServiceConfig(r.Secret), d.ShopID)
		if d.SetupProblem = r.SetupError(); d.SetupProblem == nil {
			d.Client, d.SetupProblem = d.connect(r.Settings, r.Secret)
		}
	}
	if r.ProvisionPath != "" {
		d.Summary += "\nProvisioning file: " + r.ProvisionPath
	}
	d.Summary += "\nSecret stored in: " + d.Secrets.Location()
	if d.SetupProblem != nil {
		d.Logger.Warn("not configured", "err", d.SetupProblem.Error())
	}
	d.Logger.Info("starting", "version", service.Version, "demo", d.Demo, "shop_id", d.ShopID,
		"provisioning_file", r.ProvisionPath, "secret_store", d.Secrets.Kind())
	return d, 0
}

// connect is Desk.Connect.
func (d *Desk) connect(s settings.Settings, secret string) (*service.Client, error) {
	if err := s.ConnectionError(secret); err != nil {
		return nil, err
	}
	cfg := s.ServiceConfig(secret)
	cfg.Logger = d.Logger
	if d.Secrets != nil {
		cfg.TokenCache = settings.TokenCacheFor(d.Secrets, cfg)
	}
	return service.NewClient(cfg)
}

// TestConnection fetches a fresh token with s and the secret, for the settings
// screen's "Test connection", and returns nil or the precise failure (an
// *service.Error). It neither saves anything nor replaces the stored token: the
// settings under test may never be saved.
func (d *Desk) TestConnection(ctx context.Context, s settings.Settings, secret string) error {
	if err := s.ConnectionError(secret); err != nil {
		return err
	}
	cfg := s.ServiceConfig(secret)
	cfg.Logger = d.Logger
	client, err := service.NewClient(cfg)
	if err != nil {
		return err
	}
	return client.CheckConnection(ctx)
}

// SaveSettings validates s and the secret and saves them (see settings.Save): the
// settings in Prefs, the secret in Secrets. On any problem nothing is saved.
func (d *Desk) SaveSettings(s settings.Settings, secret string) []settings.Problem {
	return settings.Save(d.Prefs, s, secret, d.Secrets)
}

// StartDemo starts the built-in demo server (once; later calls reuse it) and returns
// a client for it, its shop and its numbers. The demo's token is never stored: the
// demo must not touch the secret store.
func (d *Desk) StartDemo() (client *service.Client, shopID string, numbers []demo.Number, err error) {
	d.mu.Lock()
	if d.demoServer == nil {
		srv, err := demo.Start(demo.Options{})
		if err != nil {
			d.mu.Unlock()
			return nil, "", nil, err
		}
		d.demoServer = srv
	}
	cfg := d.demoServer.Config()
	d.mu.Unlock()
	cfg.Logger = d.Logger
	if client, err = service.NewClient(cfg); err != nil {
		return nil, "", nil, err
	}
	return client, demo.ShopID, demo.Numbers(), nil
}

func demoConfig(d *Desk) service.Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.demoServer == nil {
		return service.Config{}
	}
	return d.demoServer.Config()
}

// summary describes the connection for the settings panel. It never includes the secret.
func summary(cfg service.Config, shopID string) string {
	secret := "(not set)"
	if cfg.ClientSecret != "" {
		secret = "••••••••"
	}
	return fmt.Sprintf("API: %s\nToken: %s\nClient ID: %s\nClient secret: %s\nShop: %s",
		orNotSet(cfg.BaseURL), orNotSet(cfg.TokenURL), orNotSet(cfg.ClientID), secret, orNotSet(shopID))
}

func orNotSet(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(not set)"
	}
	return s
}

// ceilSeconds turns a flag's duration into whole seconds for Settings, rounding up
// so that 300ms is 1 s rather than 0 (which would mean "default" or "never").
func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(min(d.Seconds(), math.MaxInt32)))
}

// newLogger writes to w; JSON lines are what the end-to-end test and log collectors read.
func newLogger(w io.Writer, asJSON, debug bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if debug {
		opts.Level = slog.LevelDebug
	}
	if asJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
