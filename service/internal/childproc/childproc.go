// Package childproc starts the child processes of tests (a writer to kill, a second
// copy of the desk), trying again when the start itself fails. Under Wine,
// CreateProcess now and then fails with "Internal error" (seen once in a clean-clone
// CI run, 2026-12-07): a child that never started says nothing about what a test
// checks. Only the start is tried again; what the child does is the test's business.
package childproc

import (
	"fmt"
	"os/exec"
	"time"
)

// tries is how many times Start tries before it gives up.
const tries = 3

// retryPause is the wait between tries (a var for the package's own test).
var retryPause = time.Second

// Start starts a command newCmd builds, a new one for each try (an exec.Cmd starts
// only once; set its pipes and buffers in newCmd, as exec closes the pipes of a start
// that failed). logf, when not nil, says each failed start (t.Logf; it may be called
// from any goroutine, unlike t.Fatal). The error is the last start's, after tries.
func Start(newCmd func() *exec.Cmd, logf func(format string, args ...any)) (*exec.Cmd, error) {
	var err error
	for try := 1; try <= tries; try++ {
		cmd := newCmd()
		if err = cmd.Start(); err == nil {
			return cmd, nil
		}
		if try < tries {
			if logf != nil {
				logf("the child %s did not start (%v); trying again", cmd.Path, err)
			}
			time.Sleep(retryPause)
		}
	}
	return nil, fmt.Errorf("the child did not start in %d tries: %w", tries, err)
}
