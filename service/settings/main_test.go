package settings

import (
	"os"
	"testing"

	"github.com/zalando/go-keyring"
)

// realNoSessionBus is the D-Bus check TestMain replaces, for its own test.
var realNoSessionBus func() bool

// TestMain swaps go-keyring's provider for its in-memory mock before any test runs,
// so that no test reads or writes the developer's real keychain.
//
// The child processes of TestRealCredentialStore (envRealStore) are the exception:
// they talk to the real store, under a service name of their own.
func TestMain(m *testing.M) {
	if os.Getenv(envRealStore) != "" {
		os.Exit(m.Run())
	}
	keyring.MockInit()
	realNoSessionBus = noSessionBus
	noSessionBus = func() bool { return false } // the mock needs no bus
	os.Exit(m.Run())
}
