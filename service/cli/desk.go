package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/instance"
	"github.com/ocard-desk/ocard-desk/service/logfile"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// deskEnv is what ParseDesk takes from the process, so tests can supply their own.
type deskEnv struct {
	getenv      func(string) string
	exeDir      string
	openSecrets func() settings.SecretStore
	// claimWindow makes this process the user's one desk window (nil: not kept).
	claimWindow func() (*instance.Listener, error)
	// window marks the window's own start (ParseDesk): only it writes a log file and
	// marks its run; check and the tests do not. logDir is the user's log folder.
	window bool
	logDir string
}

func processEnv() deskEnv {
	return deskEnv{getenv: os.Getenv, exeDir: session.ExecutableDir(), openSecrets: session.OpenUserSecrets,
		claimWindow: claimUserWindow}
}

// claimUserWindow claims the desk's window for this user (instance.Claim in the
// user's config folder, beside the journal and the secret file).
func claimUserWindow() (*instance.Listener, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, err
	}
	return instance.Claim(filepath.Join(dir, "ocard-desk"))
}

// readDeskSettings reads the window's settings file as the window does (the file, its
// backup, or Fyne's older preferences) without writing anything: a command run from a
// terminal must not change, or race, the window's file.
func readDeskSettings() settings.KV {
	return settings.ReadDeskFile(settings.DefaultDeskFile(), settings.FynePreferencesFile(settings.AppID))
}

// ParseDesk reads the window's command line and opens its session (see session.Open:
// flags win, then the environment, the provisioning file, the saved settings in prefs).
// It returns nil and an exit status when the process should end now (--help,
// --version, a usage error, a demo server that cannot start).
func ParseDesk(ctx context.Context, args []string, prefs settings.KV, stdout, stderr io.Writer) (*session.Session, int) {
	env := processEnv()
	env.window, env.logDir = true, logfile.DefaultDir()
	return parseDesk(ctx, args, prefs, stdout, stderr, env)
}

func parseDesk(_ context.Context, args []string, prefs settings.KV, stdout, stderr io.Writer, env deskEnv) (*session.Session, int) {
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
	logFile := fs.String("log-file", "", "the window's log file, JSON lines (env OCARD_LOG_FILE; default: "+
		logfile.FileName+" in the user's log folder; - for none)")
	fullScreen := fs.Bool("fullscreen", false, "open the window full screen (kiosk desks)")
	redeemEnabled := fs.Bool("redeem-enabled", false, "let this desk redeem points and coupons (env OCARD_REDEEM_ENABLED)")
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
	logger := newLogger(stderr, *logJSON, *logDebug)
	// Before the keyring is opened: a second copy only hands over to the first.
	window, code, done := claimWindow(env, logger, stderr)
	if done {
		return nil, code
	}
	given := givenFlags(fs)
	var wlog windowLog
	if env.window { // after the claim: a copy that only hands over leaves no trace
		logger, wlog = openWindowLog(logFilePath(*logFile, given["log-file"], env), levelOf(*logDebug), logger, env)
	} else if env.logDir != "" { // diagnose reads the window's log
		wlog.file = logfile.At(logFilePath(*logFile, given["log-file"], env))
	}
	in := session.Inputs{Flags: f.layer(given), ConfigPath: *f.config, Demo: *useDemo, FullScreen: *fullScreen,
		Getenv: env.getenv, ExeDir: env.exeDir, Prefs: prefs, Secrets: env.openSecrets(),
		Logger: logger, Window: window, LogFile: wlog.file, Run: wlog.run, Unclean: wlog.unclean,
		JournalBeside: env.window} // the window opens it beside its own creation (issue 24)
	if given["shop-name"] {
		in.Flags.Settings.Shops = []settings.Shop{{ID: in.Flags.Settings.CurrentShop, Name: *shopName}}
	}
	if given["idle-clear"] {
		in.Flags.Present[settings.FieldIdleClear] = true
		in.Flags.Settings.IdleClearSeconds = ceilSeconds(*idle)
		in.IdleClear = *idle
		if *idle <= 0 {
			in.IdleClear = -1
		}
	}
	if given["redeem-enabled"] {
		in.Flags.Present[settings.FieldRedeemEnabled] = true
		in.Flags.Settings.RedeemEnabled = *redeemEnabled
	}
	if given["lang"] {
		in.Flags.Present[settings.FieldLanguage] = true
		in.Flags.Settings.Language = *language
	}
	if given["shop-id"] {
		in.DemoShop = in.Flags.Settings.CurrentShop
	}
	s, err := session.Open(in)
	if err != nil {
		if window != nil {
			window.Close()
		}
		wlog.run.End()
		_ = wlog.file.Close()
		fmt.Fprintf(stderr, "ocard-desk: %v\n", err)
		return nil, 1
	}
	return s, 0
}

// claimWindow keeps one desk window per user: when a copy already runs, it has been
// brought to the front and this one ends (done, exit status 0). A copy that does not
// answer (stuck, or quitting) leaves this copy to open its window and take the claim
// over; a folder where the claim cannot be kept leaves it to open its window without
// one: a second window is better than none.
func claimWindow(env deskEnv, log *slog.Logger, stderr io.Writer) (window *instance.Listener, code int, done bool) {
	if env.claimWindow == nil {
		return nil, 0, false
	}
	window, err := env.claimWindow()
	switch {
	case errors.Is(err, instance.ErrRunning):
		fmt.Fprintln(stderr, "ocard-desk: already running on this desk: its window was brought to the front")
		return nil, 0, true
	case errors.Is(err, instance.ErrNotAnswering):
		// window holds the claim now: the next start raises this window.
		log.Warn("another copy of the desk is running but did not answer: opening a second window, which takes over")
	case err != nil:
		log.Warn("one window per desk cannot be kept", "err", err.Error())
	}
	return window, 0, false
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
