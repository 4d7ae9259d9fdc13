package childproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestStartTriesAgainWhenTheStartFails(t *testing.T) {
	retryPause = 0
	missing := filepath.Join(t.TempDir(), "no-such-program")
	var built, logged int
	cmd, err := Start(func() *exec.Cmd {
		built++
		if built == 1 { // a start that fails, then one that works
			return exec.Command(missing)
		}
		return exec.Command(os.Args[0], "-test.run=^$")
	}, func(string, ...any) { logged++ })
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the second try's child: %v", err)
	}
	if built != 2 || logged != 1 {
		t.Errorf("built %d commands and logged %d failures, want 2 and 1", built, logged)
	}
}

func TestStartGivesUpAfterTries(t *testing.T) {
	retryPause = 0
	missing := filepath.Join(t.TempDir(), "no-such-program")
	built := 0
	_, err := Start(func() *exec.Cmd { built++; return exec.Command(missing) }, nil)
	if err == nil || !strings.Contains(err.Error(), "no-such-program") {
		t.Fatalf("err %v, want the last start's error", err)
	}
	if built != tries {
		t.Errorf("built %d commands, want %d", built, tries)
	}
}
