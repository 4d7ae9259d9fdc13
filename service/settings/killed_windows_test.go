package settings

import (
	"bytes"
	"errors"
	"os/exec"
)

// killedItself reports whether a child of TestKilledAtEveryStepOfASave ended by its
// own kill. Windows has no signals: os.Process.Kill is TerminateProcess with exit code
// 1, which is also the code of a test binary whose test failed. So a kill is exit code
// 1 after the line the child prints just before it kills itself (killingMarker), with
// no test failure reported.
func killedItself(err error, out []byte) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == 1 &&
		bytes.Contains(out, []byte(killingMarker)) && !bytes.Contains(out, []byte("--- FAIL"))
}
