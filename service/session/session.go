// Package session turns a desk's configuration into a working connection: it resolves
// the command line's settings, the environment, head office's provisioning file and the
// saved settings into a connected client (or the reason there is none), starts the
// built-in demo server, and saves, tests and reconnects settings. The window (gui) and
// the command line (service/cli) both start from it; nothing here imports Fyne, and
// nothing here parses flags.
package session

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/instance"
	"github.com/ocard-desk/ocard-desk/service/journal"
	"github.com/ocard-desk/ocard-desk/service/logfile"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// Inputs is what a process hands Open: what the command line set and where the rest
// of the configuration lives.
type Inputs struct {
	// Flags is what the command line set; its Present fields win over everything else.
	Flags settings.Layer
	// ConfigPath is the provisioning file named on the command line ("" to look for one
	// in the environment and beside the program).
	ConfigPath string
	// Demo runs the desk on the built-in demo server; DemoShop, when set, is the shop
	// the demo is asked about instead of the demo's own.
	Demo     bool
	DemoShop string
	// IdleClear, when non-zero, is the exact idle auto-clear the command line asked for
	// (Settings keep whole seconds).
	IdleClear time.Duration
	// FullScreen opens the window full screen, for kiosk desks.
	FullScreen bool

	Getenv func(string) string // os.Getenv when nil
	ExeDir string              // where a provisioning file shipped with the program lies
	Prefs  settings.KV         // the saved settings
	// Secrets keeps the client secret and the access token between runs; nil opens the
	// user's keyring, or a file only this user can read.
	Secrets settings.SecretStore
	Logger  *slog.Logger // slog.Default() when nil
	// Window, when set, is this process's claim to be the user's one desk window; the
	// session closes it last.
	Window *instance.Listener
	// JournalBeside opens the redemption journal on its own goroutine, beside whatever
	// the caller does next (the window's creation): a year of history, or the first
	// start's move of it into archives, then costs the start nothing. JournalReady
	// says when it is open; every method that needs the journal waits for it.
	JournalBeside bool
	// LogFile is the window's log file, Run its run's marker and Unclean how the run
	// before it ended (nil: cleanly); Close ends the run and closes the file last.
	LogFile *logfile.File
	Run     *logfile.Run
	Unclean *logfile.Unclean
}

// Session is a desk's connection and everything the window needs to show and change it.
// Its fields are set by Open; the methods may be called from any goroutine.
type Session struct {
	Client  *service.Client // nil when SetupProblem is set
	Avatars *service.AvatarFetcher
	ShopID  string
	// ShopName is shown in the header; empty means show ShopID.
	ShopName    string
	Demo        bool
	DemoNumbers []demo.Number
	IdleClear   time.Duration // negative: never
	Language    string        // "en", "zh-TW" or "" for the system's
	FullScreen  bool          // the window fills the screen (kiosk desks)
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
	// Prefs holds the saved settings.
	Prefs settings.KV
	// SettingsWarnings say what the window should tell the cashier at start: the saved
	// settings were damaged and restored from their backup, or could not be read at all
	// (the desk then starts with the defaults), or could not be written back
	// (settings.WarningSettingsRestored, …). They are in Resolved.Warnings too, for the
	// Settings screen.
	SettingsWarnings []settings.Warning

	// Journal records every redemption before it is sent (nil: this desk does not
	// redeem); PendingAtStart are the unresolved redemptions found at start (last
	// state pending or unknown, any day: journal.Journal.Unresolved), oldest first. RedeemProblem says why redeeming is off when it
	// was asked for but the journal could not be opened.
	Journal        *journal.Journal
	PendingAtStart []journal.Entry
	RedeemProblem  error
	// demoJournal is the demo's own journal (--demo, or a demo started from the
	// window), in demoJournalDir, kept after exit; demoUnresolved its unresolved
	// orders when it was opened.
	demoJournal    *journal.Journal
	demoJournalDir string
	demoUnresolved []journal.Entry
	getenv         func(string) string // for a journal opened after Settings turned redeeming on
	// journalReady is closed once the journal has been opened (or found unopenable);
	// nil when Open opened it itself.
	journalReady chan struct{}

	// LogFile, Run and Unclean are Inputs' (support.go: About, diagnostics).
	LogFile *logfile.File
	Run     *logfile.Run
	Unclean *logfile.Unclean

	mu         sync.Mutex // guards demoServer and window: StartDemo may run off the UI goroutine
	demoServer *demo.Server
	window     *instance.Listener
}

