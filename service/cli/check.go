package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/diagnose"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// Check runs `ocard-desk check [window flags]`, for franchise IT at a desk: it prints
// the settings the window would use and where each came from (the secret masked),
// then runs the same end-to-end check as Settings' Test connection: a token, then
// one member request at this desk's shop. Exit status 0 works, 2 not configured, 4
// credentials refused, 5 anything else on the way (network, timeout, server).
func Check(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// The window's saved settings, read without starting Fyne and never changed.
	prefs := readDeskSettings()
	// Not the window: it must neither bring a running window forward (and end) nor
	// claim the desk's window while it checks.
	env := processEnv()
	env.claimWindow = nil
	return check(ctx, args, stdout, stderr, env, prefs)
}

func check(ctx context.Context, args []string, stdout, stderr io.Writer, env deskEnv, prefs settings.KV) int {
	s, code := parseDesk(ctx, args, prefs, stdout, stderr, env)
	if s == nil {
		return code
	}
	defer s.Close()
	printSettings(stdout, s)
	return checkConnection(ctx, s, stdout)
}

// checkConnection is check's test of the connection of s, said on stdout; it returns the
// exit status.
func checkConnection(ctx context.Context, s *session.Session, stdout io.Writer) int {
	r := s.Resolved
	if s.Demo {
		fmt.Fprintln(stdout, "\nDemo: nothing to check (the built-in demo server answers).")
		return exitFound
	}
	if err := r.SetupError(); err != nil {
		fmt.Fprintf(stdout, "\nNot configured: %s\n", err)
		return exitUsage
	}
	timeout := time.Duration(max(r.Settings.TimeoutSeconds, 1))*time.Second*2 + time.Second
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fmt.Fprintf(stdout, "\nChecking: a token, then one member request at shop %s (number %s: \"not a member\" is a success)…\n",
		r.Settings.CurrentShop, service.MaskMobile(session.ProbeNumber))
	err := s.TestConnection(ctx, r.Settings, r.Secret)
	var ce *session.CheckError
	switch {
	case err == nil:
		fmt.Fprintln(stdout, "Works: the token request and the member request went through.")
		return exitFound
	case errors.As(err, &ce):
		fmt.Fprintf(stdout, "FAILED: %s\n", service.Printable(redact(err.Error(), r.Secret)))
		return exitStatus(ce.Err)
	default:
		fmt.Fprintf(stdout, "FAILED: %s\n", service.Printable(redact(err.Error(), r.Secret)))
		return exitStatus(err)
	}
}

// printSettings lists every setting, its value and where it came from.
func printSettings(w io.Writer, s *session.Session) {
	fmt.Fprintln(w, "Ocard Desk: the settings the window uses")
	diagnose.WriteSettings(w, s)
}
