package cli

import (
	"os"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestMain keeps the tests off the user's keyring and config folder: a journal
// opened with the default salt store (the credential store, or a file in the
// config folder) and the demo's journal (in the config folder) land in a
// temporary HOME, and go-keyring is its in-memory mock.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "cli-test-home-")
	if err != nil {
		panic(err)
	}
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", home)
	keyring.MockInit()
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}
