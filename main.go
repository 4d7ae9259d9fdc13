// Command ocard-desk is the Ocard Desk front-desk app: a window where a cashier scans or
// types a customer's mobile number and sees the member's points and e-invoice carrier.
//
//	ocard-desk [--demo] [flags]     the window
//	ocard-desk lookup [flags] MOBILE...   look members up from a terminal
//	ocard-desk demo-server [--addr]       run the built-in demo server
//	ocard-desk rewards [--json] MOBILE...  a member's gifts and coupons
//	ocard-desk redeem ... MOBILE          redeem points or coupons (off unless enabled)
//	ocard-desk journal [--since DATE]     the redemptions made at this desk
//	ocard-desk check [flags]              the window's settings, where each came from, and a test
//	ocard-desk diagnose [--out FILE.zip]  a zip for support: diagnostics, check, settings, logs
//	ocard-desk --version
package main

import (
	// First, so that Fyne reads a C.UTF-8 locale as English (see the package comment).
	_ "github.com/ocard-desk/ocard-desk/gui/posixlocale"

	"context"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2/app"

	"github.com/ocard-desk/ocard-desk/gui"
	"github.com/ocard-desk/ocard-desk/resources"
	"github.com/ocard-desk/ocard-desk/service/cli"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "lookup":
			os.Exit(cli.Lookup(ctx, os.Args[2:], os.Stdout, os.Stderr))
		case "demo-server":
			os.Exit(cli.DemoServer(ctx, os.Args[2:], os.Stdout, os.Stderr))
		case "rewards":
			os.Exit(cli.Rewards(ctx, os.Args[2:], os.Stdout, os.Stderr))
		case "redeem":
			os.Exit(cli.Redeem(ctx, os.Args[2:], os.Stdout, os.Stderr))
		case "journal":
			os.Exit(cli.Journal(os.Args[2:], os.Stdout, os.Stderr))
		case "check":
			os.Exit(cli.Check(ctx, os.Args[2:], os.Stdout, os.Stderr))
		case "diagnose":
			os.Exit(cli.Diagnose(ctx, os.Args[2:], os.Stdout, os.Stderr))
		}
	}
	// The desk's settings file (written atomically; Fyne's preferences.json is read once,
	// to bring older settings over). NewWithID needs no display; GLFW starts in Run.
	prefs := settings.OpenDeskFile(settings.DefaultDeskFile(), settings.FynePreferencesFile(settings.AppID))
	a := app.NewWithID(settings.AppID)
	session, code := cli.ParseDesk(ctx, os.Args[1:], prefs, os.Stdout, os.Stderr)
	if session == nil {
		os.Exit(code)
	}
	defer session.Close()
	// Runs first: a panic in a Fyne callback (main's goroutine) is logged before
	// Close, and keeps the run marked as crashed.
	defer session.Recover()

	a.SetIcon(resources.Icon)
	a.Settings().SetTheme(gui.Theme())
	// The window quits on SIGINT/SIGTERM (ctx), stopping its own work first.
	gui.Build(ctx, a, session).ShowAndRun()
}
