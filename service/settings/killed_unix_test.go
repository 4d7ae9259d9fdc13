//go:build !windows

package settings

import (
	"errors"
	"os/exec"
)

// killedItself reports whether a child of TestKilledAtEveryStepOfASave ended by its
// own kill: here that is a signal (SIGKILL), which no exit can be mistaken for.
func killedItself(err error, _ []byte) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && !ee.Exited()
}
