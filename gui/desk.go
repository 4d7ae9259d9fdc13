// Package gui is Ocard Desk's window: the number entry a cashier types or scans into,
// the member's points, expiring points and e-invoice carrier codes, and every state in
// between. It owns all asynchronous work; package service does the network.
package gui

import (
	"context"
	"image"
	"image/color"
	"log/slog"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"github.com/ocard-desk/ocard-desk/resources"
	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// MemberLookup is what the window needs from the member API: *service.Client has it.
type MemberLookup interface {
	LookupMember(ctx context.Context, shopID, mobile string) (service.Member, error)
}

// AvatarLoader fetches a member's avatar with its own timeout and limits:
// *service.AvatarFetcher has it.
type AvatarLoader interface {
	Fetch(ctx context.Context, url string) (image.Image, error)
}

// DemoNumber is a number to try in demo mode, shown on the welcome panel.
type DemoNumber struct {
	Mobile string
	Label  string
}

// Options is everything the window is built from: optionsFor fills it from a session,
// tests with fakes.
type Options struct {
	Lookup  MemberLookup // nil together with SetupProblem: the app is not configured
	Avatars AvatarLoader // nil: the placeholder always shows
	ShopID  string
	// ShopName is shown in the header; ShopID is shown when it is empty.
	ShopName string
	// Demo marks the window as running on the built-in demo server.
	Demo        bool
	DemoNumbers []DemoNumber
	// IdleClear is how long a result stays on screen without activity (default 60 s;
	// negative: never).
	IdleClear time.Duration
	// SetupProblem, when set, is shown at start instead of the welcome panel.
	SetupProblem error
	// ConnectionSummary describes the connection (no secrets); Settings shows it when
	// there is no Backend to edit it with.
	ConnectionSummary string
	Logger            *slog.Logger

	// Shops lists the shops this desk serves; with more than one a picker sits in the
	// header. Empty: the one shop ShopID/ShopName.
	Shops []settings.Shop
	// Backend saves settings, reconnects and starts the demo. Nil: no settings screen.
	Backend Backend
	// Settings is the resolved configuration the settings screen starts from.
	Settings settings.Resolved
	// SecretStoreKind and SecretStoreLocation say where the secret is kept ("keyring" or
	// "file", and where), for the settings screen.
	SecretStoreKind, SecretStoreLocation string
	// Welcome shows the first-run welcome screen: nothing is configured yet.
	Welcome bool

	// Redeemer sends redemptions (nil: this desk does not redeem); RedemptionLog lists
	// them for today's list; TicketIDOf is the coupon id a redemption sends.
	Redeemer      Redeemer
	RedemptionLog RedemptionLog
	TicketIDOf    func(service.Coupon) string
	// SettingsWarnings say the saved settings were restored from their backup, or lost:
	// told on the first screen, not only inside Settings.
	SettingsWarnings []settings.Warning
	// Support is where the desk keeps its files, how its last run ended, and its
	// diagnostics (About, support.go).
	Support Support
}

// Window size the layout is designed for; it must also fit at minimum size.
var (
	defaultWindowSize = fyne.NewSize(1280, 800)
	doubleScanWindow  = time.Second
	nearExpiryWindow  = 30 * 24 * time.Hour
	maxRecent         = 10
)

// Build sets the language, then creates and shows the main window for session s on
// app a; it lives until ctx ends (the process's SIGINT/SIGTERM) or the cashier closes
// it. The caller runs it (ShowAndRun) and closes s after.
//
// The desk stops its own work (desk.stop) before Fyne quits, on both paths. Not from
// Fyne's OnStopped: a callback there is queued to Fyne's loop while the loop shuts
// down, which sometimes never runs it and leaves the process hanging (seen in the
// shutdown soak, docs/RELIABILITY.md).
func Build(ctx context.Context, a fyne.App, s *session.Session) Window {
	useOneTextStyle()
	if !dropFynesStopHook(a) {
		s.Logger.Warn("Fyne's shutdown hook could not be taken out: a shutdown may hang (the desk's watch then ends it)")
	}
	// The translations load on their own goroutine while GLFW starts on this one
	// (NewWindow): nothing reads them before langReady.
	langReady := make(chan struct{})
	s.Go(func() {
		defer close(langReady)
		SetLanguage(s.Language)
	})
	w := a.NewWindow("")
	<-langReady
	w.SetTitle(tr("app.title"))
	opts := optionsBeforeJournal(s) // the journal opens beside the window's creation
	d := newDesk(w, opts)
	d.trim = newMemoryTrim()
	// The window's text face (the bundled CJK font, Fyne's own and emoji fonts, the
	// system font index) loads on its own goroutine while GLFW creates and maps the
	// window on this one: the two were the start's longest steps, one after the other
	// (docs/bench/findings.md, P4). Nothing measures text until faceReady: the window
	// is shown with an empty background, and Fyne's loop, the only other place that
	// could, has not started.
	faceReady := d.loadTextFace()
	w.SetContent(canvas.NewRectangle(color.Transparent))
	w.SetIcon(resources.IconAt(windowIconSide))
	w.Resize(defaultWindowSize)
	// Stopping also gives up the claim on the desk's window at once: a copy started
	// while this one quits opens its own window instead of asking this one.
	stop := func() {
		d.stop()
		s.ReleaseWindow()
	}
	keepPlace := placeWindow(a, w, s.Prefs, s.Logger, s.FullScreen, d.stopped.Load, stop, d.holdCloseForSend)
	w.Show()
	<-faceReady
	d.useJournal(s)
	d.fill()
	crashTest(d) // a no-op unless built with the ocard_crashtest tag
	s.OnRaise(d.raise)
	d.loadRedemptions() // the unresolved redemptions' badge, from any earlier day
	go func() {
		<-ctx.Done()
		stop()
		// The driver's Quit, as Fyne's own signal handler calls it; not App.Quit, which
		// first closes the window, and a pointer event still queued for the destroyed
		// window then crashes inside Fyne (nil viewport, seen in the soak).
		fyne.Do(func() {
			keepPlace()
			a.Driver().Quit()
		})
	}()
	endHung := func() {
		s.Close()
		os.Exit(0)
	}
	return Window{Window: w, desk: d, run: crashTestRun(a.Run), endHung: endHung, grace: quitGrace}
}

// buildDesk builds the desk's window whole, unshown (the tests' way in; Build shows
// the window first and fills it once the text face is ready).
func buildDesk(a fyne.App, opts Options) *desk {
	useOneTextStyle()
	w := a.NewWindow(tr("app.title"))
	d := newDesk(w, opts)
	w.SetIcon(resources.IconAt(windowIconSide))
	w.Resize(defaultWindowSize)
	d.fill()
	return d
}

// useJournal gives the desk the session's redeemer and journal, once the session has
// opened it (beside the window's creation: a year of history costs the start nothing).
func (d *desk) useJournal(s *session.Session) {
	addJournal(&d.opts, s)
	d.conn.redeemer, d.conn.log = d.opts.Redeemer, d.opts.RedemptionLog
}

// fill sets the window's content and starts the desk: the first text is measured here.
func (d *desk) fill() {
	d.win.SetContent(d.buildUI())
	d.router.install(d.win.Canvas())
	d.start()
	d.tellUncleanExit() // after start's notices, which it adds to
}

// loadTextFace measures a line of the window's text on its own goroutine, which loads
// the regular text face into Fyne's cache; the channel closes when it is done. The
// caller must not measure text before that: with the release build's tags Fyne's
// caches are plain maps.
func (d *desk) loadTextFace() <-chan struct{} {
	done := make(chan struct{})
	sample := tr("app.title") + " 0912-345-678"
	d.spawn(func() {
		defer close(done)
		fyne.MeasureText(sample, theme.TextSize(), fyne.TextStyle{})
	})
	return done
}

// windowIconSide is the size of the icon handed to the window system: taskbars and
// window switchers show 16 to 64 pixels (128 leaves room for a 2× screen), and the
// installed desktop entry brings the large sizes. Fyne decodes the window icon and
// hands it to the window system before the window maps, so it is a ready-made
// 128-pixel PNG, not the 512-pixel app icon.
const windowIconSide = 128