// ExecutableDir is where a provisioning file shipped with the app lies. Symlinks are
// resolved: /usr/bin/ocard-desk may point into the directory IT installed to.
func ExecutableDir() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return filepath.Dir(exe)
}

// OpenUserSecrets opens the user's secret store: the keyring, or a file only this user
// can read where there is none.
func OpenUserSecrets() settings.SecretStore {
	return settings.OpenSecretStore(settings.KeyringService, settings.DefaultSecretDir())
}

// Open resolves in (flags win, then the environment, the provisioning file, the saved
// settings) into a session. The only error is a demo server that cannot start.
//
// A missing, unsafe or broken configuration is not an error: the session carries it
// as SetupProblem, and the window explains it, because a cashier cannot read a
// terminal. Nothing here sends a request: a stored token is used at the first lookup,
// and only fetched when missing.
func Open(in Inputs) (*Session, error) {
	if in.Getenv == nil {
		in.Getenv = os.Getenv
	}
	if in.Secrets == nil {
		in.Secrets = OpenUserSecrets()
	}
	if in.Logger == nil {
		in.Logger = slog.Default()
	}
	s := &Session{Demo: in.Demo, FullScreen: in.FullScreen, Prefs: in.Prefs, Secrets: in.Secrets, Logger: in.Logger,
		window: in.Window, LogFile: in.LogFile, Run: in.Run, Unclean: in.Unclean}
	s.Resolved = settings.Load(settings.Inputs{Flags: in.Flags, ConfigPath: in.ConfigPath, Getenv: in.Getenv,
		ExeDir: in.ExeDir, Prefs: in.Prefs, Secrets: s.Secrets})
	r := s.Resolved
	for _, w := range r.Warnings {
		s.Logger.Warn("configuration", "warning", w.String())
	}
	if df, ok := in.Prefs.(*settings.DeskFile); ok {
		s.SettingsWarnings = df.Warnings()
		if df.Origin() == settings.FromFyne { // the window also wrote them to df.Path(); a command did not
			s.Logger.Info("saved settings taken from Fyne's preferences, their older place", "settings_file", df.Path())
		}
	}
	if why := settings.FallbackReason(s.Secrets); why != "" {
		s.Logger.Warn("no credential store: the client secret and token are kept in a file only this user can read",
			"file", s.Secrets.Location(), "reason", why)
	}

	s.Language = r.Settings.Language
	s.IdleClear = time.Duration(r.Settings.IdleClearSeconds) * time.Second
	if in.IdleClear != 0 {
		s.IdleClear = in.IdleClear // the flag's exact duration, not rounded to seconds
	}
	if s.IdleClear <= 0 {
		s.IdleClear = -1
	}
	s.ShopID = r.Settings.CurrentShop
	if sh, ok := r.Settings.Shop(s.ShopID); ok {
		s.ShopName = sh.Name
	}
	s.Avatars = service.NewAvatarFetcher(service.AvatarOptions{})

	if s.Demo {
		d, err := s.StartDemo()
		if err != nil {
			return nil, fmt.Errorf("cannot start the demo server: %w", err)
		}
		s.Client, s.DemoNumbers, s.ShopName, s.ShopID = d.Client, d.Numbers, "", d.ShopID
		if in.DemoShop != "" {
			s.ShopID = in.DemoShop
		}
		s.Summary = "Demo server (sample data)\n" + summary(s.demoConfig(), s.ShopID)
	} else {
		s.Summary = summary(r.Settings.ServiceConfig(r.Secret), s.ShopID)
		if s.SetupProblem = r.SetupError(); s.SetupProblem == nil {
			s.Client, s.SetupProblem = s.Connect(r.Settings, r.Secret)
		}
	}
	s.getenv = in.Getenv
	if in.JournalBeside {
		s.journalReady = make(chan struct{})
		// Not under s.mu: every reader waits for journalReady first (waitJournal), and
		// its close is what orders these writes before their reads.
		s.Go(func() {
			defer close(s.journalReady)
			s.openJournal(in.Getenv)
		})
	} else {
		s.openJournal(in.Getenv)
	}
	if r.ProvisionPath != "" {
		s.Summary += "\nProvisioning file: " + r.ProvisionPath
	}
	s.Summary += "\nSecret stored in: " + s.Secrets.Location()
	if s.SetupProblem != nil {
		s.Logger.Warn("not configured", "err", s.SetupProblem.Error())
	}
	s.Logger.Info("starting", "version", service.Version, "demo", s.Demo, "shop_id", s.ShopID,
		"provisioning_file", r.ProvisionPath, "secret_store", s.Secrets.Kind())
	return s, nil
}

