package main

import (
	"os/exec"
	"testing"
)

// TestFailedComparisonsAreIgnored: a failed golden (gui/testdata/failed/) or e2e
// screenshot (testdata/failed/) is for a developer to look at, never to commit.
func TestFailedComparisonsAreIgnored(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	if err := exec.Command("git", "rev-parse", "--git-dir").Run(); err != nil {
		t.Skip("not a git checkout")
	}
	for _, path := range []string{"gui/testdata/failed/found_en.xml", "testdata/failed/TestEndToEnd-found.png"} {
		if err := exec.Command("git", "check-ignore", "-q", path).Run(); err != nil {
			t.Errorf("%s is not ignored by .gitignore", path)
		}
	}
}
