package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ocard-desk/ocard-desk/service/diagnose"
	"github.com/ocard-desk/ocard-desk/service/logfile"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

const diagnoseUsage = `usage: ocard-desk diagnose [--out FILE.zip] [window flags]

Writes a zip for support staff (default: ocard-desk-diagnostics-DATE-TIME.zip here):
  diagnostics.txt  version, OS, every setting and where it came from, the token's state,
                   unresolved redemptions, the last 200 log lines (what About's Copy
                   diagnostics copies)
  check.txt        what 'ocard-desk check' says (a token, then one member request)
  settings/        the desk's settings file and the provisioning file, secrets replaced
  logs/            the window's log files and crash traces
Nothing private leaves: no client secret, no token, no full phone number. It reads the
settings like 'check' and never writes them. The window's flags (--config, --log-file,
…) are read as the window reads them.
Exit status: 0 the zip is written, 2 usage, 5 it could not be written.
`

// Diagnose runs `ocard-desk diagnose [--out FILE.zip] [window flags]`.
func Diagnose(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := processEnv()
	env.claimWindow = nil // a command: it neither raises nor claims the window
	env.logDir = logfile.DefaultDir()
	return diagnoseDesk(ctx, args, stdout, stderr, env, readDeskSettings(), time.Now())
}

func diagnoseDesk(ctx context.Context, args []string, stdout, stderr io.Writer, env deskEnv, prefs settings.KV, now time.Time) int {
	out, rest, ok := takeOut(args)
	if !ok {
		fmt.Fprint(stderr, "ocard-desk diagnose: --out needs a file name\n"+diagnoseUsage)
		return exitUsage
	}
	for _, a := range rest {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(stdout, diagnoseUsage)
			return exitFound
		}
	}
	if out == "" {
		out = "ocard-desk-diagnostics-" + now.Format("20060102-150405") + ".zip"
	}
	s, code := parseDesk(ctx, rest, prefs, io.Discard, stderr, env)
	if s == nil {
		return code
	}
	defer s.Close()

	var check bytes.Buffer
	printSettings(&check, s)
	status := checkConnection(ctx, s, &check)
	fmt.Fprintf(&check, "\nexit status %d\n", status)
	report := diagnose.Report{Session: s, LogPath: s.LogFile.Path(),
		Window: diagnose.Window{LastCheck: lastLine(check.String()) + " (ocard-desk check, " + now.Format(time.RFC3339) + ")"}}

	if err := writeZip(out, func(w io.Writer) error { return diagnose.Zip(w, report, check.String()) }); err != nil {
		fmt.Fprintf(stderr, "ocard-desk diagnose: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "Wrote %s: send it to your IT or support contact. It holds no secret, token or full phone number.\n", out)
	return exitFound
}

// takeOut takes --out FILE (or --out=FILE) out of args, leaving the window's flags.
func takeOut(args []string) (out string, rest []string, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--out" || a == "-out":
			if i+1 >= len(args) {
				return "", nil, false
			}
			out = args[i+1]
			i++
		case strings.HasPrefix(a, "--out=") || strings.HasPrefix(a, "-out="):
			out = a[strings.IndexByte(a, '=')+1:]
		default:
			rest = append(rest, a)
		}
	}
	return out, rest, true
}

// writeZip writes the archive beside path and renames it into place: a failed run
// leaves no half archive that looks complete. Only the user may read it (it holds
// shop ids and masked numbers).
func writeZip(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ocard-desk-diagnose-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// lastLine is text's last line that is not empty.
func lastLine(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "exit status") {
			return l
		}
	}
	return ""
}
