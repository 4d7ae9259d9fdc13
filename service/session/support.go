package session

import (
	"os"
	"path/filepath"

	"github.com/ocard-desk/ocard-desk/service/journal"
	"github.com/ocard-desk/ocard-desk/service/logfile"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// What support staff ask a desk for: where its files are, and how its last run ended.

// endRun is a clean exit: the run's marker goes (unless a panic is ending the
// process) and the log file is written out and closed, last, so that everything
// logged while closing is in it.
func (s *Session) endRun() {
	s.Run.End()
	if s.LogFile != nil {
		_ = s.LogFile.Close()
	}
}

// SettingsFile is the desk's settings file ("" when the settings are not kept in one).
func (s *Session) SettingsFile() string {
	if df, ok := s.Prefs.(*settings.DeskFile); ok {
		return df.Path()
	}
	return ""
}

// JournalFolder is where the redemption journal is, or would be once redeeming is on
// (OCARD_JOURNAL_DIR, else the user's config folder; with --demo, the demo's folder in
// it, as openJournal opens it). It does not wait for a journal opened beside the start.
func (s *Session) JournalFolder() string {
	getenv := s.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	d := getenv("OCARD_JOURNAL_DIR")
	if d == "" {
		d, _ = journal.DefaultDir()
	}
	if d != "" && s.Demo {
		return filepath.Join(d, DemoJournalName)
	}
	return d
}

// LogFolder is the folder of the window's log file ("" when it keeps none).
func (s *Session) LogFolder() string { return s.LogFile.Dir() }

// Recover, deferred in main around the window's run (Fyne's callbacks run on main's
// goroutine), logs a panic with its stack to the log file and keeps the run's marker,
// then panics again: the process ends as before, with the runtime's trace in the
// crash file, and the next start names it.
func (s *Session) Recover() {
	if v := recover(); v != nil {
		logfile.LogPanic(v, s.Logger, s.LogFile, s.Run)
		panic(v)
	}
}

// Go runs f on a goroutine of the app whose panic is logged, with its stack, before
// the process ends.
func (s *Session) Go(f func()) { logfile.Go(s.Logger, s.LogFile, s.Run, f) }
