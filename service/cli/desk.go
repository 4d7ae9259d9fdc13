package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
)

// Desk is what the window is started with: a client (or the reason there is none),
// the shop, and presentation settings. main.go hands its fields to gui.Build.
type Desk struct {
	Client  *service.Client // nil when SetupProblem is set
	Avatars *service.AvatarFetcher
	ShopID  string
	// ShopName is shown in the header; empty means show ShopID.
	ShopName    string
	Demo        bool
	DemoNumbers []demo.Number
	IdleClear   time.Duration
	Language    string // "en", "zh-TW" or "" for the system's
	// SetupProblem is a configuration error the window shows instead of the welcome panel.
	SetupProblem error
	// Summary describes the connection without secrets, for the window's settings panel.
	Summary string
	Logger  *slog.Logger

	demoServer *demo.Server
}

// Close stops the in-process demo server, if any.
func (d *Desk) Close() {
	if d.demoServer != nil {
		_ = d.demoServer.Close()
	}
}

// ParseDesk reads the window's command line and environment. It returns nil and an exit
// status when the process should end now (--help, --version, a usage error).
// A missing or unsafe connection configuration is not fatal: the window opens and
// explains it, because a cashier cannot read a terminal.
func ParseDesk(ctx context.Context, args []string, stdout, stderr io.Writer) (*Desk, int) {
	fs := flag.NewFlagSet("ocard-desk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	useDemo := fs.Bool("demo", false, "run on the built-in demo server (sample data)")
	baseURL := fs.String("base-url", os.Getenv("OCARD_BASE_URL"), "member API base URL (env OCARD_BASE_URL)")
	tokenURL := fs.String("token-url", os.Getenv("OCARD_TOKEN_URL"), "OAuth2 token URL (env OCARD_TOKEN_URL)")
	clientID := fs.String("client-id", os.Getenv("OCARD_CLIENT_ID"), "OAuth2 client ID (env OCARD_CLIENT_ID)")
	clientSecret := fs.String("client-secret", "", "OAuth2 client secret; prefer env OCARD_CLIENT_SECRET, which no process list shows")
	shopID := fs.String("shop-id", os.Getenv("OCARD_SHOP_ID"), "shop id, leading zeros kept (env OCARD_SHOP_ID)")
	shopName := fs.String("shop-name", os.Getenv("OCARD_SHOP_NAME"), "shop name shown in the header (env OCARD_SHOP_NAME)")
	scope := fs.String("scope", "api", "OAuth2 scope")
	timeout := fs.Duration("timeout", service.DefaultTimeout, "per-request timeout")
	idle := fs.Duration("idle-clear", 60*time.Second, "clear the member off the screen after this long without activity (0: never)")
	language := fs.String("lang", os.Getenv("OCARD_LANG"), "language: zh-TW or en (default: the system's)")
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
	secret := *clientSecret
	if secret == "" {
		secret = os.Getenv("OCARD_CLIENT_SECRET")
	}

	d := &Desk{ShopID: strings.TrimSpace(*shopID), ShopName: *shopName, Language: *language, Demo: *useDemo}
	d.Logger = newLogger(stderr, *logJSON, *logDebug)
	switch {
	case *idle <= 0:
		d.IdleClear = -1
	default:
		d.IdleClear = *idle
	}
	cfg := service.Config{
		BaseURL: *baseURL, TokenURL: *tokenURL, ClientID: *clientID, ClientSecret: secret,
		Scopes: []string{*scope}, Timeout: *timeout, Logger: d.Logger,
	}
	if d.Demo {
		srv, err := demo.Start(demo.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "ocard-desk: cannot start the demo server: %v\n", err)
			return nil, 1
		}
		d.demoServer = srv
		demoCfg := srv.Config()
		cfg.BaseURL, cfg.TokenURL, cfg.ClientID, cfg.ClientSecret = demoCfg.BaseURL, demoCfg.TokenURL, demoCfg.ClientID, demoCfg.ClientSecret
		if d.ShopID == "" {
			d.ShopID = demo.ShopID
		}
		d.DemoNumbers = demo.Numbers()
	}
	d.Summary = summary(cfg, d.ShopID)
	client, err := service.NewClient(cfg)
	switch {
	case err != nil:
		d.SetupProblem = err
	case d.ShopID == "":
		d.SetupProblem = &service.Error{Kind: service.KindConfig, Op: "config", Field: "shop_id", Detail: "no shop id"}
	default:
		d.Client = client
	}
	if d.SetupProblem != nil {
		d.Logger.Warn("not configured", "err", d.SetupProblem.Error())
	}
	d.Avatars = service.NewAvatarFetcher(service.AvatarOptions{})
	d.Logger.Info("starting", "version", service.Version, "demo", d.Demo, "shop_id", d.ShopID)
	_ = ctx
	return d, 0
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
