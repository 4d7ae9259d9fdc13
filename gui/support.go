package gui

import (
	"fmt"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service/diagnose"
	"github.com/ocard-desk/ocard-desk/service/logfile"
	"github.com/ocard-desk/ocard-desk/service/session"
)

// Support is what About shows and Copy diagnostics copies: where this desk keeps its
// files, how the previous run ended, and how to gather diagnostics. supportFor fills
// it from the session; tests fill it by hand.
type Support struct {
	SettingsFile, JournalFolder, LogFolder string
	// LogProblem says why the log file is not written (nil, or nil error: it is, or it
	// was turned off). Settings shows it.
	LogProblem func() error
	// Unclean is how the previous run ended when not cleanly: told at start.
	Unclean *logfile.Unclean
	// Diagnostics builds the text Copy diagnostics puts on the clipboard. It reads the
	// keyring and the log files, so the window calls it off the UI goroutine.
	Diagnostics func(w diagnose.Window, unresolved diagnose.UnresolvedCounter) string
	// Unresolved counts the redemptions without a known outcome (nil: the journal's
	// own count). The Rewards side can hand in its live count here.
	Unresolved diagnose.UnresolvedCounter
	// Go runs f on a goroutine of the app whose panic is logged, with its stack,
	// before the process ends (nil: a plain goroutine).
	Go func(f func())

	// lastCheck is Settings' latest Test connection, with its time, for diagnostics.
	// UI goroutine only.
	lastCheck string
}

// supportFor is the Support of session s.
func supportFor(s *session.Session) Support {
	return Support{
		SettingsFile: s.SettingsFile(), JournalFolder: s.JournalFolder(), LogFolder: s.LogFolder(),
		LogProblem: s.LogFile.Problem, Unclean: s.Unclean, Go: s.Go,
		Diagnostics: func(w diagnose.Window, unresolved diagnose.UnresolvedCounter) string {
			s.LogFile.Flush(time.Second) // what was just logged belongs in the copy
			return diagnose.Text(diagnose.Report{Session: s, Window: w, LogPath: s.LogFile.Path(), Unresolved: unresolved})
		},
	}
}

// spawn runs f on a goroutine of ours: a panic there is logged before the process ends.
func (d *desk) spawn(f func()) {
	if d.opts.Support.Go != nil {
		d.opts.Support.Go(f)
		return
	}
	go f()
}

// tellUncleanExit adds to the start notices that the desk closed unexpectedly last
// time, when, and where the details are; it is logged too, for whoever reads the log.
func (d *desk) tellUncleanExit() {
	u := d.opts.Support.Unclean
	if u == nil {
		return
	}
	text := tr("desk.closed_unexpectedly", map[string]any{"When": u.Ended.Format("2006-01-02 15:04"), "Where": u.Details})
	d.log.Warn("told at start: the desk closed unexpectedly last time", "details", u.Details)
	if d.notice != "" {
		text = d.notice + "\n" + text
	}
	d.showWarning(text)
}

// recordCheck keeps Settings' Test connection result for diagnostics (in English:
// diagnostics are read by IT).
func (d *desk) recordCheck(err error) {
	result := "Works: the token request and the member request went through."
	if err != nil {
		result = "FAILED: " + err.Error()
	}
	d.opts.Support.lastCheck = result + " (Test connection in Settings, " + d.now().Format(time.RFC3339) + ")"
}

// goos is the OS About names; the golden tests pin it.
var goos = runtime.GOOS + "/" + runtime.GOARCH

// screenPixels is the window's size in screen pixels and its scale: Fyne has no API
// for the screen itself, and the window's scale is its screen's.
func (d *desk) screenPixels() (width, height int, scale float32) {
	c := d.win.Canvas()
	scale = c.Scale()
	size := c.Size()
	return int(size.Width*scale + 0.5), int(size.Height*scale + 0.5), scale
}

// screenText is the window's screen for diagnostics (English: IT reads them).
func (d *desk) screenText() string {
	w, h, scale := d.screenPixels()
	return fmt.Sprintf("window %d×%d px, scale %g", w, h, scale)
}

// systemText is the OS and the window's screen, as About says them.
func (d *desk) systemText() string {
	w, h, scale := d.screenPixels()
	return tr("about.system", map[string]any{"OS": goos, "Width": w, "Height": h, "Scale": fmt.Sprintf("%g", scale)})
}

// logProblemLabel says, in Settings, that the log file cannot be written (nil: it can).
func (d *desk) logProblemLabel() *widget.Label {
	p := d.opts.Support.LogProblem
	if p == nil {
		return nil
	}
	err := p()
	if err == nil {
		return nil
	}
	l := widget.NewLabel(tr("settings.log_problem", map[string]any{"Folder": d.opts.Support.LogFolder, "Reason": err.Error()}))
	l.Importance = widget.WarningImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}
