package cli

import (
	"log/slog"
	"path/filepath"
	"time"

	"github.com/ocard-desk/ocard-desk/service/logfile"
)

// windowLog is the window's log on disk and its run's marker (service/logfile). The
// commands log to stderr only; the window also writes a file, because on Windows a
// GUI program has no console and a desk started from a menu has no terminal.
type windowLog struct {
	file    *logfile.File
	run     *logfile.Run
	unclean *logfile.Unclean
}

// logFilePath is where the window logs: --log-file, else OCARD_LOG_FILE, else the
// user's log folder; logfile.Disabled ("-") turns the file off.
func logFilePath(flagValue string, given bool, env deskEnv) string {
	if given {
		return flagValue
	}
	if v := env.getenv("OCARD_LOG_FILE"); v != "" {
		return v
	}
	if env.logDir == "" {
		return logfile.Disabled
	}
	return filepath.Join(env.logDir, logfile.FileName)
}

// openWindowLog opens the log file and marks the run, then returns the logger that
// writes to stderr (as before) and to the file. Nothing here can stop the window: a
// folder that cannot be written is said once on stderr, and Settings says it too
// (Session.LogFile.Problem).
func openWindowLog(path string, level slog.Leveler, stderrLog *slog.Logger, env deskEnv) (*slog.Logger, windowLog) {
	var w windowLog
	w.file = logfile.Open(logfile.Options{Path: path, OnError: func(err error) {
		stderrLog.Warn("the log file can no longer be written: the window goes on without it", "file", path, "err", err.Error())
	}})
	logger := stderrLog
	if w.file.Enabled() {
		logger = slog.New(slog.NewMultiHandler(stderrLog.Handler(), w.file.Handler(level)))
	} else if err := w.file.Problem(); err != nil {
		stderrLog.Warn("the log file cannot be written: the window runs without it", "file", path, "err", err.Error())
	}
	// The marker and the crash trace sit beside the log; with the file turned off, in
	// the user's log folder.
	dir := w.file.Dir()
	if dir == "" || w.file.Problem() != nil {
		dir = env.logDir
	}
	if dir == "" {
		return logger, w
	}
	run, unclean, err := logfile.StartRun(dir, w.file.Path(), time.Now())
	if err != nil {
		logger.Warn("a crash of the window cannot be traced", "folder", dir, "err", err.Error())
	}
	w.run, w.unclean = run, unclean
	if unclean != nil {
		logger.Warn("the desk closed unexpectedly last time", "started", unclean.Started, "ended", unclean.Ended,
			"crash_trace", unclean.Panicked, "details", unclean.Details)
	}
	return logger, w
}

// levelOf is the level of newLogger's records.
func levelOf(debug bool) slog.Level {
	if debug {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}
