package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocard-desk/ocard-desk/service/logfile"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

func TestLogFilePath(t *testing.T) {
	env := deskEnv{getenv: func(string) string { return "" }, logDir: "/state/ocard-desk"}
	withEnv := deskEnv{getenv: func(k string) string { return map[string]string{"OCARD_LOG_FILE": "/var/log/desk.log"}[k] }}
	for _, c := range []struct {
		flag  string
		given bool
		env   deskEnv
		want  string
	}{
		{"", false, env, filepath.Join("/state/ocard-desk", logfile.FileName)},
		{"/tmp/x.log", true, withEnv, "/tmp/x.log"}, // the flag wins
		{"", false, withEnv, "/var/log/desk.log"},
		{"-", true, env, logfile.Disabled},
		{"", false, deskEnv{getenv: env.getenv}, logfile.Disabled}, // no log folder known
	} {
		if got := logFilePath(c.flag, c.given, c.env); got != c.want {
			t.Errorf("logFilePath(%q, %v) = %q, want %q", c.flag, c.given, got, c.want)
		}
	}
}

// A log folder that cannot be written does not stop the window: the session opens,
// stderr says so once, and Settings can say it (Session.LogFile.Problem).
// (Checked to fail: with openWindowLog's warning removed, stderr says nothing.)
func TestUnwritableLogFolderIsToldOnceAndTheWindowOpens(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := testEnv(t, nil, settings.NewFileStore(t.TempDir()))
	env.window, env.logDir = true, t.TempDir()
	var stdout, stderr bytes.Buffer
	s, code := parseDesk(t.Context(), []string{"--demo", "--log-file", filepath.Join(file, "logs", "desk.log")},
		&settings.MemoryKV{}, &stdout, &stderr, env)
	if s == nil {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	defer s.Close()
	// The window's session opens its journal on a goroutine that logs (to stderr here,
	// the log file being unwritable): the buffer is read once it has.
	<-s.JournalReady()
	if !errors.Is(s.LogFile.Problem(), logfile.ErrUnwritable) {
		t.Errorf("Problem() = %v", s.LogFile.Problem())
	}
	if n := strings.Count(stderr.String(), "the window runs without it"); n != 1 {
		t.Errorf("said %d times on stderr:\n%s", n, stderr.String())
	}
	// The marker and crash file go to the user's log folder instead.
	if _, err := os.Stat(filepath.Join(env.logDir, logfile.MarkerName)); err != nil {
		t.Errorf("no run marker: %v", err)
	}
}