// Welcome reports whether the desk has never been set up: the window then greets the
// cashier with the demo and the settings instead of an error.
func (s *Session) Welcome() bool { return !s.Demo && s.Resolved.Unconfigured() }

// JournalReady is closed once the redemption journal is open, or known not to open
// (RedeemProblem): at once unless Inputs.JournalBeside. Journal, PendingAtStart and
// RedeemProblem may be read after it.
func (s *Session) JournalReady() <-chan struct{} {
	if s.journalReady == nil {
		return closedChannel
	}
	return s.journalReady
}

var closedChannel = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// waitJournal waits until the journal opened beside the start is open. Every method
// that reads the journal's fields calls it first, before taking s.mu.
func (s *Session) waitJournal() { <-s.JournalReady() }

// Close closes the redemption journal and stops the in-process demo server, if any.
func (s *Session) Close() {
	s.closeJournal()
	s.mu.Lock()
	if s.demoServer != nil {
		_ = s.demoServer.Close()
		s.demoServer = nil
	}
	s.mu.Unlock()
	s.ReleaseWindow()
	s.endRun()
}

// ReleaseWindow gives up this process's claim on the desk's window: the window is
// going, and a copy started from now on must open its own rather than ask this one.
// The window calls it as it starts to quit; Close calls it too.
func (s *Session) ReleaseWindow() {
	s.mu.Lock()
	w := s.window
	s.window = nil
	s.mu.Unlock()
	if w != nil {
		_ = w.Close()
	}
}

// OnRaise sets what another copy of the app, started on this desk, does to this one:
// raise brings the window to the front and reports whether it did. Without a claim
// on the desk's window (see Inputs.Window) it does nothing.
func (s *Session) OnRaise(raise func() bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.window != nil {
		s.window.OnRaise(raise)
	}
}

// Connect builds a client for settings c and the secret, with the session's secret
// store as its token cache (see settings.TokenCacheFor) and its logger, so that the
// window can reconnect after the user saves settings. It sends nothing.
func (s *Session) Connect(c settings.Settings, secret string) (*service.Client, error) {
	if err := c.ConnectionError(secret); err != nil {
		return nil, err
	}
	cfg := c.ServiceConfig(secret)
	cfg.Logger = s.Logger
	if s.Secrets != nil {
		cfg.TokenCache = settings.TokenCacheFor(s.Secrets, cfg)
	}
	return service.NewClient(cfg)
}

// Save validates c and the secret and saves them (see settings.SaveAsDesk): the
// settings and, as this desk's choice, its shop in Prefs (one write), the secret in
// Secrets. On any problem nothing is saved; a settings file that cannot be written is
// a problem with settings.CodeSettingsFile, and is logged.
func (s *Session) Save(c settings.Settings, secret string) []settings.Problem {
	problems := settings.SaveAsDesk(s.Prefs, c, secret, s.Secrets)
	for _, p := range problems {
		if p.Code == settings.CodeSettingsFile || p.Code == settings.CodeStore {
			s.Logger.Warn("settings not saved", "problem", p.Detail)
		}
	}
	return problems
}

// SaveShop keeps id as this desk's shop (the header's picker): the next start serves
// it, whatever a provisioning file's default_shop says. A failed write is logged and
// returned: the desk serves the shop for this run, but the next start will not.
func (s *Session) SaveShop(id string) error {
	err := settings.SaveDeskShop(s.Prefs, id)
	if err != nil {
		s.Logger.Warn("this desk's shop not saved", "shop_id", id, "err", err)
	}
	return err
}

// Demo is a connection to the built-in demo server.
type Demo struct {
	Client  *service.Client
	ShopID  string
	Numbers []demo.Number
}

// StartDemo starts the built-in demo server (once; later calls reuse it) and returns
// a client for it, its shop and its numbers. The demo's token is never stored: the
// demo must not touch the secret store.
func (s *Session) StartDemo() (Demo, error) {
	s.mu.Lock()
	if s.demoServer == nil {
		srv, err := demo.Start(demo.Options{})
		if err != nil {
			s.mu.Unlock()
			return Demo{}, err
		}
		s.demoServer = srv
	}
	cfg := s.demoServer.Config()
	s.mu.Unlock()
	cfg.Logger = s.Logger
	client, err := service.NewClient(cfg)
	if err != nil {
		return Demo{}, err
	}
	return Demo{Client: client, ShopID: demo.ShopID, Numbers: demo.Numbers()}, nil
}

func (s *Session) demoConfig() service.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.demoServer == nil {
		return service.Config{}
	}
	return s.demoServer.Config()
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
