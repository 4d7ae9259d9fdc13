// Package logfile is the window's log on disk: the same JSON records as --log-json,
// in a per-user log folder, rotated by size with a bounded total (lumberjack), and
// written by a goroutine of its own so that logging never blocks or slows the window.
// It also keeps the trace of a crash: a marker that says the window is running, a
// crash file the Go runtime writes its own panic trace into, and a recover-and-log
// wrapper for the app's goroutines. Nothing here imports Fyne.
package logfile

import (
	"os"
	"path"
	"path/filepath"
	"runtime"
)

// AppDir is the app's folder name inside the OS's log or state folder.
const AppDir = "ocard-desk"

// FileName is the current log file's name; lumberjack names its backups
// ocard-desk-<time>.log beside it.
const FileName = "ocard-desk.log"

// DefaultDir is the user's log folder for the app (see Dir), or "" when the OS gives
// this user no home folder.
func DefaultDir() string {
	home, _ := os.UserHomeDir()
	return Dir(runtime.GOOS, os.Getenv, home)
}

// Dir is where each OS keeps a user's logs:
//   - Windows: %LocalAppData%\ocard-desk\logs (local, not roaming: logs are per PC);
//   - macOS: ~/Library/Logs/ocard-desk (where Console.app looks);
//   - elsewhere: $XDG_STATE_HOME/ocard-desk, else ~/.local/state/ocard-desk (the XDG
//     base directory spec puts logs under "state": kept between runs, not precious).
//
// It returns "" when neither the variable nor a home folder is known.
func Dir(goos string, getenv func(string) string, home string) string {
	switch goos {
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return filepath.Join(d, AppDir, "logs")
		}
		if home == "" {
			return ""
		}
		return filepath.Join(home, "AppData", "Local", AppDir, "logs")
	case "darwin", "ios":
		if home == "" {
			return ""
		}
		return path.Join(home, "Library", "Logs", AppDir) // Unix paths: slashes wherever this runs
	default:
		if d := getenv("XDG_STATE_HOME"); path.IsAbs(d) { // the spec: a relative value is invalid
			return path.Join(d, AppDir)
		}
		if home == "" {
			return ""
		}
		return path.Join(home, ".local", "state", AppDir)
	}
}
